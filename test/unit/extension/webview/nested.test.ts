// Layout helpers of the report webview: flattening, grids in the input's shape, index round trips, tolerances.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeValue, flatten, gridOf, indexOf, maxAbs, percentileAbs } from '../../../../extension/webview/nested';

test('nested values flatten row-major', () => {
  assert.deepEqual(flatten([[1, 2], [3, 4]]), [1, 2, 3, 4]);
  assert.deepEqual(flatten(7), [7]);
  assert.deepEqual(flatten(undefined), []);
});

test('grids keep a matrix shape and wrap long vectors', () => {
  assert.deepEqual(gridOf([7, 5]), { rows: 7, cols: 5 });
  assert.deepEqual(gridOf([45]), { rows: 3, cols: 20 });
  assert.deepEqual(gridOf([3]), { rows: 1, cols: 3 });
  assert.deepEqual(gridOf([]), { rows: 1, cols: 1 });
});

test('multi-indices of flat positions, row-major', () => {
  assert.deepEqual(indexOf([7, 5], 13), [2, 3]);
  assert.deepEqual(indexOf([12], 7), [7]);
  assert.deepEqual(indexOf([], 0), []);
});

test('the scale ignores non-finite entries', () => {
  assert.equal(maxAbs([1, -3, NaN, Infinity, 2]), 3);
  assert.equal(maxAbs([]), 0);
});

test('the robust scale is a quantile of the magnitudes, blind to one outlier', () => {
  const values = Array.from({ length: 1000 }, (_, i) => (i % 2 ? -1 : 1) * (i + 1));
  values[7] = 1e9;
  // Magnitudes 1..1000 with 8 replaced by 1e9: the 990th smallest is 991.
  assert.equal(percentileAbs(values, 0.99), 991);
  assert.equal(percentileAbs([NaN, 3], 0.5), 3);
  assert.equal(percentileAbs([], 0.99), 0);
});

test('evaluation points are summarised in a few words', () => {
  const f = (x: number) => String(x);
  assert.equal(describeValue(0.5, f), '0.5');
  assert.equal(describeValue([1, 2, 3], f), '[1, 2, 3]');
  assert.equal(describeValue([[0, 1], [1, 0], [2, -1]], f), '3×2 matrix in [-1, 2]');
  assert.equal(describeValue([1, 2, 3, 4, 5, 6, 7], f), '7 entries in [1, 7]');
});
