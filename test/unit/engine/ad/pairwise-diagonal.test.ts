// The exact Hessian diagonal of dense pairwise functions: closed forms of t-SNE and MDS stress, wide nodes taken by reverse sweeps, kinks and branches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createEvaluator, type ADEvaluator } from '../../../../engine/ad/differentiate';
import { bundleModule } from '../../../../engine/load/bundle';
import { functionNamed } from '../../../../engine/load/functions';
import { normalSampler } from '../../../../engine/load/inputs';
import { fnAlias } from '../../../../engine/sandbox/protocol';
import { loadBundle, prepareBundle } from '../../../../engine/sandbox/realm';
import { close, partial } from '../../helpers/ad-fd';

const fixtures = resolve(__dirname, '../../../test/fixtures/load/pairwise.ts');
const exact = { hessianDiagonal: 'exact' as const, estimateProbes: 2, seed: 1 };

/** The fixture's function as the worker loads it (rewritten, in the sandbox realm), differentiated in its first parameter. */
/** The t-SNE cost is the benchmark's own fixture: the function measured there is the one tested here. */
const tsneFile = resolve(__dirname, '../../../bench/fixtures/tsne.ts');

async function evaluatorOf(name: string, at: Record<string, unknown>): Promise<ADEvaluator> {
  const file = name === 'tsneCost' ? tsneFile : fixtures;
  const text = readFileSync(file, 'utf8');
  const info = functionNamed(text, file, name);
  const bundle = await bundleModule(file, text, { [fnAlias]: info.name });
  const fn = loadBundle(prepareBundle(bundle.code)).byMode(fnAlias)!;
  const params = info.params.map((p) => ({ name: p.name, kind: p.kind, value: at[p.name] }));
  return createEvaluator({ fn, name, params, wrtIndex: 0, options: exact });
}

function points(count: number, seed: number): number[][] {
  const sample = normalSampler(seed);
  return Array.from({ length: count }, () => [sample(), sample()]);
}

/** An asymmetric P (both orders of a pair enter on their own), summing to 1. */
function affinities(count: number, seed: number): number[][] {
  const sample = normalSampler(seed);
  const p = Array.from({ length: count }, (_, i) => Array.from({ length: count }, (_, j) => (i === j ? 0 : Math.exp(sample()))));
  const total = p.flat().reduce((s, v) => s + v, 0);
  return p.map((row) => row.map((v) => v / total));
}

/**
 * t-SNE's gradient and diagonal by hand. With δ = y_ac − y_jc and w = 1/(1 + ‖y_a − y_j‖²): Σ P log(1 + d²) has
 * ∂ = Σ_j (P_aj + P_ja)·2δw and ∂² = Σ_j (P_aj + P_ja)(2w − 4δ²w²); Z = Σ w has Z' = −4 Σ_j δw² and
 * Z'' = Σ_j (−4w² + 16δ²w³); log Z has Z'/Z and Z''/Z − (Z'/Z)².
 */
function tsneClosedForm(Y: number[][], P: number[][]): { gradient: number[]; diagonal: number[] } {
  const n = Y.length;
  const weight = (a: number, j: number) => 1 / (1 + (Y[a][0] - Y[j][0]) ** 2 + (Y[a][1] - Y[j][1]) ** 2);
  let Z = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) Z += weight(i, j);
  const gradient: number[] = [];
  const diagonal: number[] = [];
  for (let a = 0; a < n; a++) {
    for (let c = 0; c < 2; c++) {
      let g = 0, h = 0, z1 = 0, z2 = 0;
      for (let j = 0; j < n; j++) {
        if (j === a) continue;
        const w = weight(a, j);
        const d = Y[a][c] - Y[j][c];
        const p = P[a][j] + P[j][a];
        g += p * 2 * d * w;
        h += p * (2 * w - 4 * d * d * w * w);
        z1 += -4 * d * w * w;
        z2 += -4 * w * w + 16 * d * d * w * w * w;
      }
      gradient.push(g + z1 / Z);
      diagonal.push(h + z2 / Z - (z1 / Z) ** 2);
    }
  }
  return { gradient, diagonal };
}

/** Raw stress Σ_{i<j} (r − D)² with r = ‖y_i − y_j‖: ∂ = Σ_j 2(r − D)δ/r, ∂² = Σ_j 2[(δ/r)² + (r − D)(1/r − δ²/r³)]. */
function mdsClosedForm(Y: number[][], D: number[][]): { gradient: number[]; diagonal: number[] } {
  const gradient: number[] = [];
  const diagonal: number[] = [];
  for (let a = 0; a < Y.length; a++) {
    for (let c = 0; c < 2; c++) {
      let g = 0, h = 0;
      for (let j = 0; j < Y.length; j++) {
        if (j === a) continue;
        const r = Math.hypot(Y[a][0] - Y[j][0], Y[a][1] - Y[j][1]);
        const d = Y[a][c] - Y[j][c];
        const dist = D[Math.min(a, j)][Math.max(a, j)];
        g += (2 * (r - dist) * d) / r;
        h += 2 * ((d / r) ** 2 + (r - dist) * (1 / r - (d * d) / r ** 3));
      }
      gradient.push(g);
      diagonal.push(h);
    }
  }
  return { gradient, diagonal };
}

/** Relative disagreements beyond `rtol` (scaled by the largest entry: closed forms of sums lose digits to cancellation). */
function disagreements(actual: ArrayLike<number>, expected: number[], rtol: number, what: string): string[] {
  const scale = Math.max(...expected.map(Math.abs));
  return expected.map((v, k) => close(actual[k], v, rtol, rtol * scale, `${what}[${k}]`)).filter((p): p is string => p !== undefined);
}

/** The diagonal read off H·e_i (forward over reverse: no sparse gradients, no plan), entry by entry. */
function diagonalByProducts(ev: ADEvaluator): number[] {
  return Array.from({ length: ev.n }, (_, i) => {
    const e = new Float64Array(ev.n);
    e[i] = 1;
    return ev.hvp(e)[i];
  });
}

test('t-SNE cost: gradient and exact diagonal match the closed form to 1e-12; log Z takes the reverse-sweep path', async () => {
  const Y = points(40, 3);
  const P = affinities(40, 4);
  const ev = await evaluatorOf('tsneCost', { Y, P });
  const d = ev.derivatives();
  const cf = tsneClosedForm(Y, P);
  assert.deepEqual(disagreements(d.gradient, cf.gradient, 1e-12, 'gradient'), []);
  assert.deepEqual(disagreements(d.hessianDiagonal, cf.diagonal, 1e-12, 'diagonal'), []);
  assert.ok(ev.stats().diagonalRoots >= 1, 'Z, which sums every pair, is a root');
});

test('MDS stress: gradient and exact diagonal match the closed form; only pairwise curved nodes, so no root', async () => {
  const Y = points(30, 5);
  const sample = normalSampler(6);
  const D = Y.map(() => Y.map(() => 1 + Math.abs(sample())));
  const ev = await evaluatorOf('mdsStress', { Y, D });
  const d = ev.derivatives();
  const cf = mdsClosedForm(Y, D);
  assert.deepEqual(disagreements(d.gradient, cf.gradient, 1e-12, 'gradient'), []);
  assert.deepEqual(disagreements(d.hessianDiagonal, cf.diagonal, 1e-12, 'diagonal'), []);
  assert.equal(ev.stats().diagonalRoots, 0);
});

test('t-SNE: the diagonal sweep costs a constant number of entries per tape node as the points grow (merging Z forward would grow with N)', async () => {
  const perNode = [];
  for (const count of [60, 120]) {
    const ev = await evaluatorOf('tsneCost', { Y: points(count, 3), P: affinities(count, 4) });
    ev.derivatives();
    const { diagonalWork, tapeSize } = ev.stats();
    perNode.push(diagonalWork / tapeSize);
  }
  assert.ok(perNode[1] <= 1.1 * perNode[0], `entries per node at 60 and 120 points: ${perNode}`);
});

test('narrow terms, narrow × wide and wide × wide products in one function: the diagonal equals H·e_i and differences of the gradient', async () => {
  const sample = normalSampler(8);
  const x = Array.from({ length: 300 }, () => 0.1 * sample());
  const ev = await evaluatorOf('normalisedPairs', { x });
  const d = ev.derivatives();
  assert.ok(ev.stats().diagonalRoots >= 2, `roots: ${ev.stats().diagonalRoots}`);
  assert.deepEqual(disagreements(d.hessianDiagonal, diagonalByProducts(ev), 1e-12, 'diagonal vs H·e_i'), []);
  const fd = Array.from({ length: ev.n }, (_, i) => partial((y) => ev.gradientAt(y)[i], ev.x0, i, 1e-3));
  assert.deepEqual(disagreements(d.hessianDiagonal, fd, 1e-8, 'diagonal vs differences of the gradient'), []);
});

test('kinks and branches around wide nodes (|x|, a running Math.max, a branch on a sum, clipped pairs): exact on both sides of the branch', async () => {
  const sample = normalSampler(9);
  // Entries away from 0 and from ties, so every kink is left alone by the differences below.
  const x = Array.from({ length: 200 }, (_, i) => (0.2 + 0.001 * i + 0.5 * Math.abs(sample())) * (i % 3 === 0 ? -1 : 1));
  const total = x.reduce((s, v) => s + Math.abs(v), 0);
  for (const cap of [total / 2, 2 * total]) {
    const ev = await evaluatorOf('clippedSpread', { x, cap });
    const d = ev.derivatives();
    assert.deepEqual(d.kinks, []);
    assert.ok(ev.stats().diagonalRoots >= 1, `cap ${cap}: roots ${ev.stats().diagonalRoots}`);
    assert.deepEqual(disagreements(d.hessianDiagonal, diagonalByProducts(ev), 1e-12, `cap ${cap}: diagonal vs H·e_i`), []);
    const fd = Array.from({ length: ev.n }, (_, i) => partial((y) => ev.gradientAt(y)[i], ev.x0, i, 1e-4));
    assert.deepEqual(disagreements(d.hessianDiagonal, fd, 1e-7, `cap ${cap}: diagonal vs differences of the gradient`), []);
  }
});

test('every prefix sum feeding a curved node: the all-forward plan is cheaper than a reverse sweep per prefix, and is kept', async () => {
  const sample = normalSampler(10);
  const x = Array.from({ length: 200 }, () => sample());
  const ev = await evaluatorOf('prefixSums', { x });
  const d = ev.derivatives();
  assert.equal(ev.stats().diagonalRoots, 0);
  // ∂²/∂x_i² = Σ_{k ≥ i} 0.01·exp(0.1·z_k), z_k the prefix sums.
  const z = x.map((_, k) => x.slice(0, k + 1).reduce((s, v) => s + v, 0));
  const expected = x.map((_, i) => z.slice(i).reduce((s, zk) => s + 0.01 * Math.exp(0.1 * zk), 0));
  assert.deepEqual(disagreements(d.hessianDiagonal, expected, 1e-12, 'diagonal'), []);
});
