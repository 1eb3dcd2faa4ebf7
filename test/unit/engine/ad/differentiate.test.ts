// The evaluator: every derivative mode agrees, arguments of every kind, errors, and the founding loss.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEvaluator, type EvaluatorSpec } from '../../../../engine/ad/differentiate';
import { ADFloat64Array, createSandboxGlobals } from '../../../../engine/ad/js/globals';
import { runtime as __ad } from '../../../../engine/ad/runtime';
import { EngineError, type Nested } from '../../../../engine/types';
import { close, partial } from '../../helpers/ad-fd';
import { closedForm, oneHot, softmaxLoss } from '../../helpers/ad-founding';

const M = createSandboxGlobals().Math;
const exact = { hessianDiagonal: 'exact' as const, estimateProbes: 64, seed: 7 };

function evaluator(fn: (...args: never[]) => unknown, params: EvaluatorSpec['params'], extra: Partial<EvaluatorSpec> = {}) {
  return createEvaluator({ fn: fn as EvaluatorSpec['fn'], params, wrtIndex: 0, options: exact, ...extra });
}

function unitVector(n: number, i: number): Float64Array {
  const e = new Float64Array(n);
  e[i] = 1;
  return e;
}

/** f(x) = Σ_i sin(x_i) x_{i+1} + exp(x_0 x_2) / (1 + x_1²): a dense-ish Hessian with cross terms. */
function coupled(x: unknown[]): unknown {
  let s: unknown = 0;
  for (let i = 0; i + 1 < x.length; i++) s = __ad.add(s, __ad.mul(M.sin(x[i] as number), x[i + 1]));
  return __ad.add(s, __ad.div(M.exp(__ad.mul(x[0], x[2]) as number), __ad.add(1, __ad.mul(x[1], x[1]))));
}

test('gradient, exact diagonal, H·e_i and finite differences agree', () => {
  const ev = evaluator(coupled, [{ name: 'x', kind: 'vector', value: [0.3, -0.7, 1.1, 0.4] }]);
  const d = ev.derivatives();
  assert.equal(d.hessianDiagonalMethod, 'exact: second-order adjoints over the tape');
  assert.equal(d.passes, 2);
  const problems: (string | undefined)[] = [];
  for (let i = 0; i < ev.n; i++) {
    const column = ev.hvp(unitVector(ev.n, i));
    problems.push(close(d.hessianDiagonal[i], column[i], 1e-14, 1e-15, `diag[${i}] vs H·e_${i}`));
    problems.push(close(d.gradient[i], partial((x) => ev.f(x), ev.x0, i, 1e-3), 1e-9, 1e-10, `grad[${i}] vs FD`));
    problems.push(close(d.hessianDiagonal[i], partial((x) => ev.gradientAt(x)[i], ev.x0, i, 1e-3), 1e-9, 1e-10, `diag[${i}] vs FD of gradient`));
    // Off-diagonal columns too: H is symmetric, and (H e_i)_j is ∂g_j/∂x_i.
    for (let j = 0; j < ev.n; j++) problems.push(close(column[j], partial((x) => ev.gradientAt(x)[j], ev.x0, i, 1e-3), 1e-8, 1e-10, `H[${j},${i}]`));
  }
  assert.deepEqual(problems.filter(Boolean), []);
});

test('the estimate is labelled, seeded, and within its standard error of the exact diagonal', () => {
  const params = [{ name: 'x', kind: 'vector' as const, value: [0.3, -0.7, 1.1, 0.4] }];
  const exactDiag = evaluator(coupled, params).derivatives().hessianDiagonal;
  const options = { hessianDiagonal: 'estimate' as const, estimateProbes: 400, seed: 3 };
  const d = evaluator(coupled, params, { options }).derivatives();
  assert.equal(d.hessianDiagonalMethod, 'estimate: Hutchinson/Bekas');
  assert.equal(d.passes, 400);
  d.hessianDiagonal.forEach((v, i) => assert.ok(Math.abs(v - exactDiag[i]) <= 4 * d.hessianDiagonalStdError![i] + 1e-12, `entry ${i}: ${v} vs ${exactDiag[i]} ± ${d.hessianDiagonalStdError![i]}`));
  assert.deepEqual(evaluator(coupled, params, { options }).derivatives().hessianDiagonal, d.hessianDiagonal);
  // A diagonal Hessian is recovered exactly by any Rademacher probe (v_i² = 1), with zero spread.
  const separable = evaluator((x: unknown[]) => __ad.add(M.exp(x[0] as number), M.sin(x[1] as number)), [{ name: 'x', kind: 'vector', value: [0.5, 1] }], { options });
  const s = separable.derivatives();
  // (400 equal samples summed: rounding of order 400·ε.)
  assert.deepEqual([close(s.hessianDiagonal[0], Math.exp(0.5), 1e-13, 0, 'exp'), close(s.hessianDiagonal[1], -Math.sin(1), 1e-13, 0, 'sin')], [undefined, undefined]);
  assert.ok(s.hessianDiagonalStdError!.every((e) => e < 1e-9), `${s.hessianDiagonalStdError}`);
});

test('every argument kind: number, vector, nested array, Float64Array, unknown; fresh arguments on each call', () => {
  const sumSquares = (x: unknown) => {
    const flat: unknown[] = __ad.typeOf(x) === 'object' ? (Array.isArray(x) && Array.isArray(x[0]) ? x.flat() : [...(x as unknown[])]) : [x];
    let s: unknown = 0;
    for (const v of flat) s = __ad.add(s, __ad.mul(v, v));
    // Mutating the input must not leak into the next call.
    if (Array.isArray(x)) x[0] = 100;
    return s;
  };
  const cases: [EvaluatorSpec['params'][0]['kind'], Nested, number[]][] = [
    ['number', 3, []],
    ['vector', [1, 2], [2]],
    ['matrix-array', [[1, 2, 3], [4, 5, 6]], [2, 3]],
    ['float64array', [1, -2], [2]],
    ['unknown', [[1], [2]], [2, 1]],
  ];
  for (const [kind, value, shape] of cases) {
    const ev = evaluator(sumSquares, [{ name: 'x', kind, value }]);
    assert.deepEqual(ev.shape, shape, kind);
    const flat = [value].flat(2) as number[];
    for (let k = 0; k < 2; k++) {
      const d = ev.derivatives();
      assert.equal(d.value, flat.reduce((s, v) => s + v * v, 0), kind);
      assert.deepEqual([...d.gradient], flat.map((v) => 2 * v), kind);
      assert.deepEqual([...d.hessianDiagonal], flat.map(() => 2), kind);
      assert.equal(ev.f(ev.x0), d.value);
    }
  }
  let seen: unknown;
  evaluator((x: unknown) => (seen = x, 1), [{ name: 'x', kind: 'float64array', value: [1, 2] }]).derivatives();
  assert.ok(seen instanceof ADFloat64Array);
});

test('matrix arguments go through makeMatrix with node ids, -1 when passive', () => {
  const made: { rows: number; cols: number; ids: number[] }[] = [];
  const makeMatrix = (rows: number, cols: number, values: Float64Array, ids: Int32Array) => {
    made.push({ rows, cols, ids: [...ids] });
    return { rows, columns: cols, __values: values, __ids: ids };
  };
  const ev = evaluator((m: { __values: Float64Array; __ids: Int32Array }) => m, [{ name: 'A', kind: 'matrix', value: [[4]] }], { makeMatrix });
  assert.equal(ev.derivatives().gradient[0], 1);
  assert.equal(ev.f(ev.x0), 4);
  assert.deepEqual(made, [{ rows: 1, cols: 1, ids: [0] }, { rows: 1, cols: 1, ids: [-1] }]);
});

test('results: one-entry arrays and matrices are scalars; anything else is a bad-return naming the function', () => {
  const params = [{ name: 'x', kind: 'number' as const, value: 2 }];
  assert.equal(evaluator((x: unknown) => [[__ad.mul(x, 3)]], params).derivatives().gradient[0], 3);
  assert.equal(evaluator((x: unknown) => ({ rows: 1, columns: 1, to1DArray: () => [__ad.mul(x, x)] }), params).derivatives().gradient[0], 4);
  const bad = (result: unknown, what: RegExp) =>
    assert.throws(() => createEvaluator({ fn: () => result, name: 'softmaxLoss', params, wrtIndex: 0, options: exact }).derivatives(), (e) => e instanceof EngineError && e.info.kind === 'bad-return' && what.test(e.message));
  bad([1, 2, 3], /^softmaxLoss returned an array of 3 entries — expected a number$/);
  bad('1', /returned the string "1"/);
  bad(undefined, /returned undefined/);
  bad({ rows: 2, columns: 3 }, /returned a 2×3 matrix/);
});

test('a non-finite value is an error naming the function and the point', () => {
  const ev = createEvaluator({ fn: (x) => M.log(x as number), name: 'logLoss', params: [{ name: 'x', kind: 'vector', value: [-1] }], wrtIndex: 0, options: exact });
  assert.throws(() => ev.derivatives(), (e) => e instanceof EngineError && e.info.kind === 'non-finite' && /logLoss returned NaN at x \(1, entries in \[-1\.000, -1\.000\]\)/.test(e.message));
});

test('a non-finite value names the first operation that produced it and its operands', () => {
  // log(x0 − 1) + x1: at x = [1, 3] the subtraction gives 0 (finite), the log −Infinity, the sum −Infinity.
  const ev = createEvaluator({ fn: (x) => __ad.add(M.log(__ad.sub((x as unknown[])[0], 1) as number), (x as unknown[])[1]), name: 'f', params: [{ name: 'x', kind: 'vector', value: [1, 3] }], wrtIndex: 0, options: exact });
  assert.throws(() => ev.derivatives(), (e) => e instanceof EngineError && e.info.kind === 'non-finite' && /f returned -Infinity at .*; the first non-finite value: Math\.log gave -Infinity from 0$/.test(e.message));
});

test('a function that does not depend on its wrt input has zero derivatives', () => {
  const ev = evaluator((_x: unknown, c: number) => c * 2, [{ name: 'x', kind: 'vector', value: [1, 2] }, { name: 'c', kind: 'number', value: 3 }]);
  const d = ev.derivatives();
  assert.deepEqual([d.value, [...d.gradient], [...d.hessianDiagonal], [...ev.hvp(Float64Array.of(1, 1))]], [6, [0, 0], [0, 0], [0, 0]]);
});

test('gradientWrt another parameter; undefined for labels used as integers', () => {
  const f = (x: unknown[], w: unknown[], k: number) => __ad.mul(__ad.mul(x[0], w[1]), __ad.bit('|', k, 0));
  const ev = evaluator(f, [{ name: 'x', kind: 'vector', value: [2, 5] }, { name: 'w', kind: 'vector', value: [3, 7] }, { name: 'k', kind: 'number', value: 1 }]);
  assert.deepEqual([...ev.gradientWrt('w')!], [0, 2]);
  assert.deepEqual([...ev.gradientWrt('x')!], [7, 0]);
  assert.equal(ev.gradientWrt('k'), undefined);
  assert.equal(ev.gradientWrt('nope'), undefined);
  assert.deepEqual(ev.otherParams, [{ name: 'w', shape: [2] }, { name: 'k', shape: [] }]);
  // The tape held another recording: modes at x0 record again.
  assert.deepEqual([...ev.hvp(Float64Array.of(1, 0))], [0, 0]);
  assert.deepEqual([...ev.derivatives().gradient], [7, 0]);
});

test('kinks name the wrt entries they depend on; piecewise-constant operations leave a note', () => {
  const f = ([x]: unknown[][]) => __ad.add(M.abs(__ad.sub(x[0], x[1]) as number), M.floor(x[2] as number));
  const d = evaluator(f, [{ name: 'x', kind: 'matrix-array', value: [[1, 1, 0.5], [2, 3, 4]] }]).derivatives();
  assert.deepEqual(d.kinks.map((k) => [k.op, k.detail, k.entries]), [['Math.abs', 'Math.abs at 0', [[0, 0], [0, 1]]]]);
  assert.deepEqual(d.notes, ['Math.floor on an active value: derivative taken as 0 (piecewise constant)']);
});

// ── the founding loss (README "Why") ──

const foundingParams = (Y: number[][], T: number[][], w: number[]): EvaluatorSpec['params'] => [
  { name: 'Y', kind: 'matrix-array', value: Y },
  { name: 'T', kind: 'matrix-array', value: T },
  { name: 'w', kind: 'vector', value: w },
];

test('founding loss at Y = T (7×5): the figures of the issue', () => {
  const T = oneHot([0, 1, 3, 2, 4, 4, 4], 5);
  const d = evaluator(softmaxLoss as never, foundingParams(T, T, [1, 1, 1, 1, 1])).derivatives();
  const hot = [0, 1, 3, 2, 4, 4, 4];
  const problems: (string | undefined)[] = [];
  hot.forEach((h, i) => {
    for (let k = 0; k < 5; k++) {
      const expected = i < 4 ? (k === h ? 0.24090069 : 0.12669198) : k === 4 ? 0.08030023 : 0.04223066;
      problems.push(close(d.hessianDiagonal[i * 5 + k], expected, 0, 1e-8, `H[${i},${k}]`));
    }
  });
  assert.deepEqual(problems.filter(Boolean), []);
});

test('founding loss at a random 50×5 point: closed forms to 1e-10 relative', () => {
  let seed = 12345;
  const random = () => ((seed = (seed * 16807) % 2147483647), seed / 2147483647);
  const hot = Array.from({ length: 50 }, () => Math.floor(random() * 5));
  const T = oneHot(hot, 5);
  const Y = T.map((row) => row.map(() => 4 * random() - 2));
  const w = [1, 0.5, 2, 1.5, 0.8];
  const d = evaluator(softmaxLoss as never, foundingParams(Y, T, w)).derivatives();
  const cf = closedForm(Y, T, w);
  const problems: (string | undefined)[] = [];
  cf.diagonal.forEach((v, k) => problems.push(close(d.hessianDiagonal[k], v, 1e-10, 0, `diag[${k}]`)));
  cf.gradient.forEach((v, k) => problems.push(close(d.gradient[k], v, 1e-10, 1e-15, `grad[${k}]`)));
  assert.deepEqual(problems.filter(Boolean), []);
});

test('the diagonal sweep follows the structure: work per row is constant as n grows; a linear sum stays sparse', () => {
  const workPerRow = [7, 70, 700].map((n) => {
    const T = oneHot(Array.from({ length: n }, (_v, i) => i % 5), 5);
    const Y = T.map((row, i) => row.map((_t, k) => Math.sin(3 * i + k)));
    const ev = evaluator(softmaxLoss as never, foundingParams(Y, T, [1, 1, 1, 1, 1]));
    ev.derivatives();
    return ev.stats().diagonalWork / n;
  });
  assert.equal(new Set(workPerRow).size, 1, `work per row: ${workPerRow}`);
  // Σ_i exp(x_i): each exp needs only e_i; the running sum is linear and never consumed non-linearly.
  const sumExp = (x: unknown[]) => x.reduce((s: unknown, v) => __ad.add(s, M.exp(v as number)), 0);
  const work = [10, 1000].map((n) => {
    const ev = evaluator(sumExp, [{ name: 'x', kind: 'vector', value: Array.from({ length: n }, (_v, i) => i / n) }]);
    const d = ev.derivatives();
    d.hessianDiagonal.forEach((h, i) => assert.equal(h, Math.exp(i / n)));
    return ev.stats().diagonalWork / n;
  });
  assert.deepEqual(work, [1, 1]);
});
