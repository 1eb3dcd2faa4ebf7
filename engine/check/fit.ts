// The arithmetic every explanation shares: dot products, the relative residual of a model, and when a fitted number is a named one.

import { sizeOf } from '../shape';

/** Largest relative residual of an accepted fit: far above float64 rounding, far below any real mistake. */
export const FIT_RESIDUAL = 1e-6;
/** How close a fitted coefficient must be to a named one (−1, 2, ½, N) to be called by that name. */
const FACTOR_MATCH = 1e-6;

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export const norm = (a: ArrayLike<number>) => Math.sqrt(dot(a, a));

/** ‖s − model‖ / scale, with scale = max(‖s‖, ‖truth‖). */
export function residual(s: ArrayLike<number>, model: ArrayLike<number>, scale: number): number {
  let sq = 0;
  for (let i = 0; i < s.length; i++) sq += (s[i] - model[i]) ** 2;
  return scale > 0 ? Math.sqrt(sq) / scale : Math.sqrt(sq) === 0 ? 0 : Infinity;
}

/** Whether a fitted coefficient is the named one. */
export const near = (c: number, target: number) => Math.abs(c - target) <= FACTOR_MATCH * Math.abs(target);

/** The counts of a problem that a mean divides by: rows, columns and entries of each parameter (2 or more). */
export function problemCounts(params: { name: string; shape: number[] }[]): { N: number; what: string }[] {
  const counts: { N: number; what: string }[] = [];
  for (const { name, shape } of params) {
    if (shape.length === 2) counts.push({ N: shape[0], what: `the number of rows of ${name}` }, { N: shape[1], what: `the number of columns of ${name}` });
    if (shape.length >= 1) counts.push({ N: sizeOf(shape), what: `the number of entries of ${name}` });
  }
  return counts.filter((c) => c.N >= 2);
}
