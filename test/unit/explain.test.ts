// Tests of the explanations: each fit is triggered by a purpose-built wrong derivative, with its evidence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explain, nonPositiveHessianWarning, type ExplainInput } from '../../engine/check/explain';
import { compareEntries } from '../../engine/check/compare';
import { defaultTolerances } from '../../engine/types';
import { FoundingLoss } from './helpers/check-evaluators';

const L = FoundingLoss.random(7, 5, 4);
const Y = L.randomPoint(5);
const truthGrad = L.grad(Y);
const truthDiag = L.diag(Y);

/** explain() as the supplied checks call it: on the entries that failed the default supplied tolerance. */
function explainWrong(quantity: ExplainInput['quantity'], truth: Float64Array, supplied: Float64Array, extra: Partial<ExplainInput> = {}) {
  const shape = extra.shape ?? [7, 5];
  const failing = compareEntries(supplied, truth, shape, defaultTolerances.supplied).failing;
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
