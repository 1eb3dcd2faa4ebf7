// Tests of the entry-wise tolerance comparison and of how supplied shapes relate to the wrt shape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareEntries, relateShapes } from '../../../../engine/check/compare';

const tol = { rtol: 1e-3, atol: 1e-5 };

test('an entry passes when |a − b| ≤ atol + rtol·|b| and fails just outside', () => {
  const expected = Float64Array.of(1, 100, 0);
  const inside = Float64Array.of(1 + 0.99 * (1e-5 + 1e-3), 100 - 0.99 * (1e-5 + 0.1), 0.99e-5);
  assert.equal(compareEntries(inside, expected, { wrt: 'x', shape: [3] }, tol).mismatchCount, 0);
  const outside = Float64Array.of(1 + 1.01 * (1e-5 + 1e-3), 100, 1.01e-5);
  const c = compareEntries(outside, expected, { wrt: 'x', shape: [3] }, tol);
  assert.equal(c.mismatchCount, 2);
  assert.deepEqual(c.failing.sort(), [0, 2]);
});

test('mismatches are worst first (by how far past the bound), at most 20, with the full count', () => {
  const n = 50;
  const expected = new Float64Array(n).fill(1);
  const actual = Float64Array.from({ length: n }, (_, i) => 1 + 0.01 * (i + 1));
  const c = compareEntries(actual, expected, { wrt: 'x', shape: [5, 10] }, tol);
  assert.equal(c.mismatchCount, n);
  assert.equal(c.mismatches.length, 20);
  assert.deepEqual(c.mismatches[0].index, [4, 9]);
  assert.ok(c.mismatches.every((m, k) => k === 0 || m.absError <= c.mismatches[k - 1].absError));
  assert.ok(Math.abs(c.maxAbsError - 0.5) < 1e-12);
  assert.ok(Math.abs(c.maxRelError - 0.5) < 1e-12);
});

test('the FD widening is added to the bound, and entries it swamps are counted as uncertain', () => {
  const expected = Float64Array.of(1, 1);
  const actual = Float64Array.of(1.01, 1.01);
  assert.equal(compareEntries(actual, expected, { wrt: 'x', shape: [2] }, tol, Float64Array.of(0, 0.02)).mismatchCount, 1);
  assert.equal(compareEntries(actual, expected, { wrt: 'x', shape: [2] }, tol, Float64Array.of(0, 2)).uncertain, 1);
});

test('non-finite values under test fail and are listed; non-finite references are skipped', () => {
  const c = compareEntries(Float64Array.of(NaN, 1, Infinity), Float64Array.of(1, NaN, 2), { wrt: 'x', shape: [3] }, tol);
  assert.deepEqual(c.nonFinite, [0, 2]);
  assert.equal(c.mismatchCount, 2);
  assert.equal(c.compared, 2);
});

test('only the given indices are compared when sampling', () => {
  const c = compareEntries(Float64Array.of(5, 1, 5), Float64Array.of(1, 1, 1), { wrt: 'x', shape: [3] }, tol, undefined, Int32Array.of(1));
  assert.equal(c.mismatchCount, 0);
  assert.equal(c.compared, 1);
});

test('shapes: equal up to 1-dimensions or flat are compatible; a transpose is not', () => {
  assert.deepEqual(relateShapes([7, 5], [7, 5]), { sameCount: true, compatible: true, description: 'returned 7×5, expected 7×5' });
  assert.equal(relateShapes([35], [7, 5]).compatible, true);
  assert.equal(relateShapes([1, 5], [5]).compatible, true);
  const t = relateShapes([5, 7], [7, 5]);
  assert.equal(t.sameCount, true);
  assert.equal(t.compatible, false);
  assert.equal(t.description, 'returned 5×7, expected 7×5');
  assert.equal(relateShapes([5, 6], [7, 5]).sameCount, false);
  assert.equal(relateShapes([], [1]).compatible, true);
});
