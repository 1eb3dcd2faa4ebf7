// Layout helpers of the report webview: grids in the input's shape, scales, the evaluation point in words.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeValue, gridOf, maxAbs, percentileAbs } from '../../../../extension/webview/nested';

test('grids keep a matrix shape and wrap long vectors', () => {
  assert.deepEqual(gridOf([7, 5]), { rows: 7, cols: 5 });
  assert.deepEqual(gridOf([45]), { rows: 3, cols: 20 });
  assert.deepEqual(gridOf([3]), { rows: 1, cols: 3 });
  assert.deepEqual(gridOf([]), { rows: 1, cols: 1 });
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
