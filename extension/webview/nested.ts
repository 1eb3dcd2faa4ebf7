// Nested report values as flat arrays in a grid: the webview lays tables and heat maps out in the wrt input's shape.

import { flatValues } from '../../engine/shape';
import type { Nested } from '../../engine/types';

/** Rows and columns to draw a shape in: a matrix as itself, a vector as rows of at most `wrap`, a scalar as 1×1. */
export function gridOf(shape: number[], wrap = 20): { rows: number; cols: number } {
  if (shape.length === 2) return { rows: shape[0], cols: shape[1] };
  if (shape.length === 1) {
    const cols = Math.max(1, Math.min(shape[0], wrap));
    return { rows: Math.ceil(shape[0] / cols), cols };
  }
  return { rows: 1, cols: 1 };
}

/** Largest finite magnitude, 0 when none: the heat maps' scale, so 0 sits at the centre. */
export function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) {
    const a = Math.abs(values[i]);
    if (Number.isFinite(a) && a > m) m = a;
  }
  return m;
}

/** The `q`-quantile of the finite magnitudes (nearest rank), 0 when none. */
export function percentileAbs(values: ArrayLike<number>, q: number): number {
  const mags: number[] = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) mags.push(Math.abs(values[i]));
  if (mags.length === 0) return 0;
  mags.sort((a, b) => a - b);
  return mags[Math.min(mags.length - 1, Math.ceil(q * mags.length) - 1)];
}

/** "7×5 matrix in [-1.2, 3.4]", "5 entries: [1, 2, 3, 4, 5]", "0.5": the evaluation point in a few words. */
export function describeValue(x: Nested, format: (v: number) => string): string {
  if (typeof x === 'number') return format(x);
  const flat = flatValues(x);
  const isMatrix = x.length > 0 && Array.isArray(x[0]);
  if (!isMatrix && flat.length <= 6) return `[${flat.map(format).join(', ')}]`;
  const lo = flat.reduce((a, b) => Math.min(a, b), Infinity);
  const hi = flat.reduce((a, b) => Math.max(a, b), -Infinity);
  const size = isMatrix ? `${x.length}×${(x[0] as Nested[]).length} matrix` : `${flat.length} entries`;
  return flat.length ? `${size} in [${format(lo)}, ${format(hi)}]` : size;
}
