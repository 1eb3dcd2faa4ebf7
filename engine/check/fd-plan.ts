// How much finite differencing a check can afford: a cost model in evaluations of f and of the gradient, and the choice of mode.
//
// per-entry: every coordinate differenced on its own (first and second differences, grouped gradient differences);
// sampled:   above the sampling threshold, a seeded sample of coordinates plus one random directional derivative;
// fast:      when neither fits the budget, directional derivatives along a few random ±1 vectors (as torch's
//            gradcheck(fast_mode=True)), localised by bisection when one fails, and as many grouped gradient differences
//            of the diagonal as the budget affords.

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
/** Shares of the budget: the gradient's directions, then the diagonal's probes (the rest is headroom for the ladder). */
const DIRECTION_SHARE = 0.3;
const PROBE_SHARE = 0.4;

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

/** Fast mode: how many random directions for the gradient, and how many diagonal probes (groups), the budget affords. */
export function fastAllowance(c: CostInputs): { directions: number; probes: number } {
  const directions = Math.floor((DIRECTION_SHARE * c.budgetMs) / (STENCIL * Math.max(c.fMs, 1e-3)));
  const probes = Math.floor((PROBE_SHARE * c.budgetMs) / (STENCIL * Math.max(c.gradientMs, 1e-3)));
  return {
    directions: Math.min(MAX_DIRECTIONS, Math.max(MIN_DIRECTIONS, directions)),
    probes: Math.min(c.groups, Math.max(1, probes)),
  };
}
