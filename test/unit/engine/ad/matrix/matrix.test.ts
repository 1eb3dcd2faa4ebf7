// The ml-matrix stand-in: same results as the real ml-matrix on constant matrices, exact derivatives on active ones, no per-entry objects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as real from 'ml-matrix';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { withTape } from '../../../../../engine/ad/context';
import { createSandboxGlobals } from '../../../../../engine/ad/js/globals';
import { createEvaluator, type EvaluatorSpec } from '../../../../../engine/ad/differentiate';
import { makeMatrix, Matrix, mlMatrixModule } from '../../../../../engine/ad/matrix/module';
import { binary, unary, type Scalar } from '../../../../../engine/ad/ops';
import { VARIABLE } from '../../../../../engine/ad/primitives';
import { runtime } from '../../../../../engine/ad/runtime';
import { Tape } from '../../../../../engine/ad/tape';
import { EngineError } from '../../../../../engine/types';
import { closedForm, oneHot } from '../../../helpers/ad-founding';
import { semanticsCases } from '../../../helpers/matrix-cases';
import { randomProgram, seededRandom } from '../../../helpers/matrix-programs';

/** A comparable picture of a result: matrices by shape and entries, thrown errors by class and message. */
function snapshot(x: unknown): unknown {
  if (typeof x === 'function') {
    try {
      return { returned: snapshot(x()) };
    } catch (e) {
      return { threw: `${(e as Error).name}: ${(e as Error).message}` };
    }
  }
  if (x != null && (x as { klass?: string }).klass === 'Matrix') {
    const m = x as { rows: number; columns: number; to2DArray(): unknown[][] };
    return { rows: m.rows, columns: m.columns, entries: m.to2DArray() };
  }
  if (Array.isArray(x)) return x.map(snapshot);
  if (x !== null && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, snapshot(v)]));
  return x;
}

for (const [name, run] of semanticsCases) {
  test(`same results as ml-matrix: ${name}`, () => {
    assert.deepEqual(snapshot(run(Matrix)), snapshot(run(real.Matrix)));
  });
}

test('the module has what ml-matrix exports under the same names', () => {
  assert.equal(mlMatrixModule.default, Matrix);
  assert.equal(mlMatrixModule.Matrix, Matrix);
  // The loader serves the module as CommonJS: like ml-matrix's own entry, it flags itself so `import Matrix from` gets `default`.
  assert.equal(mlMatrixModule.__esModule, true);
  for (const name of Object.keys(real)) assert.ok(name in mlMatrixModule, `missing export ${name}`);
  const inv = (mlMatrixModule.inverse as (m: unknown) => Matrix)(new Matrix([[2, 1], [1, 3]]));
  assert.deepEqual(inv.to2DArray(), real.inverse(new real.Matrix([[2, 1], [1, 3]])).to2DArray());
});

test('refused features throw an unsupported EngineError that names them', () => {
  const expectUnsupported = (fn: () => unknown, name: RegExp) =>
    assert.throws(fn, (e: unknown) => e instanceof EngineError && e.info.kind === 'unsupported' && name.test(e.message));
  expectUnsupported(() => Matrix.rand(), /Matrix\.rand/);
  expectUnsupported(() => (Matrix as unknown as { random(): unknown }).random(), /Matrix\.rand/);
  expectUnsupported(() => new (mlMatrixModule.SVD as new (m: unknown) => unknown)(new Matrix(2, 2)), /SVD/);
  expectUnsupported(() => new Matrix(2, 2).data, /Matrix\.data/);
});

// ---- derivatives ----

type Program = (Y: Matrix, ...rest: never[]) => Scalar;

function evaluatorFor(fn: Program, Y: number[][], rest: EvaluatorSpec['params'] = []) {
  return createEvaluator({
    fn: fn as (...args: unknown[]) => unknown,
    params: [{ name: 'Y', kind: 'matrix', value: Y }, ...rest],
    wrtIndex: 0,
    options: { hessianDiagonal: 'exact', estimateProbes: 16, seed: 1 },
    makeMatrix,
  });
}

/** Central difference of g along coordinate k with Richardson extrapolation: error O(h⁴). */
function centralRichardson(g: (x: Float64Array) => number, x0: Float64Array, k: number): number {
  const h = 1e-3 * Math.max(1, Math.abs(x0[k]));
  const d = (step: number) => {
    const xp = x0.slice();
    const xm = x0.slice();
    xp[k] += step;
    xm[k] -= step;
    return (g(xp) - g(xm)) / (2 * step);
  };
  return (4 * d(h / 2) - d(h)) / 3;
}

/** The gradient from differences of f, the Hessian diagonal from differences of the engine's gradient. */
function finiteDifferences(ev: ReturnType<typeof evaluatorFor>): { gradient: Float64Array; diagonal: Float64Array } {
  const gradient = new Float64Array(ev.n);
  const diagonal = new Float64Array(ev.n);
  for (let k = 0; k < ev.n; k++) {
    gradient[k] = centralRichardson((x) => ev.f(x), ev.x0, k);
    diagonal[k] = centralRichardson((x) => ev.gradientAt(x)[k], ev.x0, k);
  }
  return { gradient, diagonal };
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, atol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let k = 0; k < expected.length; k++) {
    const bound = atol + rtol * Math.abs(expected[k]);
    assert.ok(Math.abs(actual[k] - expected[k]) <= bound, `${what}[${k}]: ${actual[k]} vs ${expected[k]} (bound ${bound})`);
  }
}

const __ad = runtime;
const { Math: ADMath } = createSandboxGlobals();

/** examples/founding-loss-matrix.ts's body, with its operators as the rewriter emits them (__ad calls, the sandbox Math). */
function softmaxLossMatrix(Y: Matrix, T: Matrix, w: number[]): Scalar {
  const counts = T.sum('column') as Scalar[];
  const E = Matrix.exp(Y) as Matrix;
  const rowSums = E.sum('row') as Scalar[];
  let loss: unknown = 0;
  for (let i = 0; i < Y.rows; i++) {
    for (let k = 0; k < Y.columns; k++) {
      const t = T.get(i, k);
      if (__ad.neq(t, 0)) loss = __ad.sub(loss, __ad.mul(__ad.div(__ad.mul(w[k], t), counts[k]), ADMath.log(__ad.div(E.get(i, k), rowSums[i]) as number)));
    }
  }
  return loss as Scalar;
}

/** The same function on the real ml-matrix with plain operators: the baseline a user would run. */
function softmaxLossPlain(Y: real.Matrix, T: real.Matrix, w: number[]): number {
  const counts = T.sum('column');
  const E = real.Matrix.exp(Y);
  const rowSums = E.sum('row');
  let loss = 0;
  for (let i = 0; i < Y.rows; i++) {
    for (let k = 0; k < Y.columns; k++) {
      const t = T.get(i, k);
      if (t !== 0) loss -= ((w[k] * t) / counts[k]) * Math.log(E.get(i, k) / rowSums[i]);
    }
  }
  return loss;
}

function foundingEvaluator(Y: number[][], T: number[][], w: number[]) {
  return evaluatorFor(softmaxLossMatrix as Program, Y, [
    { name: 'T', kind: 'matrix', value: T },
    { name: 'w', kind: 'vector', value: w },
  ]);
}

const hot = [0, 1, 3, 2, 4, 4, 4];

test('founding loss in ml-matrix form, Y = T (7×5): the figures of the story', () => {
  const T = oneHot(hot, 5);
  const d = foundingEvaluator(T, T, [1, 1, 1, 1, 1]).derivatives();
  for (let i = 0; i < 7; i++) {
    for (let j = 0; j < 5; j++) {
      const expected = i < 4 ? (j === hot[i] ? 0.24090069 : 0.12669198) : j === 4 ? 0.08030023 : 0.04223066;
      assert.ok(Math.abs(d.hessianDiagonal[i * 5 + j] - expected) <= 1e-8, `(${i}, ${j}): ${d.hessianDiagonal[i * 5 + j]} vs ${expected}`);
    }
  }
  const closed = closedForm(T, T, [1, 1, 1, 1, 1]);
  assertClose(d.gradient, closed.gradient, 1e-10, 1e-15, 'gradient');
});

test('founding loss in ml-matrix form at a random 50×5 point: the closed form to 1e-10', () => {
  const rand = seededRandom(7);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const Y = Array.from({ length: 50 }, () => Array.from({ length: 5 }, normal));
  const T = oneHot(Array.from({ length: 50 }, (_, i) => (i < 5 ? i : Math.floor(rand() * 5))), 5);
  const w = Array.from({ length: 5 }, () => 0.5 + rand());
  const ev = foundingEvaluator(Y, T, w);
  const d = ev.derivatives();
  const closed = closedForm(Y, T, w);
  assertClose(d.hessianDiagonal, closed.diagonal, 1e-10, 0, 'diagonal');
  assertClose(d.gradient, closed.gradient, 1e-10, 1e-14, 'gradient');
  assert.equal(d.value, softmaxLossPlain(new real.Matrix(Y), new real.Matrix(T), w));
});

test('derivatives of each matrix operation against closed forms', () => {
  const Y0 = [
    [0.3, -1.2, 0.7],
    [1.1, 0.4, -0.5],
  ];
  const flat = Y0.flat();
  // Σ exp(Y): ∂ = exp(y), ∂² = exp(y)
  let d = evaluatorFor((Y) => (Matrix.exp(Y) as Matrix).sum() as Scalar, Y0).derivatives();
  assertClose(d.gradient, flat.map(Math.exp), 1e-14, 0, 'sum exp: gradient');
  assertClose(d.hessianDiagonal, flat.map(Math.exp), 1e-14, 0, 'sum exp: diagonal');
  // ‖Y‖_F: ∂ = y/‖Y‖, ∂² = (‖Y‖² − y²)/‖Y‖³
  const r = Math.hypot(...flat);
  d = evaluatorFor((Y) => Y.norm(), Y0).derivatives();
  assertClose(d.gradient, flat.map((y) => y / r), 1e-14, 0, 'norm: gradient');
  assertClose(d.hessianDiagonal, flat.map((y) => (r * r - y * y) / r ** 3), 1e-13, 0, 'norm: diagonal');
  // tr(Y Yᵀ Y Yᵀ) = ‖Y Yᵀ‖_F²: ∂²/∂Y_ij² = 4 (Y Yᵀ)_ii + 4 Σ_k Y_kj² + 4 Y_ij²
  d = evaluatorFor((Y) => { const G = Y.mmul(Y.transpose()); return G.mmul(G).trace(); }, Y0).derivatives();
  const rowSq = Y0.map((row) => row.reduce((s, y) => s + y * y, 0));
  const colSq = Y0[0].map((_, j) => Y0.reduce((s, row) => s + row[j] ** 2, 0));
  assertClose(d.hessianDiagonal, flat.map((y, k) => 4 * rowSq[Math.floor(k / 3)] + 4 * colSq[k % 3] + 4 * y * y), 1e-13, 0, 'trace (YYᵀ)²: diagonal');
  // mean of Y∘Y / (Y∘Y + 1), in place: f = Σ q/(q+1)/6 with q = y²: ∂² = (2 − 6y²)/(1 + y²)³/6
  d = evaluatorFor((Y) => { const Q = Y.clone().mul(Y); return Q.div(Matrix.add(Q, 1)).mean() as Scalar; }, Y0).derivatives();
  assertClose(d.hessianDiagonal, flat.map((y) => (2 - 6 * y * y) / (1 + y * y) ** 3 / 6), 1e-13, 0, 'mean y²/(y²+1): diagonal');
  // row-vector broadcast and get/set: f = Σ_j (Y_0j − mean_i Y_ij)² − Y_00·Y_11: ∂²/∂Y_0j² = 2·(1/2)², ∂²/∂Y_1j² = 2·(1/2)²
  d = evaluatorFor((Y) => {
    const C = Y.clone().subRowVector(Y.mean('column') as Scalar[]);
    return binary('sub', C.getRowVector(0).dot(C.getRowVector(0)), binary('mul', Y.get(0, 0), Y.get(1, 1)));
  }, Y0).derivatives();
  assertClose(d.hessianDiagonal, [0.5, 0.5, 0.5, 0.5, 0.5, 0.5], 1e-14, 0, 'centred row: diagonal');
  // unbiased variance of all N = 6 entries: ∂ = 2 (y − ȳ)/(N − 1), ∂² = 2 (1 − 1/N)/(N − 1) = 2/N
  const mean = flat.reduce((s, y) => s + y, 0) / 6;
  d = evaluatorFor((Y) => Y.variance() as Scalar, Y0).derivatives();
  assertClose(d.gradient, flat.map((y) => (2 * (y - mean)) / 5), 1e-13, 1e-15, 'variance: gradient');
  assertClose(d.hessianDiagonal, flat.map(() => 2 / 6), 1e-13, 0, 'variance: diagonal');
  // max selects an entry: the gradient is the indicator of the largest, the diagonal of e^max is e^max there
  d = evaluatorFor((Y) => unary('exp', Y.max() as Scalar), Y0).derivatives();
  const top = flat.indexOf(Math.max(...flat));
  assertClose(d.gradient, flat.map((y, k) => (k === top ? Math.exp(y) : 0)), 1e-14, 0, 'exp(max): gradient');
  assertClose(d.hessianDiagonal, flat.map((y, k) => (k === top ? Math.exp(y) : 0)), 1e-14, 0, 'exp(max): diagonal');
});

test(`seeded random matrix programs: gradient and diagonal against finite differences`, () => {
  const count = 240;
  for (let seed = 1; seed <= count; seed++) {
    const program = randomProgram(seed);
    const [rows, cols] = program.shape;
    const rand = seededRandom(1000 + seed);
    const Y0 = Array.from({ length: rows }, () => Array.from({ length: cols }, () => Math.round((rand() * 2 - 1) * 1e4) / 1e4));
    const ev = evaluatorFor((Y) => program.run(Y, Matrix), Y0);
    const d = ev.derivatives();
    const fd = finiteDifferences(ev);
    const where = `seed ${seed} (${program.describe})`;
    assertClose(d.gradient, fd.gradient, 1e-6, 1e-7, `${where}: gradient`);
    assertClose(d.hessianDiagonal, fd.diagonal, 1e-6, 1e-7, `${where}: diagonal`);
  }
});

test('elementwise ops on a 7000×5 active matrix keep no per-entry objects', () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const n = 7000 * 5;
  const tape = new Tape(1 << 20);
  const ids = new Int32Array(n);
  const values = new Float64Array(n);
  for (let k = 0; k < n; k++) ids[k] = tape.variable((values[k] = Math.sin(k)), VARIABLE);
  const Y = makeMatrix(7000, 5, values, ids);
  const column = Array.from({ length: 7000 }, (_, i) => 1 + i / 7000);
  /**
   * JS heap still in use after a collection, with the op's result alive: what its storage costs. (Entries live in
   * typed arrays, outside the JS heap; the transient boxing of doubles between calls is garbage and not counted.)
   */
  const retained = (op: () => unknown) => {
    gc();
    const before = process.memoryUsage().heapUsed;
    const kept = op();
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    assert.ok(kept !== undefined);
    return grown;
  };
  withTape(tape, () => {
    const E = Matrix.exp(Y);
    const ops: [string, () => unknown][] = [
      ['Matrix.exp', () => Matrix.exp(Y)],
      ['add scalar', () => E.add(1)],
      ['mul matrix', () => E.mul(Y)],
      ['div matrix', () => E.div(Y)],
      ['pow', () => E.pow(2)],
      ['sqrt', () => E.sqrt()],
      ['mulColumnVector', () => E.mulColumnVector(column)],
      ['subRowVector', () => E.subRowVector([1, 2, 3, 4, 5])],
      ['transpose', () => E.transpose()],
      ['clone', () => E.clone()],
    ];
    for (const [name, op] of ops) {
      // Warmed up, so that compiled code (which lives on the heap too) is not counted.
      for (let r = 0; r < 3; r++) op();
      const grown = retained(op);
      // Even one boxed number per entry would keep 16 bytes × 35,000 = 560 KB.
      assert.ok(grown < 200 * 1024, `${name}: ${grown} bytes of heap kept for ${n} entries`);
    }
    // The measurement does see per-entry objects: an array of one ADNum per entry keeps more than 20 bytes each.
    assert.ok(retained(() => E.to1DArray()) > 20 * n);
  });
});

test('a max with a tie between active entries is reported as a kink; passive-only features refuse active entries', () => {
  const d = evaluatorFor((Y) => Y.max() as Scalar, [[2, 1], [2, 0]]).derivatives();
  assert.deepEqual(d.gradient, Float64Array.from([1, 0, 0, 0]));
  assert.ok(d.kinks.some((k) => k.op === 'Matrix.max' && k.entries.some((e) => e[0] === 0 && e[1] === 0)), JSON.stringify(d.kinks));
  const refused = evaluatorFor((Y) => (Y.clone() as unknown as { echelonForm(): Matrix }).echelonForm().sum() as Scalar, [[2, 1], [1, 3]]);
  assert.throws(() => refused.derivatives(), (e: unknown) => e instanceof EngineError && e.info.kind === 'unsupported' && /echelonForm/.test(e.message));
  // The same call on constant entries runs on the real library.
  assert.equal(refused.f(refused.x0), new real.Matrix([[2, 1], [1, 3]]).echelonForm().sum());
});
