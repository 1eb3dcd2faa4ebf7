// The library API for test suites: checkDerivatives reports, assertDerivatives throws a readable error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertDerivatives, checkDerivatives, DerivativeCheckError } from '../../engine/api';

test('checkDerivatives: exact gradient and diagonal of a self-contained function, a correct supplied gradient passes', async () => {
  const report = await checkDerivatives((x: number[]) => x.reduce((s, v) => s + Math.exp(2 * v), 0), {
    at: [[0.1, -0.3, 0.7]],
    gradient: (x: number[]) => x.map((v) => 2 * Math.exp(2 * v)),
  });
  assert.equal(report.verdict, 'pass');
  const x = [0.1, -0.3, 0.7];
  (report.gradient as number[]).forEach((g, i) => assert.ok(Math.abs(g - 2 * Math.exp(2 * x[i])) <= 1e-14 * g));
  (report.hessianDiagonal as number[]).forEach((h, i) => assert.ok(Math.abs(h - 4 * Math.exp(2 * x[i])) <= 1e-14 * h));
});

test('assertDerivatives throws a DerivativeCheckError naming the mistake', async () => {
  await assert.rejects(
    assertDerivatives(
      function cubeSum(x: number[]) {
        return x.reduce((s, v) => s + v * v * v, 0);
      },
      { at: { x: [1, 2, 3] }, gradient: (x: number[]) => x.map((v) => -3 * v * v) },
    ),
    (e: unknown) => {
      assert.ok(e instanceof DerivativeCheckError);
      assert.match(e.message, /cubeSum/);
      assert.match(e.message, /supplied-gradient/);
      assert.match(e.message, /opposite sign/);
      return true;
    },
  );
});
