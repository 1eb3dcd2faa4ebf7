// The Hessian diagonal from differences of the engine's gradient along signed combinations of coordinates: one probe serves a group.
//
// Differencing the whole gradient along u = Σ_{j∈G} s_j·scale_j·e_j gives, at entry i of G,
//   (H·u)_i = H_ii·u_i + Σ_{j∈G, j≠i} H_ij·u_j,
// which is H_ii·u_i exactly when i has no Hessian coupling to the rest of its group. Groups avoid the couplings that
// common structures have (a matrix row, flat neighbours), and the reference is only believed where it agrees with the
// engine's diagonal: anywhere else (a coupling, a kink, or a real mistake) the entry is differenced along its own
// coordinate, as before. A grouped value agreeing with a wrong diagonal needs the cross terms of random signs to cancel
// the mistake, which the signs make as unlikely as a random coincidence.

import type { Tolerance } from '../types';
import { FD_SAFETY } from './compare';
import {
  adaptive,
  diagonalByGradientDifferences,
  firstDerivative,
  firstStep,
  isKink,
  largestFinite,
  type EntryEstimates,
  type Estimate,
  type FirstEstimate,
} from './fd';
import { sampleWithoutReplacement } from '../random';

/** What the grouped estimate did, for the check's method text. */
export interface GroupedEstimates extends EntryEstimates {
  /** Probes (signed combinations) differenced; each costs 4 gradients, more on the adaptive ladder. */
  probes: number;
  /** Entries whose grouped value was not believed and that second differences of f settled. */
  bySecond: number;
  /** Entries whose grouped value was not believed and that were differenced alone by the gradient. */
  alone: number;
  /** Entries whose grouped value was not believed and that the limit left undifferenced (their value is NaN: not judged). */
  skipped: number;
  /** Fast mode: entries the probes could not isolate and the random sample did not take (NaN: not judged). */
  unsampled: number;
  /** Entries of `indices` left unjudged (skipped or unsampled): never differenced, so no gap in the differences. */
  unjudged: Set<number>;
}

/** What becomes of an entry whose grouped value is not believed (coupled to its group, at a kink, or wrong). */
export interface AloneRule {
  /**
   * Second differences of f at the given entries, tried first: 4 evaluations of f each, where the gradient's own
   * differences take 4 gradients (twenty to thirty times f on a dense function's tape). Absent when f costs more.
   */
  second?: (indices: Int32Array) => EntryEstimates;
  /** Entries that may still be differenced alone by the gradient; the rest stay unjudged (`skipped`). */
  gradientLimit: number;
  /** Fast mode: only this many of them are judged, a seeded uniform sample (`unsampled`: the others). */
  sample?: { size: number; uniform: () => number };
}

/**
 * Coordinates `indices` split into groups with no two entries in the same matrix row (for shape [r, c]) and no two
 * neighbours in flat order (banded problems such as Rosenbrock couple x_i and x_{i+1}); greedy, in index order.
 */
export function probeGroups(indices: Int32Array, shape: number[]): Int32Array[] {
  const columns = shape.length === 2 ? shape[1] : 1;
  const groups: { rows: Set<number>; members: Set<number>; list: number[] }[] = [];
  for (const i of indices) {
    const row = Math.floor(i / columns);
    let g = groups.find((x) => !x.rows.has(row) && !x.members.has(i - 1) && !x.members.has(i + 1));
    if (!g) groups.push((g = { rows: new Set(), members: new Set(), list: [] }));
    g.rows.add(row);
    g.members.add(i);
    g.list.push(i);
  }
  return groups.map((g) => Int32Array.from(g.list));
}

/**
 * The Hessian diagonal at `indices` (as diagonalByGradientDifferences), one probe per group; `believe(i, e)` says whether
 * an estimate e of entry i may stand (the caller compares it with the engine's diagonal), and `rule` what is done with
 * the entries whose grouped value may not.
 */
export function diagonalByGroupedGradientDifferences(
  gradientAt: (x: Float64Array) => Float64Array,
  x0: Float64Array,
  g0: Float64Array,
  indices: Int32Array,
  groups: Int32Array[],
  sign: () => number,
  target: Tolerance,
  believe: (i: number, e: Estimate) => boolean,
  rule: AloneRule = { gradientLimit: Infinity },
  /** Hears each probe u and the engine's gradient along it (cached: reading the probe's own steps costs nothing). */
  onProbe?: (u: Float64Array, along: (t: number) => Float64Array) => void,
): GroupedEstimates {
  const m = indices.length;
  const out: GroupedEstimates = {
    indices,
    value: new Float64Array(m),
    error: new Float64Array(m),
    step: new Float64Array(m),
    adapted: 0,
    kinks: [],
    probes: 0,
    bySecond: 0,
    alone: 0,
    skipped: 0,
    unsampled: 0,
    unjudged: new Set(),
  };
  const position = new Map<number, number>();
  indices.forEach((i, k) => position.set(i, k));
  const put = (i: number, e: Estimate) => {
    const k = position.get(i)!;
    out.value[k] = e.value;
    out.error[k] = e.error;
    out.step[k] = e.step;
  };
  const unjudged = (list: number[]) => list.forEach((i) => (put(i, { value: NaN, error: NaN, step: NaN }), out.unjudged.add(i)));
  const floor = largestFinite(g0);
  let retry: number[] = [];
  // A kink seen by a probe is differenced by the gradient alone, whose one-sided differences can tell it.
  const kinked = new Set<number>();

  for (const group of groups) {
    out.probes++;
    const u = new Float64Array(x0.length);
    for (const i of group) u[i] = (sign() < 0.5 ? -1 : 1) * Math.max(1, Math.abs(x0[i]));
    const along = gradientAlong(gradientAt, x0, u);
    onProbe?.(u, along);
    for (const i of group) {
      const line = { at: (t: number) => along(t)[i], snap: (t: number) => t };
      const { estimate, adapted } = adaptive((h) => perCoordinate(firstDerivative(line, h, g0[i], floor), u[i], x0[i]), firstStep(0), target);
      if (isKink(estimate) || !believe(i, estimate)) {
        if (isKink(estimate)) kinked.add(i);
        retry.push(i);
        continue;
      }
      put(i, estimate);
      if (adapted) out.adapted++;
    }
  }

  // Entries no probe covered are as unsettled as the ones a probe could not isolate.
  const probed = new Set(groups.flatMap((g) => [...g]));
  for (const i of indices) if (!probed.has(i)) retry.push(i);
  if (rule.sample && retry.length > rule.sample.size) {
    const kept = new Set(sampleWithoutReplacement(retry.length, rule.sample.size, rule.sample.uniform));
    unjudged(retry.filter((_, r) => !kept.has(r)));
    out.unsampled = retry.length - kept.size;
    retry = retry.filter((_, r) => kept.has(r));
  }
  if (rule.second && retry.length > 0) {
    // An estimate of H_ii alone has no coupling to cancel: agreeing with the engine within its own error settles it;
    // disagreeing is confirmed (or not) by the gradient's differences, first-difference accurate.
    const second = rule.second(Int32Array.from(retry.filter((i) => !kinked.has(i))));
    const disagree = retry.filter((i) => kinked.has(i));
    second.indices.forEach((i, r) => {
      const e = { value: second.value[r], error: second.error[r], step: second.step[r] };
      if (believe(i, e)) put(i, e), out.bySecond++;
      else disagree.push(i);
    });
    retry = disagree;
  }
  if (retry.length > rule.gradientLimit) {
    // Spread over the whole vector rather than the first rows, so what is judged is a fair sample.
    const limit = rule.gradientLimit;
    const kept = new Set(retry.filter((_, r) => Math.floor((r * limit) / retry.length) !== Math.floor(((r + 1) * limit) / retry.length)));
    unjudged(retry.filter((i) => !kept.has(i)));
    out.skipped = retry.length - kept.size;
    retry = retry.filter((i) => kept.has(i));
  }
  if (retry.length > 0) {
    const alone = diagonalByGradientDifferences(gradientAt, x0, g0, Int32Array.from(retry), target);
    alone.indices.forEach((i, r) => put(i, { value: alone.value[r], error: alone.error[r], step: alone.step[r] }));
    out.adapted += alone.adapted;
    out.kinks.push(...alone.kinks);
    out.alone = retry.length;
  }
  return out;
}

/** The engine's gradient at x0 + t·u, each t computed once: every entry of a group reads the same few gradients. */
function gradientAlong(gradientAt: (x: Float64Array) => Float64Array, x0: Float64Array, u: Float64Array): (t: number) => Float64Array {
  const cache = new Map<number, Float64Array>();
  const work = new Float64Array(x0.length);
  return (t) => {
    let g = cache.get(t);
    if (!g) {
      for (let k = 0; k < x0.length; k++) work[k] = x0[k] + t * u[k];
      // Copied: an evaluator may hand back a buffer it reuses.
      g = Float64Array.from(gradientAt(work));
      cache.set(t, g);
    }
    return g;
  };
}

/**
 * d/dt g_i(x0 + t·u) divided by u_i: the derivative along coordinate i. x0_i + t·u_i rounds, so the step really taken
 * differs from t·u_i by up to an ulp of x0_i; that relative error of the quotient is added to the estimate's error.
 */
function perCoordinate(e: FirstEstimate, ui: number, xi: number): FirstEstimate {
  const a = Math.abs(ui);
  const stepRounding = (Number.EPSILON * Math.max(1, Math.abs(xi))) / (e.step * a);
  return {
    value: e.value / ui,
    error: e.error / a + 2 * stepRounding * Math.abs(e.value / ui),
    step: e.step * a,
    // Along u, the right side moves coordinate i down when u_i < 0.
    left: (ui > 0 ? e.left : e.right) / ui,
    right: (ui > 0 ? e.right : e.left) / ui,
    leftError: (ui > 0 ? e.leftError : e.rightError) / a,
    rightError: (ui > 0 ? e.rightError : e.leftError) / a,
  };
}

/** Rows where the engine's H·u differs from the derivative of its gradient along u (the grouped probe's own steps). */
export interface ProductCheck {
  failingRows: number[];
  worst?: { row: number; engine: number; fd: number };
}

/**
 * Compares every row of the engine's Hessian-vector product with central differences of the gradient along u at the
 * step the grouped probes use (fd-grouped.ts), so the gradients are already computed: only H·u is new.
 */
export function hessianProductCheck(hv: Float64Array, g0: Float64Array, along: (t: number) => Float64Array, tolerance: Tolerance): ProductCheck {
  const h = firstStep(0);
  const floor = largestFinite(g0);
  const failingRows: number[] = [];
  let worst: ProductCheck['worst'];
  let worstRatio = 0;
  for (let i = 0; i < g0.length; i++) {
    const e = firstDerivative({ at: (t) => along(t)[i], snap: (t) => t }, h, g0[i], floor);
    const bound = tolerance.atol + tolerance.rtol * Math.abs(e.value) + FD_SAFETY * e.error;
    const ratio = Math.abs(hv[i] - e.value) / bound;
    if (!(ratio <= 1)) failingRows.push(i);
    if (!(ratio <= worstRatio)) (worstRatio = ratio), (worst = { row: i, engine: hv[i], fd: e.value });
  }
  return { failingRows, worst: failingRows.length > 0 ? worst : undefined };
}
