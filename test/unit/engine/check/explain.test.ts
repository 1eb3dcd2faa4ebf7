// Tests of the explanations: each fit is triggered by a purpose-built wrong derivative, with its evidence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explain, nonPositiveHessianWarning, type ExplainInput } from '../../../../engine/check/explain';
import { compareEntries } from '../../../../engine/check/compare';
import { defaultTolerances } from '../../../../engine/types';
import { FoundingLoss } from '../../helpers/check-evaluators';

const L = FoundingLoss.random(7, 5, 4);
const Y = L.randomPoint(5);
const truthGrad = L.grad(Y);
const truthDiag = L.diag(Y);

/** explain() as the supplied checks call it: on the entries that failed the default supplied tolerance. */
function explainWrong(quantity: ExplainInput['quantity'], truth: Float64Array, supplied: Float64Array, extra: Partial<ExplainInput> = {}) {
  const shape = extra.shape ?? [7, 5];
  const failing = compareEntries(supplied, truth, { wrt: 'Y', shape }, defaultTolerances.supplied).failing;
  assert.ok(failing.length > 0, 'the purpose-built derivative must be wrong');
  return explain({ quantity, wrt: 'Y', shape, truth, supplied, failing, ...extra });
}

test('opposite sign', () => {
  const e = explainWrong('gradient', truthGrad, truthGrad.map((v) => -v));
  assert.match(e!.explanation, /^opposite sign/);
  assert.ok(Math.abs((e!.evidence.factor as number) + 1) < 1e-12);
});

test("2× the diagonal is named as XGBoost's softmax bound", () => {
  const e = explainWrong('hessian-diagonal', truthDiag, L.softmax(Y).map((p, i) => 2 * L.a[Math.floor(i / 5)] * p * (1 - p)));
  assert.match(e!.explanation, /2× the true diagonal — XGBoost's softmax 'hessian' 2p\(1−p\) is a documented upper bound/);
  assert.ok(Math.abs((e!.evidence.factor as number) - 2) < 1e-12);
});

test('half: a missing factor 2; any other constant factor is reported with its value', () => {
  assert.match(explainWrong('gradient', truthGrad, truthGrad.map((v) => v / 2))!.explanation, /missing factor 2/);
  const e = explainWrong('gradient', truthGrad, truthGrad.map((v) => v * 3.7));
  assert.match(e!.explanation, /constant factor: every entry is 3\.7× the true gradient/);
});

test('transposed: a 5×7 result holding the 7×5 gradient', () => {
  const t = new Float64Array(35);
  for (let i = 0; i < 7; i++) for (let j = 0; j < 5; j++) t[j * 7 + i] = truthGrad[i * 5 + j];
  assert.match(explainWrong('gradient', truthGrad, t)!.explanation, /^transposed/);
});

test("Hessian row sums (the story's pitfall) are recognised from one H·1, and said to vanish for softmax", () => {
  let calls = 0;
  const rowSums = () => (calls++, L.hvpAt(Y, new Float64Array(35).fill(1)));
  const e = explainWrong('hessian-diagonal', truthDiag, Float64Array.from(L.rowSumsAsWritten(Y).flat()), { rowSums });
  assert.match(e!.explanation, /these are the Hessian's row sums \(H·1\), not its diagonal: differentiating the gradient 'elementwise' sums each row/);
  assert.match(e!.explanation, /vanish/);
  assert.equal(calls, 1);
});

/** f = ½ xᵀAx with a dense symmetric A: H = A, diagonal A_ii, row sums A·1 far from zero. */
const A = [
  [4, 1, 0.5, 2],
  [1, 3, 1.5, 0.2],
  [0.5, 1.5, 5, 1],
  [2, 0.2, 1, 6],
];
const diagA = Float64Array.from(A.map((r, i) => r[i]));
const rowSumsA = Float64Array.from(A.map((r) => r.reduce((s, v) => s + v, 0)));

test('row sums of a Hessian that does not vanish are recognised too (no "vanish" claim)', () => {
  const e = explainWrong('hessian-diagonal', diagA, rowSumsA, { shape: [4], rowSums: () => rowSumsA });
  assert.match(e!.explanation, /row sums/);
  assert.doesNotMatch(e!.explanation, /vanish/);
});

test('diagonal right plus part of the off-diagonal mass', () => {
  const s = diagA.map((d, i) => d + 0.25 * (rowSumsA[i] - d));
  const e = explainWrong('hessian-diagonal', diagA, s, { shape: [4], rowSums: () => rowSumsA });
  assert.match(e!.explanation, /the diagonal is right but 0\.25× the off-diagonal row mass/);
  assert.ok(Math.abs((e!.evidence.alpha as number) - 0.25) < 1e-12);
});

test('the gradient with respect to another parameter', () => {
  // f(x, y) = Σ x_i² y_i: ∂f/∂x = 2 x∘y, ∂f/∂y = x∘x.
  const x = Float64Array.of(1.5, -2, 0.3, 4), y = Float64Array.of(0.2, 1, -3, 0.5);
  const e = explainWrong('gradient', x.map((v, i) => 2 * v * y[i]), x.map((v) => v * v), {
    shape: [4],
    wrt: 'x',
    otherGradients: () => [{ name: 'y', gradient: x.map((v) => v * v) }],
  });
  assert.equal(e!.explanation, 'this is the gradient with respect to y, not x');
});

test('only some entries wrong: whole rows, whole columns, or a list', () => {
  const rowWrong = truthGrad.map((v, i) => (Math.floor(i / 5) === 2 ? v + 1 : v));
  assert.match(explainWrong('gradient', truthGrad, rowWrong)!.explanation, /^only row 2 of Y is wrong \(every entry\)/);
  const colsWrong = truthGrad.map((v, i) => (i % 5 === 1 || i % 5 === 4 ? v * 1.5 + 0.1 : v));
  assert.match(explainWrong('gradient', truthGrad, colsWrong)!.explanation, /^only columns 1, 4 of Y are wrong/);
  const scattered = truthGrad.slice();
  scattered[3] += 1e-3;
  scattered[17] -= 0.2;
  assert.match(explainWrong('gradient', truthGrad, scattered)!.explanation, /only some entries are wrong \(2 of 35\): Y\[0\]\[3\], Y\[3\]\[2\]; the others match/);
});

test('no fit is claimed when every entry is wrong without a pattern', () => {
  const noise = truthGrad.map((v, i) => v + (0.1 + Math.abs(Math.sin(i * 12.9898))) * 0.3);
  assert.equal(explainWrong('gradient', truthGrad, noise), undefined);
});

test('an objective hessian with entries ≤ 0 warns that boosting clips or stops splitting', () => {
  assert.match(nonPositiveHessianWarning(Float64Array.of(0.2, 0, -1e-3, 0.5), 'Y', [2, 2])!, /2 of 4 hessian entries are ≤ 0 \(smallest -0\.001 at Y\[1\]\[0\]\): boosting clips or stops splitting/);
  assert.equal(nonPositiveHessianWarning(Float64Array.of(0.2, 1e-300), 'Y', [2]), undefined);
});

test('swapped and rotated entries of a matrix gradient are named; a correct gradient with the same entries is not', () => {
  const swapped = truthGrad.slice();
  [swapped[1], swapped[13]] = [truthGrad[13], truthGrad[1]];
  const e = explainWrong('gradient', truthGrad, swapped);
  assert.equal(e!.explanation, 'Y[0][1] and Y[2][3] are swapped: the values are right but in the wrong places');
  assert.equal(e!.evidence.exchanges, 1);
  const rotated = truthGrad.slice();
  [rotated[0], rotated[6], rotated[20]] = [truthGrad[6], truthGrad[20], truthGrad[0]];
  assert.match(explainWrong('gradient', truthGrad, rotated)!.explanation, /^Y\[0\]\[0\] ← Y\[1\]\[1\] ← Y\[4\]\[0\] ← Y\[0\]\[0\] are rotated/);
  // Near miss: the same swap with one value 1e-4 off is no permutation.
  swapped[13] += 1e-4;
  assert.doesNotMatch(explainWrong('gradient', truthGrad, swapped)!.explanation, /swapped/);
});

test('a sign flip that is also a swap is reported as the simpler fit, with the swap as the alternative', () => {
  // With a third entry right, no sign flip fits: only the swap does.
  const e = explainWrong('gradient', Float64Array.of(0.5, -0.5, 2), Float64Array.of(-0.5, 0.5, 2), { shape: [3], wrt: 'x' });
  assert.equal(e!.explanation, 'x[0] and x[1] are swapped: the values are right but in the wrong places');
  assert.equal(e!.alternatives, undefined);
  const both = explainWrong('gradient', Float64Array.of(0.5, -0.5), Float64Array.of(-0.5, 0.5), { shape: [2], wrt: 'x' });
  assert.match(both!.explanation, /^opposite sign/);
  assert.deepEqual(both!.alternatives, ['x[0] and x[1] are swapped: the values are right but in the wrong places']);
});

test('an additive constant: on every entry, per row, per column (Hessian diagonal of the founding loss)', () => {
  const damped = explainWrong('hessian-diagonal', truthDiag, truthDiag.map((v) => v + 0.1));
  assert.equal(damped!.explanation, 'every entry is 0.1 too large: a damping or regularisation constant added to the Hessian?');
  assert.ok(Math.abs((damped!.evidence.offset as number) - 0.1) < 1e-12);
  const perRow = explainWrong('hessian-diagonal', truthDiag, truthDiag.map((v, i) => v + 0.01 * (1 + Math.floor(i / 5))));
  assert.match(perRow!.explanation, /^each row is off by its own constant \(row 0: \+0\.01, row 1: \+0\.02, row 2: \+0\.03, row 3: \+0\.04, …\)/);
  const perColumn = explainWrong('gradient', truthGrad, truthGrad.map((v, i) => v - 0.2 * ((i % 5) + 1)));
  assert.match(perColumn!.explanation, /^each column is off by its own constant \(column 0: −0\.2, column 1: −0\.4/);
  // Near miss: a constant per row except one entry: no row-wise fit.
  const broken = truthDiag.map((v, i) => v + 0.01 * (1 + Math.floor(i / 5)) + (i === 7 ? 1e-3 : 0));
  assert.doesNotMatch(explainWrong('hessian-diagonal', truthDiag, broken)?.explanation ?? '', /own constant/);
});

test('sum versus mean: a factor N or 1/N with N the count it matches', () => {
  const others = { otherShapes: [{ name: 'T', shape: [7, 5] }, { name: 'batch', shape: [12, 3] }] };
  const rowsOfY = explainWrong('gradient', truthGrad, truthGrad.map((v) => 7 * v), others);
  assert.equal(rowsOfY!.explanation, 'a factor of N = 7 (the number of rows of Y): the gradient of the sum, but the loss is the mean');
  const batch = explainWrong('hessian-diagonal', truthDiag, truthDiag.map((v) => v / 12), others);
  assert.equal(batch!.explanation, 'a factor of 1/N with N = 12 (the number of rows of batch): the Hessian diagonal of the mean, but the loss is the sum');
  assert.equal(batch!.evidence.N, 12);
  // A factor 2 that is also the row count of a 2-row parameter keeps its name; the sum/mean reading is the alternative.
  const two = explainWrong('gradient', truthGrad, truthGrad.map((v) => 2 * v), { otherShapes: [{ name: 'pair', shape: [2, 9] }] });
  assert.match(two!.explanation, /^2× the true gradient/);
  assert.deepEqual(two!.alternatives, ['a factor of N = 2 (the number of rows of pair): the gradient of the sum, but the loss is the mean']);
  assert.match(explainWrong('gradient', truthGrad, truthGrad.map((v) => 7.01 * v), others)!.explanation, /^a constant factor: every entry is 7\.01×/);
});

/** f = ½ xᵀAx (line 3) + Σ cosh x_i (line 4) + 0.5 Σ x_i⁴ (line 5), with each line's derivatives. */
const x4 = Float64Array.of(0.3, -1.2, 0.7, 1.5);
const lines = [
  { line: 3, text: 'const quad = 0.5 * dot(x, A.mmul(x));', grad: x4.map((_, i) => A[i].reduce((s, a, j) => s + a * x4[j], 0)), diag: diagA },
  { line: 4, text: 'sum += Math.cosh(x[i]);', grad: x4.map(Math.sinh), diag: x4.map(Math.cosh) },
  { line: 5, text: 'sum += 0.5 * x[i] ** 4;', grad: x4.map((v) => 2 * v ** 3), diag: x4.map((v) => 6 * v * v) },
];
const total = (pick: (l: (typeof lines)[number]) => Float64Array) => x4.map((_, i) => lines.reduce((s, l) => s + pick(l)[i], 0));
const byLine = { contributions: () => ({ groups: lines.map((l) => ({ location: { file: '/v/loss.ts', line: l.line, column: 1 }, text: l.text, terms: 1, gradient: l.grad, hessianDiagonal: l.diag })) }) };

test('a missing term, two missing terms, and a near miss, fitted against the lines of a closed form', () => {
  const g = total((l) => l.grad), h = total((l) => l.diag);
  const opts = { shape: [4], wrt: 'x', ...byLine };
  const one = explainWrong('gradient', g, g.map((v, i) => v - lines[1].grad[i]), opts);
  assert.equal(one!.explanation, 'lacks the contribution of line 4 (`sum += Math.cosh(x[i]);`): supplied = engine − ∇(line 4)');
  assert.equal(one!.location!.line, 4);
  const two = explainWrong('hessian-diagonal', h, h.map((v, i) => v - lines[1].diag[i] + lines[2].diag[i]), opts);
  assert.equal(two!.explanation, 'lacks the contribution of line 4 (`sum += Math.cosh(x[i]);`) and has the contribution of line 5 (`sum += 0.5 * x[i] ** 4;`) twice: supplied = engine − diag ∇²(line 4) + diag ∇²(line 5)');
  assert.equal(two!.evidence.coefficients, '-1, 1');
  // 60 % of a term is no named mistake (−1 missing, −½ half, −¾ for N = 4 ...): no fit.
  assert.equal(explainWrong('gradient', g, g.map((v, i) => v - 0.6 * lines[1].grad[i]), opts), undefined);
});

test('a line split that was skipped is said when nothing else explains the numbers', () => {
  const noise = truthGrad.map((v, i) => v + (0.1 + Math.abs(Math.sin(i * 12.9898))) * 0.3);
  const e = explainWrong('gradient', truthGrad, noise, { contributions: () => ({ skipped: 'the terms come from 40 source lines, more than 32' }) });
  assert.equal(e!.explanation, 'no known mistake fits the numbers (no line-by-line fit: the terms come from 40 source lines, more than 32)');
});

test('values within fitting noise of the truth get no fit, only the list of entries', () => {
  const close = truthGrad.map((v, i) => (i === 4 ? v * (1 + 1e-7) : v));
  assert.match(explainWrong('gradient', truthGrad, close)!.explanation, /^only some entries are wrong \(1 of 35\)/);
});
