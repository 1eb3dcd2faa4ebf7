// The four checks of one run: engine gradient and Hessian diagonal against finite differences, supplied derivatives against the engine.
//
// Default tolerances (engine/types.ts defaultTolerances, PRODUCT.md §3):
//   fd:       rtol 1e-3, atol 1e-5 — as torch.autograd.gradcheck in double; the bound also grows by FD_SAFETY × the
//             per-entry FD error estimate (compare.ts), so inaccurate differences never fail a correct engine;
//   supplied: rtol 1e-8, atol 1e-10 — two float64 computations of the same quantity agree to ~1e-10 or better.

import { EngineError, type Check, type CheckId, type StepSweep, type Tolerance } from '../types';
import type { Contributions, Derivatives, Evaluator, Supplied } from './evaluator';
import { measuredNoiseFloor } from './fd';
import { probeGroups } from './fd-grouped';
import { diagonalCheck, gradientCheck, type FdPlan } from './fd-checks';
import { rademacher, sampleWithoutReplacement, seededUniform } from './random';
import { inconclusiveCheck, suppliedCheck, type SuppliedContext } from './supplied-checks';
import { primitives } from '../ad/primitives';
import type { LeafSlot } from './tree';

export interface CheckOptions {
  fd: Tolerance;
  supplied: Tolerance;
  /** Above this many entries the FD checks sample coordinates and add one directional derivative. */
  sampleThreshold: number;
  sampleSize: number;
  seed: number;
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
}

/** The supplied checks' relative tolerance when the function rounds values to float32. */
const FLOAT32_RTOL = 1e-6;

/** A plain evaluation of f at x0 this long or shorter is repeated to take a median. */
const FAST_EVALUATION_MS = 20;

export function runChecks(ev: Evaluator, opts: CheckOptions): ChecksResult {
  const { f0, ms: evaluate } = timeEvaluation(ev);
  const derivatives = ev.derivatives();
  const notes = [...derivatives.notes];
  // The safety net: the recording must compute exactly what plain JavaScript computes, or its derivatives are of another function.
  if (!Object.is(f0, derivatives.value)) {
    throw new EngineError(
      'diverged',
      `the engine's recording computed ${derivatives.value} but plain JavaScript computes ${f0}: the code treats a value that depends on the input differently from a number somewhere, so no derivative can be trusted`,
    );
  }

  let start = performance.now();
  const plan = planCoordinates(ev, f0, opts);
  const gradient = gradientCheck(ev, derivatives, f0, plan, opts.fd);
  const diagonal = diagonalCheck(ev, derivatives, f0, plan, opts.fd, { failed: gradient.check.status === 'fail', fdKinks: gradient.fdKinks });
  const finiteDifference = performance.now() - start;
  notes.push(...gradient.notes, ...diagonal.notes);
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
  return { shape: ev.shape, ...(ev.leaves ? { leaves: ev.leaves } : {}), derivatives, checks, stepSweeps, notes, timingsMs: { evaluate, finiteDifference, supplied } };
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

/** f at x0, and how long one plain evaluation takes (the median of five when it is fast). */
function timeEvaluation(ev: Evaluator): { f0: number; ms: number } {
  const times: number[] = [];
  let f0 = NaN;
  do {
    const t = performance.now();
    f0 = ev.f(ev.x0);
    times.push(performance.now() - t);
  } while (times.length < 5 && times[0] <= FAST_EVALUATION_MS);
  times.sort((a, b) => a - b);
  return { f0, ms: times[times.length >> 1] };
}

function planCoordinates(ev: Evaluator, f0: number, opts: CheckOptions): FdPlan {
  const n = ev.n;
  const common = (indices: Int32Array) => ({
    n,
    indices,
    noiseFloor: measuredNoiseFloor(ev.f.bind(ev), ev.x0, f0, indices),
    groups: probeGroups(indices, ev.shape),
    seed: opts.seed,
  });
  if (n <= opts.sampleThreshold) return common(Int32Array.from({ length: n }, (_, i) => i));
  const uniform = seededUniform(opts.seed);
  const indices = sampleWithoutReplacement(n, Math.min(opts.sampleSize, n), uniform);
  return { ...common(indices), direction: rademacher(n, uniform) };
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
        .filter((p) => p.shape.reduce((a, b) => a * b, 1) === ev.n)
        .flatMap((p) => {
          const gradient = ev.gradientWrt(p.name);
          return gradient ? [{ name: p.name, gradient }] : [];
        })),
    otherShapes: ev.otherParams,
    contributions: ev.contributions && (() => (byLine ??= ev.contributions!())),
  };
}
