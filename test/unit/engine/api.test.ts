// The library API for test suites: checkDerivatives reports, assertDerivatives throws a readable error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertDerivatives, checkDerivatives, DerivativeCheckError } from '../../../engine/api';

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

test('checkDerivatives names the culprit and the line a gradient lacks, as the user wrote them', async () => {
  const report = await checkDerivatives(
    function penalised(w: number[]) {
      let loss = 0;
      for (let i = 0; i < w.length; i++) loss += Math.sin(w[i]) * w[i];
      for (let i = 0; i < w.length; i++) loss += 0.1 * w[i] * w[i];
      return loss;
    },
    { at: [[0.3, -0.4, 1.2]], gradient: function dataOnly(w: number[]) { return w.map((v) => Math.cos(v) * v + Math.sin(v)); } },
  );
  const c = report.checks.find((x) => x.id === 'supplied-gradient')!;
  assert.match(c.summary, /^dataOnly is not the gradient of penalised: 3 of 3 entries differ/);
  // Line 4 of the module that the function's source becomes (its line 1 holds `function penalised(w) {`).
  assert.match(c.explanation!, /^lacks the contribution of line 4 \(`for \(let i = 0; i < w\.length; i\+\+\) loss \+= 0\.1 \* w\[i\] \* w\[i…`\): supplied = engine − ∇\(line 4\)$/);
});

test('without a load hook, a function that uses its scope fails with how to enable the hook', async () => {
  const shiftBy = 2;
  await assert.rejects(checkDerivatives((x: number[]) => x.reduce((s, v) => s + (v - shiftBy) ** 2, 0), { at: [[1, 2]] }), (e: unknown) => {
    assert.match((e as Error).message, /shiftBy\d* is not defined/);
    assert.match((e as Error).message, /node --import derivative-lens\/register/);
    assert.match((e as Error).message, /derivative-lens\/vitest/);
    assert.match((e as Error).message, /derivative-lens\/jest/);
    return true;
  });
});
