// The four checks of one run: engine gradient and Hessian diagonal against finite differences, supplied derivatives against the engine.
//
// Default tolerances (engine/types.ts defaultTolerances, PRODUCT.md §3):
//   fd:       rtol 1e-3, atol 1e-5 — as torch.autograd.gradcheck in double; the bound also grows by FD_SAFETY × the
//             per-entry FD error estimate (compare.ts), so inaccurate differences never fail a correct engine;
//   supplied: rtol 1e-8, atol 1e-10 — two float64 computations of the same quantity agree to ~1e-10 or better.

import { EngineError, type Check, type StepSweep, type Tolerance } from '../types';
import type { Derivatives, Evaluator } from './evaluator';
import { measuredNoiseFloor } from './fd';
import { probeGroups } from './fd-grouped';
import { diagonalCheck, gradientCheck, type FdPlan } from './fd-checks';
import { rademacher, sampleWithoutReplacement, seededUniform } from './random';
import { suppliedCheck } from './supplied-checks';

export interface CheckOptions {
  fd: Tolerance;
  supplied: Tolerance;
  /** Above this many entries the FD checks sample coordinates and add one directional derivative. */
  sampleThreshold: number;
  sampleSize: number;
  seed: number;
}

export interface ChecksResult {
  derivatives: Derivatives;
  checks: Check[];
  stepSweeps: StepSweep[];
  notes: string[];
  timingsMs: { evaluate: number; finiteDifference: number; supplied: number };
}

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
  if (ev.supplied.gradient) {
    checks.push(suppliedCheck('supplied-gradient', ev.supplied.gradient, { ...context, truth: derivatives.gradient }, opts.supplied));
  }
  if (ev.supplied.hessianDiagonal) {
    checks.push(
      suppliedCheck(
        'supplied-hessian-diagonal',
        ev.supplied.hessianDiagonal,
        { ...context, truth: derivatives.hessianDiagonal, stdError: derivatives.hessianDiagonalStdError },
        opts.supplied,
      ),
    );
  }
  const supplied = performance.now() - start;
  return { derivatives, checks, stepSweeps, notes, timingsMs: { evaluate, finiteDifference, supplied } };
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
  return {
    wrt: ev.wrt,
    shape: ev.shape,
    // One Hessian-vector product with v = 1 gives H·1, the row sums that "elementwise gradient twice" returns.
    rowSums: () => (rowSums ??= ev.hvp(new Float64Array(ev.n).fill(1))),
    otherGradients: () =>
      (others ??= ev.otherParams
        .filter((p) => p.shape.reduce((a, b) => a * b, 1) === ev.n)
        .flatMap((p) => {
          const gradient = ev.gradientWrt(p.name);
          return gradient ? [{ name: p.name, gradient }] : [];
        })),
  };
}
