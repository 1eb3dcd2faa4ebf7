// Finite-difference references with per-entry steps, Richardson extrapolation, error estimates, an adaptive step and step sweeps.
//
// Every estimate comes with an error estimate that the comparison adds to its bound, so a correct engine is not
// failed where the differences themselves are inaccurate (cancellation, large |f|). Error model of one estimate:
//   truncation: |D(h/2) − D(h)|/3, the Richardson correction (it bounds the error of the extrapolated value
//               for smooth f, whose remaining error is of higher order);
//   rounding:   NOISE·ε·Σ_k |c_k|·|φ_k| over the stencil's weights c_k and samples φ_k (f is itself a long
//               computation, so its values carry more than one ulp of error: NOISE allows for that).

import type { StepSweep, Tolerance } from '../types';

const EPS = Number.EPSILON;
/**
 * How many ulps of |f| a computed f is assumed to be off by (sums over many terms round many times). With the
 * worst-case Σ|c_k||φ_k| this overestimates the rounding measured on the founding loss at n = 700 and 7,000 by 30×.
 */
const NOISE = 4;
/** One-sided estimates must differ by more than this many times their combined error estimate to call a kink. */
const KINK_SAFETY = 4;
/** An estimate is poor (and the adaptive fallback runs) when its error estimate exceeds this share of the tolerance. */
const POOR_SHARE = 0.1;
/**
 * The adaptive fallback tries the initial step times these factors and keeps the most trustworthy estimate. Not much
 * larger: far too large steps agree with each other on a wrong value (a second difference /h² tends to 0).
 */
const LADDER = [1 / 64, 1 / 16, 1 / 4, 1, 4, 16];

/** The function restricted to a line through x0: φ(t) = F(x0 + t·d), and the step really taken for a requested t. */
export interface Line {
  at(t: number): number;
  snap(t: number): number;
}

export interface Estimate {
  value: number;
  error: number;
  /** The step h of the stencil (samples at ±h and ±h/2). */
  step: number;
}

/** A first-derivative estimate with its one-sided (left, right) extrapolations, which disagree at a kink. */
export interface FirstEstimate extends Estimate {
  left: number;
  right: number;
  leftError: number;
  rightError: number;
}

/** Per-entry estimates over a set of flat coordinates. */
export interface EntryEstimates {
  indices: Int32Array;
  value: Float64Array;
  error: Float64Array;
  step: Float64Array;
  /** How many entries needed the adaptive step. */
  adapted: number;
  /** Coordinates (flat) where the one-sided differences disagree beyond their error estimates. */
  kinks: { index: number; left: number; right: number }[];
}

/** φ along coordinate i of a scalar function of the flat point; `work` is a scratch copy of x0 restored after each call. */
export function coordinateLine(fn: (x: Float64Array) => number, x0: Float64Array, i: number, work: Float64Array): Line {
  return {
    at(t) {
      work[i] = x0[i] + t;
      const v = fn(work);
      work[i] = x0[i];
      return v;
    },
    // x0 + t rounds: difference with the step actually taken, not the one asked for.
    snap: (t) => x0[i] + t - x0[i],
  };
}

/** φ along the direction u. */
export function directionLine(fn: (x: Float64Array) => number, x0: Float64Array, u: Float64Array): Line {
  const work = new Float64Array(x0.length);
  return {
    at(t) {
      for (let k = 0; k < x0.length; k++) work[k] = x0[k] + t * u[k];
      return fn(work);
    },
    snap: (t) => t,
  };
}

/**
 * φ'(0) by central differences at h and h/2 combined by Richardson, with one-sided extrapolations for kinks.
 * `floor` is a magnitude below which the samples' rounding is not assumed to shrink (a gradient entry computed as a
 * difference of larger terms carries their rounding).
 */
export function firstDerivative(line: Line, h: number, phi0: number, floor = 0): FirstEstimate {
  const s = line.snap(h);
  const t = line.snap(h / 2);
  const fp = line.at(s), fm = line.at(-s), gp = line.at(t), gm = line.at(-t);
  const d1 = (fp - fm) / (2 * s);
  const d2 = (gp - gm) / (2 * t);
  const value = (4 * d2 - d1) / 3;
  const mag = (v: number) => Math.max(Math.abs(v), floor);
  const round = NOISE * EPS * ((4 / 3) * (mag(gp) + mag(gm)) / (2 * t) + (mag(fp) + mag(fm)) / (6 * s));

  // One-sided: R = 2·D(h/2) − D(h), whose error is bounded by |D(h/2) − D(h)|.
  const a0 = mag(phi0);
  const r1 = (fp - phi0) / s, r2 = (gp - phi0) / t;
  const l1 = (phi0 - fm) / s, l2 = (phi0 - gm) / t;
  const oneSidedRound = (far: number, near: number) => NOISE * EPS * ((2 * (mag(near) + a0)) / t + (mag(far) + a0) / s);
  return {
    value,
    error: Math.abs(d2 - d1) / 3 + round,
    step: s,
    right: 2 * r2 - r1,
    left: 2 * l2 - l1,
    rightError: Math.abs(r2 - r1) + oneSidedRound(fp, gp),
    leftError: Math.abs(l2 - l1) + oneSidedRound(fm, gm),
  };
}

/** φ''(0) by second differences at h and h/2 combined by Richardson; `floor` as for firstDerivative. */
export function secondDerivative(line: Line, h: number, phi0: number, floor = 0): Estimate {
  const s = line.snap(h);
  const t = line.snap(h / 2);
  const fp = line.at(s), fm = line.at(-s), gp = line.at(t), gm = line.at(-t);
  const d1 = (fp - 2 * phi0 + fm) / (s * s);
  const d2 = (gp - 2 * phi0 + gm) / (t * t);
  const mag = (v: number) => Math.max(Math.abs(v), floor);
  const a0 = mag(phi0);
  const round = NOISE * EPS * ((4 / 3) * (mag(gp) + 2 * a0 + mag(gm)) / (t * t) + (mag(fp) + 2 * a0 + mag(fm)) / (3 * s * s));
  return { value: (4 * d2 - d1) / 3, error: Math.abs(d2 - d1) / 3 + round, step: s };
}

export function isKink(e: FirstEstimate): boolean {
  return Math.abs(e.right - e.left) > KINK_SAFETY * (e.leftError + e.rightError);
}

/**
 * The estimate at h0; when its error is poor against the tolerance, the most trustworthy over a ladder of steps
 * (as numdifftools does): each step's error is at least its distance to the estimate at the next smaller step, so a
 * large step that agrees with nothing below it (aliasing: sin sampled a period apart looks flat) is not believed.
 */
export function adaptive<E extends Estimate>(estimateAt: (h: number) => E, h0: number, target: Tolerance): { estimate: E; adapted: boolean } {
  const first = estimateAt(h0);
  if (isGood(first, target)) return { estimate: first, adapted: false };
  const ladder = LADDER.map((factor) => (factor === 1 ? first : estimateAt(h0 * factor)));
  let best = first;
  let bestError = Infinity;
  ladder.forEach((e, k) => {
    const gap = Math.abs(e.value - ladder[k === 0 ? 1 : k - 1].value);
    const error = Math.max(e.error, gap);
    if (Number.isFinite(e.value) && error < bestError) (best = { ...e, error }), (bestError = error);
  });
  return { estimate: best, adapted: true };
}

/**
 * A magnitude floor for the rounding model of f, measured: fourth differences φ(−2δ) − 4φ(−δ) + 6φ(0) − 4φ(δ) + φ(2δ)
 * at a tiny δ cancel every smooth part and leave f's own rounding (≈ 8.4σ for independent errors of size σ). When f
 * sums terms much larger than itself, σ is far above ε|f|, and the floor makes the estimates say so.
 */
export function measuredNoiseFloor(f: (x: Float64Array) => number, x0: Float64Array, f0: number, indices: Int32Array): number {
  const work = Float64Array.from(x0);
  let sigma = 0;
  const probes = Math.min(4, indices.length);
  for (let p = 0; p < probes; p++) {
    const i = indices[Math.floor((p * indices.length) / probes)];
    const line = coordinateLine(f, x0, i, work);
    const d = line.snap(1e-6 * Math.max(1, Math.abs(x0[i])));
    const fourth = line.at(-2 * d) - 4 * line.at(-d) + 6 * f0 - 4 * line.at(d) + line.at(2 * d);
    if (Number.isFinite(fourth)) sigma = Math.max(sigma, Math.abs(fourth) / 8);
  }
  // Two σ per sample, expressed as the magnitude whose NOISE ulps make that much.
  return (2 * sigma) / (NOISE * EPS);
}

function isGood(e: Estimate, target: Tolerance): boolean {
  return Number.isFinite(e.value) && e.error <= POOR_SHARE * (target.atol + target.rtol * Math.abs(e.value));
}

/** Initial step for a first difference at x: ε^(1/3) balances h² truncation against ε/h rounding. */
export function firstStep(x: number): number {
  return Math.cbrt(EPS) * Math.max(1, Math.abs(x));
}

/**
 * Initial step for a second difference at x: ε^(1/4) balances h² truncation against ε/h² rounding; the Richardson
 * stencil weighs rounding ≈ 21× (Σ|c_k| = 64/3) and removes the h² term, which moves the balance up by about 8.
 */
export function secondStep(x: number): number {
  return 8 * Math.sqrt(Math.sqrt(EPS)) * Math.max(1, Math.abs(x));
}

function firstOverEntries(
  entryFunction: (i: number) => (x: Float64Array) => number,
  x0: Float64Array,
  at0: (i: number) => number,
  indices: Int32Array,
  target: Tolerance,
  floor = 0,
): EntryEstimates {
  return overCoordinates(indices, x0, entryFunction, (line, i) => {
    const phi0 = at0(i);
    const r = adaptive((h) => firstDerivative(line, h, phi0, floor), firstStep(x0[i]), target);
    return { ...r, kink: isKink(r.estimate) ? { left: r.estimate.left, right: r.estimate.right } : undefined };
  });
}

/** One estimate per coordinate i along its own axis, with one reused work vector; a kink seen there is recorded. */
function overCoordinates(
  indices: Int32Array,
  x0: Float64Array,
  entryFunction: (i: number) => (x: Float64Array) => number,
  estimate: (line: Line, i: number) => { estimate: Estimate; adapted: boolean; kink?: { left: number; right: number } },
): EntryEstimates {
  const out = emptyEstimates(indices);
  const work = Float64Array.from(x0);
  indices.forEach((i, k) => {
    const r = estimate(coordinateLine(entryFunction(i), x0, i, work), i);
    record(out, k, r.estimate, r.adapted);
    if (r.kink) out.kinks.push({ index: i, ...r.kink });
  });
  return out;
}

/** The gradient of f by central differences + Richardson at the given coordinates (`floor`: measuredNoiseFloor). */
export function gradientByDifferences(
  f: (x: Float64Array) => number,
  x0: Float64Array,
  f0: number,
  indices: Int32Array,
  target: Tolerance,
  floor = 0,
): EntryEstimates {
  return firstOverEntries(() => f, x0, () => f0, indices, target, floor);
}

/**
 * The Hessian diagonal by central differences of the engine's gradient: ∂g_i/∂x_i with first-difference accuracy,
 * free of the cancellation that second differences of f suffer when |f| is large against the curvature.
 */
export function diagonalByGradientDifferences(
  gradientAt: (x: Float64Array) => Float64Array,
  x0: Float64Array,
  g0: Float64Array,
  indices: Int32Array,
  target: Tolerance,
): EntryEstimates {
  return firstOverEntries(gradientEntry(gradientAt), x0, (i) => g0[i], indices, target, largestFinite(g0));
}

/** ‖g‖∞ over the finite entries: gradient entries are differences of terms about this large, and round like them. */
export function largestFinite(g: Float64Array): number {
  return g.reduce((m, v) => (Number.isFinite(v) ? Math.max(m, Math.abs(v)) : m), 0);
}

/** x ↦ the engine's gradient entry i at x. */
export function gradientEntry(gradientAt: (x: Float64Array) => Float64Array): (i: number) => (x: Float64Array) => number {
  return (i) => (x) => gradientAt(x)[i];
}

/** The Hessian diagonal by second differences of f + Richardson: independent of the engine's gradient. */
export function diagonalBySecondDifferences(
  f: (x: Float64Array) => number,
  x0: Float64Array,
  f0: number,
  indices: Int32Array,
  target: Tolerance,
  floor = 0,
): EntryEstimates {
  return overCoordinates(indices, x0, () => f, (line, i) => adaptive((h) => secondDerivative(line, h, f0, floor), secondStep(x0[i]), target));
}

/** The derivative of f along u at x0 (∇f·u), for a check that covers every entry at once. */
export function directionalDerivative(
  f: (x: Float64Array) => number,
  x0: Float64Array,
  f0: number,
  u: Float64Array,
  target: Tolerance,
  floor = 0,
): FirstEstimate {
  let sq = 0;
  for (let k = 0; k < x0.length; k++) sq += x0[k] * x0[k];
  const rms = Math.sqrt(sq / Math.max(1, x0.length));
  const line = directionLine(f, x0, u);
  return adaptive((h) => firstDerivative(line, h, f0, floor), firstStep(rms), target).estimate;
}

/**
 * Plain central differences (first or second) of φ at 12 steps from 1e-1 to 1e-9 times max(1, |x|), each against the
 * engine's value: the log–log plot shows truncation falling as h², rounding rising as 1/h (1/h²), and a floor when
 * the engine's value is wrong.
 */
export function sweepSteps(
  line: Line,
  x: number,
  phi0: number,
  order: 1 | 2,
  engineValue: number,
  index: number[],
  quantity: StepSweep['quantity'],
): StepSweep {
  const scale = Math.max(1, Math.abs(x));
  const points: StepSweep['points'] = [];
  for (let k = 0; k < 12; k++) {
    const h = line.snap(scale * 10 ** (-1 - (8 * k) / 11));
    const estimate = order === 1 ? (line.at(h) - line.at(-h)) / (2 * h) : (line.at(h) - 2 * phi0 + line.at(-h)) / (h * h);
    points.push({ h, estimate, error: Math.abs(estimate - engineValue) });
  }
  return { index, quantity, reference: engineValue, points };
}

/** The estimates at `indices`, a subset of those `est` holds. */
export function estimatesAt(est: EntryEstimates, indices: Int32Array): EntryEstimates {
  const position = new Map<number, number>();
  est.indices.forEach((i, k) => position.set(i, k));
  const out = emptyEstimates(indices);
  indices.forEach((i, k) => {
    const j = position.get(i)!;
    record(out, k, { value: est.value[j], error: est.error[j], step: est.step[j] }, false);
  });
  const wanted = new Set(indices);
  out.kinks = est.kinks.filter((kink) => wanted.has(kink.index));
  return out;
}

function emptyEstimates(indices: Int32Array): EntryEstimates {
  const m = indices.length;
  return { indices, value: new Float64Array(m), error: new Float64Array(m), step: new Float64Array(m), adapted: 0, kinks: [] };
}

function record(out: EntryEstimates, k: number, e: Estimate, adapted: boolean): void {
  out.value[k] = e.value;
  out.error[k] = e.error;
  out.step[k] = e.step;
  if (adapted) out.adapted++;
}
