// Seeded random matrix programs for the differential test: chains of elementwise ops, mmul, transpose, reductions and get/set on the stand-in.

import { binary, unary, type Scalar } from '../../../engine/ad/ops';
import type { Matrix as StandIn } from '../../../engine/ad/matrix/module';
import { seededUniform } from '../../../engine/random';

type MatrixClass = typeof StandIn;

/** The engine's seeded generator, so a failing program can be rebuilt from its seed. */
export const seededRandom = seededUniform;

/** One step: reads matrices of the pool, returns a new matrix for it (never mutates a pool entry in place). */
type Step = { describe: string; run(pool: StandIn[], M: MatrixClass): StandIn };

export interface MatrixProgram {
  shape: [number, number];
  describe: string;
  /** The program: a scalar from the input matrix; deterministic, smooth everywhere (no kinks, safe domains). */
  run(Y: StandIn, M: MatrixClass): Scalar;
}

/** Every unary step keeps values bounded and inside the next operation's domain, whatever its input. */
const unarySteps: [string, (A: StandIn, M: MatrixClass) => StandIn][] = [
  ['tanh', (A, M) => M.tanh(A) as StandIn],
  ['sin', (A, M) => M.sin(A) as StandIn],
  ['atan', (A, M) => M.atan(A) as StandIn],
  ['exp∘tanh', (A, M) => (M.tanh(A) as StandIn).exp()],
  ['log(A²+1)', (A, M) => (M.pow(A, 2) as StandIn).add(1).log()],
  ['sqrt(A∘A+0.5)', (A, M) => (M.mul(A, A) as StandIn).add(0.5).sqrt()],
  ['tanh(A)³', (A, M) => (M.tanh(A) as StandIn).pow(3)],
  ['−A', (A) => A.clone().neg()],
];

function pick<T>(rand: () => number, items: T[]): T {
  return items[Math.floor(rand() * items.length)];
}

function randomStep(rand: () => number): Step {
  const kind = Math.floor(rand() * 10);
  const c = Math.round((rand() * 4 - 2) * 100) / 100;
  const u = rand();
  const v = rand();
  switch (kind) {
    case 0: {
      const [name, f] = pick(rand, unarySteps);
      return { describe: name, run: (pool, M) => f(pool[Math.floor(u * pool.length)], M) };
    }
    case 1: {
      const op = pick(rand, ['add', 'sub', 'mul'] as const);
      return {
        describe: `${op} with a same-shape matrix`,
        run: (pool) => {
          const A = pool[Math.floor(u * pool.length)];
          const same = pool.filter((B) => B.rows === A.rows && B.columns === A.columns);
          const B = same[Math.floor(v * same.length)];
          // A − A is exactly 0, where a later norm has no derivative.
          return A.clone()[B === A && op === 'sub' ? 'add' : op](B);
        },
      };
    }
    case 2:
      return {
        describe: 'div by (B∘B + 1)',
        run: (pool, M) => {
          const A = pool[Math.floor(u * pool.length)];
          const B = pool.filter((P) => P.rows === A.rows && P.columns === A.columns)[0];
          return A.clone().div((M.mul(B, B) as StandIn).add(1));
        },
      };
    case 3:
      return { describe: `scalar ${c}·A + ${c}`, run: (pool) => pool[Math.floor(u * pool.length)].clone().mul(c).add(c) };
    case 4:
      return {
        describe: 'A times one of its own entries (an active scalar)',
        run: (pool) => {
          const A = pool[Math.floor(u * pool.length)];
          return A.clone().mul(A.get(Math.floor(v * A.rows), Math.floor(u * A.columns)));
        },
      };
    case 5:
      return {
        describe: 'A·Bᵀ or Aᵀ·B (mmul)',
        run: (pool) => {
          const A = pool[Math.floor(u * pool.length)];
          const B = pool[Math.floor(v * pool.length)];
          if (A.columns === B.columns) return A.mmul(B.transpose());
          if (A.rows === B.rows) return A.transpose().mmul(B);
          return A.mmul(A.transpose());
        },
      };
    case 6:
      return {
        describe: 'row / column vector ops from sums and means',
        run: (pool) => {
          const A = pool[Math.floor(u * pool.length)];
          return v < 0.5 ? A.clone().subRowVector(A.mean('column') as Scalar[]) : A.clone().mulColumnVector((A.sum('row') as Scalar[]).map((s) => unary('tanh', s)));
        },
      };
    case 7:
      return {
        describe: 'set an entry to a product of two entries',
        run: (pool) => {
          const A = pool[Math.floor(u * pool.length)];
          const i = Math.floor(v * A.rows);
          const j = Math.floor(u * A.columns);
          return A.clone().set(i, j, binary('mul', A.get(i, j), A.get(A.rows - 1 - i, A.columns - 1 - j)));
        },
      };
    case 8:
      return {
        describe: 'center columns, times tanh(biased variance)',
        run: (pool) => {
          const A = pool[Math.floor(u * pool.length)];
          return A.clone().center('column').mul(unary('tanh', A.variance({ unbiased: false }) as Scalar));
        },
      };
    default:
      return { describe: 'transpose', run: (pool) => pool[Math.floor(u * pool.length)].transpose() };
  }
}

/** A reduction of the pool's newest matrix (and the input) to the scalar result. */
function randomEnding(rand: () => number): { describe: string; run(last: StandIn, Y: StandIn): Scalar } {
  return pick(rand, [
    { describe: 'sum', run: (last: StandIn) => last.sum() as Scalar },
    // The norm stays away from 0, where it has no derivative.
    { describe: 'norm of (last∘last + 1) + mean', run: (last: StandIn) => binary('add', last.clone().mul(last).add(1).norm(), last.mean() as Scalar) },
    { describe: 'dot with itself', run: (last: StandIn) => last.dot(last) },
    { describe: 'sum of row sums squared', run: (last: StandIn) => (last.sum('row') as Scalar[]).reduce<Scalar>((s, r) => binary('add', s, binary('mul', r, r)), 0) },
    { describe: 'trace of last·lastᵀ + Y sum', run: (last: StandIn, Y: StandIn) => binary('add', last.mmul(last.transpose()).trace(), Y.sum() as Scalar) },
  ]);
}

export function randomProgram(seed: number): MatrixProgram {
  const rand = seededRandom(seed);
  const shape: [number, number] = [1 + Math.floor(rand() * 4), 1 + Math.floor(rand() * 4)];
  const steps = Array.from({ length: 2 + Math.floor(rand() * 5) }, () => randomStep(rand));
  const ending = randomEnding(rand);
  return {
    shape,
    describe: `${shape.join('×')}: ${steps.map((s) => s.describe).join(' → ')} → ${ending.describe}`,
    run(Y, M) {
      const pool = [Y];
      for (const s of steps) pool.push(s.run(pool, M));
      return ending.run(pool[pool.length - 1], Y);
    },
  };
}
