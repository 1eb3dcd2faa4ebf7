// Calling the hand-written derivatives at the evaluation point: fresh passive arguments, an objective's { grad, hess } split and checked.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createEvaluator } from '../../../../engine/ad/differentiate';
import { runtime as __ad } from '../../../../engine/ad/runtime';
import { callSupplied } from '../../../../engine/check/supplied-call';
import { EngineError } from '../../../../engine/types';

/** f(x) = x0·x1 + x2: the checked function the supplied ones stand beside. */
function evaluator(x: number[]) {
  const f = (v: unknown[]) => __ad.add(__ad.mul(v[0], v[1]), v[2]);
  return createEvaluator({ fn: f as (...args: unknown[]) => unknown, params: [{ name: 'x', kind: 'vector', value: x }], wrtIndex: 0, options: { hessianDiagonal: 'exact', estimateProbes: 4, seed: 1 } });
}

test('supplied functions get fresh passive arguments; an objective splits into gradient and Hessian diagonal', () => {
  const args: unknown[][] = [];
  const grad = (...a: unknown[]) => (args.push(a), [1, 2]);
  const objective = () => ({ grad: [[1]], hess: [[2]] });
  const ev = evaluator([0.3, -0.7, 1.1]);
  const supplied = callSupplied({ gradient: { fn: grad, name: 'g', location: { file: 'f.ts', line: 3, column: 1 } }, objective: { fn: objective, name: 'obj' } }, ev.callAtX0);
  assert.deepEqual(supplied.gradient, { result: [1, 2], name: 'g', fromObjective: false, location: { file: 'f.ts', line: 3, column: 1 } });
  assert.deepEqual(supplied.hessianDiagonal, { result: [[2]], name: 'obj', fromObjective: true });
  assert.deepEqual(args, [[[0.3, -0.7, 1.1]]]);
  assert.throws(
    () => callSupplied({ objective: { fn: () => [1], name: 'obj' } }, evaluator([1, 2, 3]).callAtX0),
    (e) => e instanceof EngineError && e.info.kind === 'bad-return' && /obj returned an array of 1 entries — expected an object \{ grad, hess \}/.test(e.message),
  );
});
