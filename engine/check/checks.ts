// The four checks of one run: engine gradient and Hessian diagonal against finite differences, supplied derivatives against the engine.
//
// Default tolerances (engine/types.ts defaultTolerances; README "What it computes"):
//   fd:       rtol 1e-3, atol 1e-5 — as torch.autograd.gradcheck in double; the bound also grows by FD_SAFETY × the
//             per-entry FD error estimate (compare.ts), so inaccurate differences never fail a correct engine;
//   supplied: rtol 1e-8, atol 1e-10 — two float64 computations of the same quantity agree to ~1e-10 or better.

import { EngineError, type Check, type CheckId, type CheckPlan, type CheckProgress, type StepSweep, type Tolerance } from '../types';
import { sizeOf } from '../shape';
import type { Contributions, Derivatives, Evaluator, Supplied } from '../evaluator';
import { measuredNoiseFloor } from './fd';
import { fastGradientCheck } from './fd-fast';
import { probeGroups } from './fd-grouped';
import { diagonalCheck, gradientCheck, type FdPlan } from './fd-checks';
import { chooseMode, fastAllowance, STENCIL, type CostInputs } from './fd-plan';
import { rademacher, sampleWithoutReplacement, seededUniform } from '../random';
import { inconclusiveCheck, suppliedCheck, type SuppliedContext } from './supplied-checks';
import { primitives } from '../ad/primitives';
import { count, num } from './words';
import type { LeafSlot } from '../tree';

export interface CheckOptions {
  fd: Tolerance;
  supplied: Tolerance;
  /** Above this many entries the FD checks sample coordinates and add one directional derivative. */
  sampleThreshold: number;
  sampleSize: number;
  seed: number;
  /** Wall-clock allowance of the finite-difference checks, ms: beyond it they switch to fast mode (fd-plan.ts). Absent: no limit. */
  budgetMs?: number;
}

export interface ChecksResult {
  /** The wrt's shape ([n] for a vector of leaves) and, for a tree or several paths, where each leaf sits. */
  shape: number[];
  leaves?: LeafSlot[];
  derivatives: Derivatives;
  checks: Check[];
  stepSweeps: StepSweep[];
  notes: string[];
  timingsMs: { evaluate: number; finiteDifference: number; supplied: number };
  plan: CheckPlan;
}

/** The supplied checks' relative tolerance when the function rounds values to float32. */
const FLOAT32_RTOL = 1e-6;

/** Timing f for the plan: at most this many evaluations, and no more once they have taken this long. */
const TIMING_EVALUATIONS = 12;
const TIMING_MS = 40;

/** Reports progress at most this often: each message also tells the host the worker is alive. */
const PROGRESS_INTERVAL_MS = 100;

export function runChecks(plainEv: Evaluator, opts: CheckOptions, onProgress?: (p: CheckProgress) => void): ChecksResult {
  const meter = new Meter(onProgress);
  const ev = meter.wrap(plainEv);
  meter.phase('evaluating', 1);
  const { f0, ms: evaluate } = timeEvaluation(ev);
  meter.phase('differentiating', 1, evaluate);
  const derivatives = ev.derivatives();
  const notes = [...derivatives.notes];
  // The safety net: the recording must compute exactly what plain JavaScript computes, or its derivatives are of another function.
  if (!Object.is(f0, derivatives.value)) {
    throw new EngineError(
      'diverged',
      `the engine's recording computed ${derivatives.value} but plain JavaScript computes ${f0}: the code treats a value that depends on the input differently from a number somewhere (or keeps state from one call to the next), so no derivative can be trusted`,
    );
  }

  let start = performance.now();
  const budgetMs = opts.budgetMs ?? Infinity;
  // Planning evaluates f already (the noise floor): a hang there belongs to this phase.
  meter.phase('finite-differences', 1, evaluate);
  const { plan, summary } = planCoordinates(ev, f0, opts, { fMs: evaluate, gradientMs: derivatives.timingsMs.gradient, budgetMs });
  meter.phase('finite-differences', summary.plannedEvaluations, evaluate, plan.mode);
  const gradient = plan.fast
    ? fastGradientCheck(ev, derivatives, f0, plan, opts.fd, start + budgetMs / 2)
    : gradientCheck(ev, derivatives, f0, plan, opts.fd);
  const diagonal = diagonalCheck(ev, derivatives, f0, plan, opts.fd, { failed: gradient.check.status === 'fail', fdKinks: gradient.fdKinks });
  const finiteDifference = performance.now() - start;
  notes.push(...gradient.notes, ...diagonal.notes);
  summary.evaluations = { ...meter.counts };
  summary.guarantee = [gradient.guarantee, diagonal.guarantee].filter((g): g is string => g !== undefined);
  meter.phase('supplied', 1);
  const checks = [gradient.check, diagonal.check];
  const stepSweeps = [gradient.sweep, diagonal.sweep].filter((s): s is StepSweep => s !== undefined);

  start = performance.now();
  const context = suppliedContext(ev);
  // Values rounded to float32 (a Float32Array): a hand-written derivative in double differs from the engine's by
  // float32 rounding, so the supplied checks allow that much (float32's epsilon is 1.2e-7; about ten of them, accumulated).
  const float32 = derivatives.notes.some((n) => n.endsWith(primitives.fround.convention!));
  const suppliedTolerance = float32 ? { ...opts.supplied, rtol: Math.max(opts.supplied.rtol, FLOAT32_RTOL) } : opts.supplied;
  if (float32 && suppliedTolerance.rtol !== opts.supplied.rtol) notes.push(`values were rounded to float32: supplied derivatives are compared with rtol ${FLOAT32_RTOL}`);
  if (ev.supplied.gradient) {
    const s = ev.supplied.gradient;
    checks.push(judgeSupplied('supplied-gradient', s, gradient.check, { ...context, truth: derivatives.gradient }, suppliedTolerance, opts.fd));
  }
  if (ev.supplied.hessianDiagonal) {
    const s = ev.supplied.hessianDiagonal;
    const ctx = { ...context, truth: derivatives.hessianDiagonal, stdError: derivatives.hessianDiagonalStdError };
    checks.push(judgeSupplied('supplied-hessian-diagonal', s, diagonal.check, ctx, suppliedTolerance, opts.fd));
  }
  const supplied = performance.now() - start;
  return { shape: ev.shape, ...(ev.leaves ? { leaves: ev.leaves } : {}), derivatives, checks, stepSweeps, notes, timingsMs: { evaluate, finiteDifference, supplied }, plan: summary };
}

/**
 * A supplied derivative against the engine, unless the engine failed against finite differences: then against the
 * differences themselves (their tolerance and error estimate), or, when those were sampled, not judged at all.
 */
function judgeSupplied(id: CheckId, s: Supplied, engineCheck: Check, ctx: SuppliedContext, tolerance: Tolerance, fd: Tolerance): Check {
  if (engineCheck.status !== 'fail') return suppliedCheck(id, s, ctx, tolerance);
  const reference = engineCheck.reference === undefined ? undefined : Float64Array.from([engineCheck.reference].flat(2) as number[]);
  if (reference === undefined || reference.some(Number.isNaN) || engineCheck.errorEstimate === undefined) {
    return inconclusiveCheck(id, s, tolerance, `the engine failed against finite differences (${engineCheck.id}), which cover only some entries`);
  }
  const errorEstimate = Float64Array.from([engineCheck.errorEstimate].flat(2) as number[]);
  return suppliedCheck(id, s, { ...ctx, truth: reference, stdError: undefined, finiteDifferences: { errorEstimate } }, fd);
}

/** Counts evaluations of f and of the gradient at other points, and reports progress (throttled) as they complete. */
class Meter {
  readonly counts = { f: 0, gradient: 0 };
  private current: CheckProgress = { phase: 'evaluating', done: 0, total: 1 };
  private lastSent = -Infinity;

  constructor(private readonly onProgress?: (p: CheckProgress) => void) {}

  wrap(ev: Evaluator): Evaluator {
    return Object.assign(Object.create(ev) as Evaluator, {
      f: (x: Float64Array) => {
        const v = ev.f(x);
        this.tick('f');
        return v;
      },
      gradientAt: (x: Float64Array) => {
        const g = ev.gradientAt(x);
        this.tick('gradient');
        return g;
      },
    });
  }

  phase(phase: CheckProgress['phase'], total: number, evaluationMs?: number, mode?: CheckPlan['mode']): void {
    this.current = { phase, done: 0, total, ...(evaluationMs !== undefined ? { evaluationMs } : {}), ...(mode ? { mode } : {}) };
    this.send(true);
  }

  private tick(kind: 'f' | 'gradient'): void {
    this.counts[kind]++;
    this.current.done++;
    this.send(false);
  }

  private send(always: boolean): void {
    if (!this.onProgress) return;
    const now = performance.now();
    if (!always && now - this.lastSent < PROGRESS_INTERVAL_MS) return;
    this.lastSent = now;
    this.onProgress({ ...this.current, done: Math.min(this.current.done, this.current.total) });
  }
}

/**
 * f at x0, and how long one plain evaluation takes once V8 has optimised f, as the thousands of evaluations of the
 * finite differences will run: the fastest after the first (which compiles f), repeated up to TIMING_EVALUATIONS
 * times or TIMING_MS. One early timing misled the plan by two to ten times on a dense function (a t-SNE cost took
 * 0.9–2.5 ms in its second evaluation and 0.4 ms from its tenth), and the check into fast mode.
 */
function timeEvaluation(ev: Evaluator): { f0: number; ms: number } {
  const times: number[] = [];
  let f0 = NaN;
  let spent = 0;
  do {
    const t = performance.now();
    f0 = ev.f(ev.x0);
    const took = performance.now() - t;
    times.push(took);
    spent += took;
  } while (times.length < 2 || (times.length < TIMING_EVALUATIONS && spent < TIMING_MS));
  return { f0, ms: Math.min(...times.slice(1)) };
}

/**
 * The mode the budget allows (fd-plan.ts) and its coordinates. Costs are measured, not guessed: one plain evaluation of
 * f, and the engine's gradient (a recording and a reverse sweep, what each gradient at another point costs).
 */
function planCoordinates(
  ev: Evaluator,
  f0: number,
  opts: CheckOptions,
  cost: { fMs: number; gradientMs: number; budgetMs: number },
): { plan: FdPlan; summary: CheckPlan } {
  const n = ev.n;
  const all = Int32Array.from({ length: n }, (_, i) => i);
  const uniform = seededUniform(opts.seed);
  const sampled = n > opts.sampleThreshold ? sampleWithoutReplacement(n, Math.min(opts.sampleSize, n), uniform) : all;
  const sampleGroups = probeGroups(sampled, ev.shape);
  // Finite budget only: above the threshold the grouping of every entry is only needed for fast mode.
  const allGroups = sampled === all ? sampleGroups : Number.isFinite(cost.budgetMs) ? probeGroups(all, ev.shape) : sampleGroups;
  const inputs: CostInputs = { n, ...cost, sampleThreshold: opts.sampleThreshold, sampleSize: opts.sampleSize, groups: allGroups.length, sampleGroups: sampleGroups.length };
  let choice = chooseMode(inputs);
  // The engine's own gradient was the first recording, compiled cold, and one timing on a loaded machine can be
  // several times the function's real cost: a warm gradient (and two more while they are cheap next to the budget;
  // the fastest counts) before giving up on the full check, so that the mode, and with it the verdict, of a small
  // function does not follow the machine's load.
  for (let retry = 0; choice.mode === 'fast' && (retry === 0 || (retry < 3 && cost.gradientMs < cost.budgetMs / 20)); retry++) {
    const t = performance.now();
    ev.gradientAt(ev.x0);
    inputs.gradientMs = cost.gradientMs = Math.min(cost.gradientMs, performance.now() - t);
    choice = chooseMode(inputs);
  }
  // Second differences of f settle a diagonal entry for 4 evaluations of f, the gradient's for 4 gradients.
  const preferSecond = cost.fMs < cost.gradientMs;
  const base = { n, seed: opts.seed, mode: choice.mode, preferSecond };
  const summary: CheckPlan = {
    mode: choice.mode,
    budgetMs: cost.budgetMs,
    evaluationMs: cost.fMs,
    gradientMs: cost.gradientMs,
    fullEstimateMs: choice.fullEstimateMs,
    plannedEvaluations: choice.fullEvaluations.f + choice.fullEvaluations.gradient,
    evaluations: { f: 0, gradient: 0 },
    guarantee: [],
  };
  if (choice.mode === 'per-entry' || choice.mode === 'sampled') {
    const remaining = cost.budgetMs - choice.fullEstimateMs;
    const plan: FdPlan = {
      ...base,
      indices: sampled,
      noiseFloor: measuredNoiseFloor(ev.f.bind(ev), ev.x0, f0, sampled),
      groups: sampleGroups,
      aloneLimit: aloneLimit(remaining, cost.gradientMs),
      // The plan's estimate counts second differences at every planned entry.
      secondLimit: Infinity,
      ...(choice.mode === 'sampled' ? { direction: rademacher(n, uniform) } : {}),
    };
    return { plan, summary };
  }
  const allowance = fastAllowance(inputs);
  const directions = Array.from({ length: allowance.directions }, () => rademacher(n, uniform));
  // The probes spread over the groups rather than the first ones.
  const chosen = Array.from({ length: allowance.probes }, (_, k) => allGroups[Math.floor((k * allGroups.length) / allowance.probes)]);
  const spentMs = STENCIL * (allowance.directions * cost.fMs + allowance.probes * cost.gradientMs + allowance.sample * Math.min(cost.fMs, cost.gradientMs));
  const plan: FdPlan = {
    ...base,
    // Every entry: those the probes do not settle join the random sample.
    indices: all,
    // Two coordinates (not four) for the noise floor: every evaluation counts here.
    noiseFloor: measuredNoiseFloor(ev.f.bind(ev), ev.x0, f0, Int32Array.from(new Set([0, n - 1]))),
    groups: chosen,
    // The sample is paid for: by second differences of f when cheaper, otherwise by the gradient's own differences.
    aloneLimit: (preferSecond ? 0 : allowance.sample) + aloneLimit(cost.budgetMs - spentMs, cost.gradientMs),
    sample: allowance.sample,
    // Used only when the gradient failed: then the probes' gradients are not spent, and f's second differences may use their time.
    secondLimit: Math.max(1, Math.floor((cost.budgetMs - STENCIL * allowance.directions * cost.fMs) / (STENCIL * Math.max(cost.fMs, 1e-3)))),
    fast: { directions },
  };
  summary.plannedEvaluations = STENCIL * (allowance.directions + allowance.probes + allowance.sample);
  summary.reason =
    `the ${n > opts.sampleThreshold ? 'sampled' : 'per-entry'} check would need ~${count(choice.fullEvaluations.f)} evaluations of f at ${num(cost.fMs)} ms` +
    (choice.fullEvaluations.gradient > 0 ? ` and ${count(choice.fullEvaluations.gradient)} gradients at ${num(cost.gradientMs)} ms` : '') +
    ` ≈ ${num(choice.fullEstimateMs / 1000)} s, more than the budget of ${num(cost.budgetMs / 1000)} s`;
  return { plan, summary };
}

/** Diagonal entries that may still be differenced alone (4 gradients each) with `remainingMs` left. */
function aloneLimit(remainingMs: number, gradientMs: number): number {
  if (!Number.isFinite(remainingMs)) return Infinity;
  return Math.max(0, Math.floor(remainingMs / (STENCIL * Math.max(gradientMs, 1e-3))));
}

/** What the explanations may ask of the engine, computed at most once per run. */
function suppliedContext(ev: Evaluator) {
  let rowSums: Float64Array | undefined;
  let others: { name: string; gradient: Float64Array }[] | undefined;
  let byLine: Contributions | undefined;
  return {
    functionName: ev.name,
    wrt: ev.wrt,
    shape: ev.shape,
    leaves: ev.leaves,
    paths: ev.paths,
    // One Hessian-vector product with v = 1 gives H·1, the row sums that "elementwise gradient twice" returns.
    rowSums: () => (rowSums ??= ev.hvp(new Float64Array(ev.n).fill(1))),
    otherGradients: () =>
      (others ??= ev.otherParams
        .filter((p) => sizeOf(p.shape) === ev.n)
        .flatMap((p) => {
          const gradient = ev.gradientWrt(p.name);
          return gradient ? [{ name: p.name, gradient }] : [];
        })),
    otherShapes: ev.otherParams,
    contributions: ev.contributions && (() => (byLine ??= ev.contributions!())),
  };
}
