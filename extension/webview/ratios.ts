// Error ÷ tolerance per entry of a check: the one measure the report's heat maps and worst-first tables share.

import type { LeafReport } from '../../engine/report/leaves';
import { FD_SAFETY, type Check } from '../../engine/types';
import { flatValues } from '../../engine/shape';

export interface EntryError {
  /** Flat (row-major) position in the wrt shape. */
  k: number;
  /** The reference and the value under test, as in `Mismatch`. */
  expected: number;
  actual: number;
  /** |actual − expected| ÷ the entry's bound: above 1 is a mismatch; Infinity when the value under test is not finite. */
  ratio: number;
}

/** The engine's values a check is about: the gradient for gradient checks, else the Hessian diagonal. */
function engineValues(report: LeafReport, check: Check): number[] {
  return flatValues(check.id === 'gradient-vs-fd' || check.id === 'supplied-gradient' ? report.gradient : report.hessianDiagonal);
}

/**
 * Every judged entry of a check, worst first. FD checks: the engine against the reference, with the bound widened by
 * the FD error estimate as the engine did; supplied checks: the supplied values against the engine. Entries with no
 * finite reference (not sampled, or f undefined nearby) are not judged and not listed.
 */
export function entryErrors(report: LeafReport, check: Check): EntryError[] {
  const engine = engineValues(report, check);
  const fd = check.id.endsWith('-vs-fd');
  const expectedAll = fd ? flatValues(check.reference) : engine;
  const actualAll = fd ? engine : flatValues(check.supplied);
  const estimate = fd ? flatValues(check.errorEstimate) : [];
  if (actualAll.length !== expectedAll.length) return [];
  const out: EntryError[] = [];
  for (let k = 0; k < expectedAll.length; k++) {
    const expected = expectedAll[k];
    const actual = actualAll[k];
    if (!Number.isFinite(expected)) continue;
    const widen = fd && Number.isFinite(estimate[k]) ? FD_SAFETY * estimate[k] : 0;
    const bound = check.tolerance.atol + check.tolerance.rtol * Math.abs(expected) + widen;
    const ratio = Number.isFinite(actual) ? Math.abs(actual - expected) / bound : Infinity;
    out.push({ k, expected, actual, ratio });
  }
  return out.sort((a, b) => b.ratio - a.ratio || a.k - b.k);
}

/** The ratios laid out in the wrt shape (NaN where not judged), for a heat map. */
export function ratioGrid(errors: EntryError[], n: number): number[] {
  const grid = new Array<number>(n).fill(NaN);
  for (const e of errors) grid[e.k] = e.ratio;
  return grid;
}
