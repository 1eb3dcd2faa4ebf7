// Tests of the finite-difference references: accuracy and honest error estimates across scales, kinks, adaptivity, sweeps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  adaptive,
  coordinateLine,
  diagonalByGradientDifferences,
  diagonalBySecondDifferences,
  directionalDerivative,
  firstDerivative,
  firstStep,
  gradientByDifferences,
  measuredNoiseFloor,
  sweepSteps,
} from '../../../../engine/check/fd';
import { FD_SAFETY } from '../../../../engine/check/compare';
import { diagonalByGroupedGradientDifferences, probeGroups } from '../../../../engine/check/fd-grouped';
import { seededUniform } from '../../../../engine/random';
import { defaultTolerances } from '../../../../engine/types';
import { FoundingLoss } from '../../helpers/check-evaluators';

const tol = defaultTolerances.fd;
const all = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

/** Separable test functions f(x) = c·Σ φ(x_i) with φ', φ'' in closed form. */
const families = [
  { name: '1e6·Σ log x', c: 1e6, phi: Math.log, d1: (x: number) => 1 / x, d2: (x: number) => -1 / (x * x) },
  { name: 'Σ exp(x/100)', c: 1, phi: (x: number) => Math.exp(x / 100), d1: (x: number) => Math.exp(x / 100) / 100, d2: (x: number) => Math.exp(x / 100) / 1e4 },
  { name: '1e3·Σ sin x', c: 1e3, phi: Math.sin, d1: Math.cos, d2: (x: number) => -Math.sin(x) },
  { name: 'Σ x³ / 1e3', c: 1e-3, phi: (x: number) => x ** 3, d1: (x: number) => 3 * x * x, d2: (x: number) => 6 * x },
];
const points = Float64Array.of(1e-3, 3.7e-3, 0.02, 0.5, 1, 3, 40, 250, 1e3);

for (const fam of families) {
  test(`gradient and diagonal of ${fam.name} for x from 1e-3 to 1e3: accurate, within their error estimates`, () => {
    // One coordinate at a time: f = c·φ(x) reaches 1e6 and the derivatives span many decades.
    for (const x of points) {
      const x0 = Float64Array.of(x);
      const f = (v: Float64Array) => fam.c * fam.phi(v[0]);
      const g = (v: Float64Array) => Float64Array.of(fam.c * fam.d1(v[0]));
      const f0 = f(x0);
      const floor = measuredNoiseFloor(f, x0, f0, all(1));
      const estimates = [
        ['gradient', gradientByDifferences(f, x0, f0, all(1), tol, floor), fam.c * fam.d1(x)],
        ['diagonal (gradient differences)', diagonalByGradientDifferences(g, x0, g(x0), all(1), tol), fam.c * fam.d2(x)],
        ['diagonal (second differences)', diagonalBySecondDifferences(f, x0, f0, all(1), tol, floor), fam.c * fam.d2(x)],
      ] as const;
      for (const [what, est, exact] of estimates) {
        const err = Math.abs(est.value[0] - exact);
        const scale = tol.atol + tol.rtol * Math.abs(exact);
        assert.ok(err <= FD_SAFETY * est.error[0], `${what} at x = ${x}: error ${err} exceeds ${FD_SAFETY}× its estimate ${est.error[0]}`);
        // Useful: the estimate leaves room to see a mistake of the tolerance's size.
        assert.ok(est.error[0] <= 0.1 * scale, `${what} at x = ${x}: estimate ${est.error[0]} too loose for tolerance ${scale}`);
      }
    }
  });

  test(`${fam.name} summed over x from 1e-3 to 1e3 (terms far larger than some derivatives): estimates stay honest`, () => {
    const f = (x: Float64Array) => x.reduce((s, v) => s + fam.c * fam.phi(v), 0);
    const g = (x: Float64Array) => x.map((v) => fam.c * fam.d1(v));
    const f0 = f(points);
    const floor = measuredNoiseFloor(f, points, f0, all(points.length));
    const grad = gradientByDifferences(f, points, f0, all(points.length), tol, floor);
    const diag1 = diagonalByGradientDifferences(g, points, g(points), all(points.length), tol);
    const diag2 = diagonalBySecondDifferences(f, points, f0, all(points.length), tol, floor);
    points.forEach((x, i) => {
      for (const [what, est, exact] of [['gradient', grad, fam.c * fam.d1(x)], ['diagonal (gradient differences)', diag1, fam.c * fam.d2(x)], ['diagonal (second differences)', diag2, fam.c * fam.d2(x)]] as const) {
        const err = Math.abs(est.value[i] - exact);
        assert.ok(err <= FD_SAFETY * est.error[i], `${what} at x = ${x}: error ${err} exceeds ${FD_SAFETY}× its estimate ${est.error[i]}`);
      }
    });
  });
}

test('founding loss at 700×5: gradient differences give the diagonal to 1e-7; second differences stay within their estimates', () => {
  const L = FoundingLoss.random(700, 5, 3);
  const Y = L.randomPoint(2);
  const indices = Int32Array.from({ length: 250 }, (_, k) => k * 14);
  const f0 = L.f(Y), g0 = L.grad(Y), d0 = L.diag(Y);
  assert.ok(f0 > 5 && d0.every((d) => d < 0.01), 'the cancellation regime of ENGINE-NOTES: |f| ≫ diagonal');
  const byGradient = diagonalByGradientDifferences(L.grad, Y, g0, indices, tol);
  const bySecond = diagonalBySecondDifferences(L.f, Y, f0, indices, tol);
  const grad = gradientByDifferences(L.f, Y, f0, indices, tol);
  indices.forEach((i, k) => {
    assert.ok(Math.abs(byGradient.value[k] - d0[i]) <= 1e-7 * d0[i], `gradient differences at ${i}`);
    assert.ok(Math.abs(byGradient.value[k] - d0[i]) <= FD_SAFETY * byGradient.error[k]);
    assert.ok(Math.abs(bySecond.value[k] - d0[i]) <= FD_SAFETY * bySecond.error[k], `second differences at ${i}`);
    assert.ok(Math.abs(grad.value[k] - g0[i]) <= FD_SAFETY * grad.error[k], `gradient at ${i}`);
  });
});

test('kinks: |x| at 0 and a max with a tie show one-sided derivatives that disagree; smooth functions do not', () => {
  const abs = gradientByDifferences((x) => Math.abs(x[0]), Float64Array.of(0), 0, all(1), tol);
  assert.deepEqual(abs.kinks.map((k) => [k.index, k.left, k.right]), [[0, -1, 1]]);
  const max = gradientByDifferences((x) => Math.max(x[0], x[1]), Float64Array.of(2, 2), 2, all(2), tol);
  assert.deepEqual(max.kinks.map((k) => [k.index, k.left, k.right]), [[0, 0, 1], [1, 0, 1]]);
  for (const [f, x] of [
    [(x: Float64Array) => x[0] ** 3, 0],
    [(x: Float64Array) => Math.sin(x[0]) * 1e4, 0],
    [(x: Float64Array) => Math.exp(30 * x[0]), 0.1],
    [(x: Float64Array) => Math.sqrt(x[0]), 1e-3],
  ] as const) {
    const x0 = Float64Array.of(x);
    assert.equal(gradientByDifferences(f, x0, f(x0), all(1), tol).kinks.length, 0, `${f} at ${x}`);
  }
});

test('a kink inside the first stencil is either stepped around by the adaptive step or reported', () => {
  const x0 = Float64Array.of(2e-6);
  const est = gradientByDifferences((x) => Math.abs(x[0]), x0, 2e-6, all(1), tol);
  const accurate = Math.abs(est.value[0] - 1) <= tol.atol;
  assert.ok(accurate || est.kinks.length === 1, `estimate ${est.value[0]}, kinks ${est.kinks.length}`);
  assert.equal(est.adapted, 1);
});

test('the adaptive step takes over when rounding swamps the first estimate (|f| = 1e8 against a slope of 1)', () => {
  const f = (x: Float64Array) => 1e8 + Math.sin(x[0]);
  const x0 = Float64Array.of(0.3);
  const line = coordinateLine(f, x0, 0, Float64Array.from(x0));
  const first = firstDerivative(line, firstStep(0.3), f(x0));
  const { estimate, adapted } = adaptive((h) => firstDerivative(line, h, f(x0)), firstStep(0.3), tol);
  assert.equal(adapted, true);
  assert.ok(estimate.error < first.error / 10, `${estimate.error} vs ${first.error}`);
  assert.ok(Math.abs(estimate.value - Math.cos(0.3)) <= FD_SAFETY * estimate.error);
});

test('the directional derivative matches ∇f·u within its estimate', () => {
  const n = 500;
  const x0 = Float64Array.from({ length: n }, (_, i) => Math.sin(i) * 2);
  const f = (x: Float64Array) => x.reduce((s, v, i) => s + Math.exp(v / 3) * (1 + (i % 7)), 0);
  const u = Float64Array.from({ length: n }, (_, i) => (i % 3 === 0 ? -1 : 1));
  let exact = 0;
  x0.forEach((v, i) => (exact += (Math.exp(v / 3) / 3) * (1 + (i % 7)) * u[i]));
  const est = directionalDerivative(f, x0, f(x0), u, tol);
  assert.ok(Math.abs(est.value - exact) <= FD_SAFETY * est.error, `${est.value} vs ${exact}`);
  assert.ok(est.error <= 1e-6 * Math.abs(exact));
});

test('the step sweep falls then rises around the best step, and shows a floor when the value under test is wrong', () => {
  const x0 = Float64Array.of(1);
  const line = coordinateLine((x) => Math.exp(x[0]), x0, 0, Float64Array.from(x0));
  const right = sweepSteps(line, 1, Math.E, 1, Math.E, [0], 'gradient');
  assert.equal(right.points.length, 12);
  assert.ok(Math.abs(right.points[0].h - 0.1) < 1e-12 && Math.abs(right.points[11].h - 1e-9) < 1e-15);
  const errors = right.points.map((p) => p.error);
  const best = errors.indexOf(Math.min(...errors));
  assert.ok(best > 0 && best < 11, `best step index ${best}`);
  assert.ok(errors[0] > 100 * errors[best] && errors[11] > 10 * errors[best]);
  const wrong = sweepSteps(line, 1, Math.E, 1, Math.E + 0.1, [0], 'gradient');
  assert.ok(wrong.points.every((p) => p.error > 0.05));
});

test('probe groups share no matrix row and hold no flat neighbours; every coordinate is in exactly one', () => {
  for (const [indices, shape] of [[all(35), [7, 5]], [all(20), [20]], [Int32Array.of(3, 4, 9, 100, 101, 2000), [700, 5]]] as const) {
    const groups = probeGroups(indices, [...shape]);
    assert.deepEqual(groups.flatMap((g) => [...g]).sort((a, b) => a - b), [...indices]);
    const columns = shape.length === 2 ? shape[1] : 1;
    for (const g of groups) {
      const rows = [...g].map((i) => Math.floor(i / columns));
      assert.equal(new Set(rows).size, g.length, `rows repeat in ${g}`);
      assert.ok([...g].every((i) => !g.includes(i + 1)), `neighbours in ${g}`);
    }
  }
  assert.equal(probeGroups(all(35), [7, 5]).length, 5);
  assert.equal(probeGroups(all(20), [20]).length, 2);
});

test('grouped gradient differences give each diagonal entry of a row-wise problem within its estimate, 4 gradients per group', () => {
  const L = FoundingLoss.random(70, 5, 4);
  const Y = L.randomPoint(5);
  const d0 = L.diag(Y);
  let calls = 0;
  const gradientAt = (x: Float64Array) => (calls++, L.grad(x));
  const groups = probeGroups(all(350), [70, 5]);
  const est = diagonalByGroupedGradientDifferences(gradientAt, Y, L.grad(Y), all(350), groups, seededUniform(1), tol, () => true);
  assert.equal(calls, 4 * groups.length);
  assert.equal(est.alone, 0);
  est.indices.forEach((i, k) => {
    assert.ok(Math.abs(est.value[k] - d0[i]) <= FD_SAFETY * est.error[k], `entry ${i}: ${est.value[k]} vs ${d0[i]} (estimate ${est.error[k]})`);
    assert.ok(Math.abs(est.value[k] - d0[i]) <= 1e-6 * d0[i] + 1e-12, `entry ${i}`);
  });
});
