// Entry-wise tolerance comparison of a value under test against a reference, and how a supplied shape relates to the wrt shape.
//
// An entry passes when |actual − expected| ≤ atol + rtol·|expected| + widen, where widen is 0 for supplied-vs-engine
// checks and FD_SAFETY × the finite-difference error estimate for the *-vs-fd checks (plus 3 standard errors when the
// engine's diagonal is itself an estimate). The FD estimate is a truthful but rough bound of the reference's own error,
// so it is added, not multiplied into the relative tolerance: an accurate reference keeps the check tight.

import { FD_SAFETY, type Mismatch, type Tolerance } from '../types';
import { formatShape, sizeOf } from '../shape';
import { locateEntry, type EntryNaming } from '../tree';

export { FD_SAFETY };
const MAX_LISTED = 20;

export interface EntryComparison {
  maxAbsError: number;
  /** Largest |actual − expected|/|expected| over the entries with |expected| > atol (where a ratio means something). */
  maxRelError: number;
  /** Worst first (by how far past its bound), at most 20. */
  mismatches: Mismatch[];
  mismatchCount: number;
  /** Flat positions of every failing entry, worst first. */
  failing: number[];
  /** Flat positions where the value under test is NaN or infinite while the reference is finite. */
  nonFinite: number[];
  /** Entries compared (reference finite). */
  compared: number;
  /** Entries whose widening is as large as the reference itself: their reference is too uncertain to judge them. */
  uncertain: number;
  /** The flat position that came closest to (or went furthest past) its bound, for the step sweep. */
  worst: number;
}

/**
 * Compares actual[i] with expected[i] at the flat positions `indices` (all entries when absent). Entries whose reference
 * is not finite are skipped (they cannot be judged); a non-finite value under test always fails.
 */
export function compareEntries(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  naming: EntryNaming,
  tolerance: Tolerance,
  widen?: ArrayLike<number>,
  indices?: ArrayLike<number>,
): EntryComparison {
  const count = indices ? indices.length : actual.length;
  let maxAbsError = 0, maxRelError = 0, compared = 0, uncertain = 0, worst = -1, worstRatio = -1;
  const failing: { i: number; ratio: number; m: Mismatch }[] = [];
  const nonFinite: number[] = [];
  for (let k = 0; k < count; k++) {
    const i = indices ? indices[k] : k;
    const a = actual[i], e = expected[i];
    if (!Number.isFinite(e)) continue;
    compared++;
    const extra = widen ? widen[i] : 0;
    const bound = tolerance.atol + tolerance.rtol * Math.abs(e) + extra;
    if (extra > 0 && extra >= Math.max(Math.abs(e), tolerance.atol)) uncertain++;
    const absError = Math.abs(a - e);
    // NaN compares false: a non-finite value under test is the worst entry there is.
    const ratio = Number.isFinite(a) ? absError / bound : Infinity;
    if (ratio > worstRatio) (worstRatio = ratio), (worst = i);
    if (Number.isFinite(a)) {
      maxAbsError = Math.max(maxAbsError, absError);
      if (Math.abs(e) > tolerance.atol) maxRelError = Math.max(maxRelError, absError / Math.abs(e));
    } else nonFinite.push(i);
    if (!(absError <= bound)) failing.push({ i, ratio, m: { ...entryOf(naming, i), expected: e, actual: a, absError, bound } });
  }
  failing.sort((x, y) => y.ratio - x.ratio);
  return {
    maxAbsError,
    maxRelError,
    mismatches: failing.slice(0, MAX_LISTED).map((f) => f.m),
    mismatchCount: failing.length,
    failing: failing.map((f) => f.i),
    nonFinite,
    compared,
    uncertain,
    worst,
  };
}

/** A mismatch's names: the entry as the user reads it, and its multi-index in the wrt shape ([k] in a vector of leaves). */
function entryOf(naming: EntryNaming, i: number): { entry: string; index: number[] } {
  const { entry, index } = locateEntry(naming, i);
  return { entry, index: naming.leaves ? [i] : index };
}

/** How a supplied result's shape relates to the wrt parameter's shape. */
export interface ShapeRelation {
  /** Same number of entries: the values can be read row-major in the wrt shape. */
  sameCount: boolean;
  /** Equal up to dimensions of length 1, or a flat array of all entries (the gradient-boosting form): no complaint. */
  compatible: boolean;
  /** For messages: "returned 5×7, expected 7×5". */
  description: string;
}

export function relateShapes(supplied: number[], expected: number[]): ShapeRelation {
  const squeeze = (s: number[]) => s.filter((d) => d !== 1).join('×');
  const sameCount = sizeOf(supplied) === sizeOf(expected);
  const compatible = sameCount && (squeeze(supplied) === squeeze(expected) || supplied.length === 1);
  return { sameCount, compatible, description: `returned ${formatShape(supplied)}, expected ${formatShape(expected)}` };
}
