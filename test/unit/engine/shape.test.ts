// Tests of moving between flat values and the wrt shape, entry names, and reading what hand-written derivatives return.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix } from 'ml-matrix';
import { flatIndex, flattenSupplied, formatEntry, multiIndex, unflatten } from '../../../engine/shape';

test('unflatten nests row-major values in the shape', () => {
  assert.equal(unflatten([4], []), 4);
  assert.deepEqual(unflatten([1, 2, 3], [3]), [1, 2, 3]);
  assert.deepEqual(unflatten(Float64Array.of(1, 2, 3, 4, 5, 6), [2, 3]), [[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(unflatten([0, 1, 2, 3, 4, 5, 6, 7], [2, 2, 2]), [[[0, 1], [2, 3]], [[4, 5], [6, 7]]]);
});

test('multiIndex and flatIndex invert each other', () => {
  const shape = [7, 5];
  for (let i = 0; i < 35; i++) assert.equal(flatIndex(multiIndex(i, shape), shape), i);
  assert.deepEqual(multiIndex(16, shape), [3, 1]);
  assert.deepEqual(multiIndex(0, []), []);
});

test('formatEntry names entries as they are written', () => {
  assert.equal(formatEntry('Y', [3, 1]), 'Y[3][1]');
  assert.equal(formatEntry('x', [4]), 'x[4]');
  assert.equal(formatEntry('x', []), 'x');
});

test('flattenSupplied reads numbers, arrays, typed arrays and matrices', () => {
  assert.deepEqual(flattenSupplied(2.5), { shape: [], values: Float64Array.of(2.5) });
  assert.deepEqual(flattenSupplied([1, 2, 3]), { shape: [3], values: Float64Array.of(1, 2, 3) });
  assert.deepEqual(flattenSupplied([[1, 2], [3, 4], [5, 6]]), { shape: [3, 2], values: Float64Array.of(1, 2, 3, 4, 5, 6) });
  assert.deepEqual(flattenSupplied(Float64Array.of(1, 2)), { shape: [2], values: Float64Array.of(1, 2) });
  assert.deepEqual(flattenSupplied([Float64Array.of(1, 2), Float64Array.of(3, 4)]), { shape: [2, 2], values: Float64Array.of(1, 2, 3, 4) });
  const m = new Matrix([[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(flattenSupplied(m), { shape: [2, 3], values: Float64Array.of(1, 2, 3, 4, 5, 6) });
});

test('flattenSupplied says where a result is ragged or not numeric', () => {
  assert.match((flattenSupplied([[1, 2], [3]]) as { error: string }).error, /ragged.*\[1\] has length 1, expected 2/);
  assert.match((flattenSupplied([1, 'a']) as { error: string }).error, /entry \[1\] is a string/);
  assert.match((flattenSupplied({ grad: [1] }) as { error: string }).error, /an object, not numbers/);
  assert.match((flattenSupplied(undefined) as { error: string }).error, /undefined/);
});
