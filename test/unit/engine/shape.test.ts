// Tests of moving between flat values and the wrt shape, entry names, and reading what hand-written derivatives return.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix } from 'ml-matrix';
import { describeKind, describeReturned, flatIndex, flattenSupplied, flatValues, formatEntry, multiIndex, nest, sizeOf } from '../../../engine/shape';

test('nest puts row-major values in the shape, flatValues reads them back', () => {
  assert.equal(nest([], [4]), 4);
  assert.deepEqual(nest([3], [1, 2, 3]), [1, 2, 3]);
  assert.deepEqual(nest([2, 3], Float64Array.of(1, 2, 3, 4, 5, 6)), [[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(nest([2, 2, 2], [0, 1, 2, 3, 4, 5, 6, 7]), [[[0, 1], [2, 3]], [[4, 5], [6, 7]]]);
  assert.deepEqual(flatValues(nest([2, 2, 2], [0, 1, 2, 3, 4, 5, 6, 7])), [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(flatValues(7), [7]);
  assert.deepEqual(flatValues(undefined), []);
  assert.deepEqual([sizeOf([7, 5]), sizeOf([12]), sizeOf([])], [35, 12, 1]);
});

test('multiIndex and flatIndex invert each other', () => {
  const shape = [7, 5];
  for (let i = 0; i < 35; i++) assert.equal(flatIndex(shape, multiIndex(shape, i)), i);
  assert.deepEqual(multiIndex(shape, 16), [3, 1]);
  assert.deepEqual(multiIndex([], 0), []);
  assert.deepEqual(multiIndex([12], 7), [7]);
  assert.deepEqual(multiIndex([2, 3, 4], 23), [1, 2, 3]);
  assert.equal(flatIndex([2, 3, 4], [1, 0, 2]), 14);
});

test('values in words: their kind for "expected …, got …", what a function returned', () => {
  assert.deepEqual([1, NaN, 'a', null, undefined, [], [1], [[1]], {}].map(describeKind), ['a number', 'NaN', 'a string', 'null', 'undefined', 'an empty array', 'an array', 'a nested array', 'an object']);
  assert.deepEqual([[1, 2, 3], Float64Array.of(1), { rows: 2, columns: 3 }, {}, 'abc', undefined, () => 1].map(describeReturned), ['an array of 3 entries', 'an array of 1 entries', 'a 2×3 matrix', 'an object', 'the string "abc"', 'undefined', 'a function']);
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
