// How much finite differencing a check can afford: a cost model in evaluations of f and of the gradient, and the choice of mode.
//
// per-entry: every coordinate differenced on its own (first and second differences, grouped gradient differences);
// sampled:   above the sampling threshold, a seeded sample of coordinates plus one random directional derivative;
// fast:      when neither fits the budget, directional derivatives along a few random ±1 vectors (as torch's
//            gradcheck(fast_mode=True)), localised by bisection when one fails; a few grouped gradient differences of
//            the diagonal, whose probes also check H·u at every row, and a random sample of the diagonal entries they
//            could not isolate. Each part stops at the guarantee it states, not at the end of the budget.

import type { CheckMode } from '../types';

export interface CostInputs {
  /** Entries of the wrt parameter. */
  n: number;
  /** One plain evaluation of f, and one gradient at another point (recording + reverse sweep), ms. */
  fMs: number;
  gradientMs: number;
  /** Wall-clock allowance of the finite-difference checks, ms (Infinity: no limit). */
  budgetMs: number;
  sampleThreshold: number;
  sampleSize: number;
  /** Probes (groups) the grouped gradient differences of the diagonal need over all entries, and over the sample. */
  groups: number;
  sampleGroups: number;
}

export interface ModeChoice {
  mode: CheckMode;
  /** What the per-entry (or, above the threshold, the sampled) check would cost, ms: the figure a timeout quotes. */
  fullEstimateMs: number;
  fullEvaluations: { f: number; gradient: number };
}

/** Evaluations of f spent on the noise floor (4 probes × 4) and on one step sweep (12 steps × 2). */
const NOISE_EVALUATIONS = 16;
const SWEEP_EVALUATIONS = 24;
/** Each estimate is a Richardson pair of central differences: 4 evaluations (more on the adaptive ladder). */
export const STENCIL = 4;

/** Directional derivatives of the gradient check in fast mode: a pass lets a wrong gradient through with probability ≤ 2^-k. */
export const MIN_DIRECTIONS = 3;
export const MAX_DIRECTIONS = 10;
/** Grouped probes of the diagonal in fast mode, at most: each costs 4 gradients and a Hessian-vector product. */
export const MAX_PROBES = 8;
/**
 * Diagonal entries the probes could not isolate (a dense Hessian couples every group) that fast mode judges one by one,
 * a random sample: with 64, had a tenth of them been wrong, a pass would have had probability ≤ 0.9^64 ≈ 0.1%.
 */
export const MIN_SAMPLE = 8;
export const MAX_SAMPLE = 64;
/** Shares of the budget: the gradient's directions, the diagonal's probes, its sample (the rest is headroom for the ladder). */
const DIRECTION_SHARE = 0.3;
const PROBE_SHARE = 0.3;
const SAMPLE_SHARE = 0.2;

export function fullCost(c: CostInputs): { f: number; gradient: number } {
  if (c.n <= c.sampleThreshold) {
    // Gradient: 4 per entry; diagonal: second differences 4 per entry, grouped gradient differences 4 per probe; sweeps.
    return { f: 2 * STENCIL * c.n + NOISE_EVALUATIONS + SWEEP_EVALUATIONS, gradient: STENCIL * c.groups + SWEEP_EVALUATIONS };
  }
  // Sampled: the sample, one direction, and both sweeps along f.
  return { f: STENCIL * (c.sampleSize + 1) + NOISE_EVALUATIONS + 2 * SWEEP_EVALUATIONS, gradient: STENCIL * c.sampleGroups };
}

export function chooseMode(c: CostInputs): ModeChoice {
  const fullEvaluations = fullCost(c);
  const fullEstimateMs = fullEvaluations.f * c.fMs + fullEvaluations.gradient * c.gradientMs;
  const full: CheckMode = c.n <= c.sampleThreshold ? 'per-entry' : 'sampled';
  return { mode: fullEstimateMs <= c.budgetMs ? full : 'fast', fullEstimateMs, fullEvaluations };
}

/**
 * Fast mode: how many random directions for the gradient, diagonal probes (groups), and sampled diagonal entries (each
 * 4 evaluations of f or 4 gradients, whichever is cheaper) the budget affords, up to what each guarantee needs.
 */
export function fastAllowance(c: CostInputs): { directions: number; probes: number; sample: number } {
  const within = (share: number, unitMs: number) => Math.floor((share * c.budgetMs) / (STENCIL * Math.max(unitMs, 1e-3)));
  const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
  return {
    directions: clamp(within(DIRECTION_SHARE, c.fMs), MIN_DIRECTIONS, MAX_DIRECTIONS),
    probes: Math.min(c.groups, clamp(within(PROBE_SHARE, c.gradientMs), 1, MAX_PROBES)),
    sample: clamp(within(SAMPLE_SHARE, Math.min(c.fMs, c.gradientMs)), MIN_SAMPLE, MAX_SAMPLE),
  };
}
