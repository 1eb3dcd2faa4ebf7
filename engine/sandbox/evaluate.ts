// The common core of a check once the user's function is loaded (in the worker, or live in the caller's process): plan → evaluator → checks.
import { createEvaluator, type SuppliedSpec } from '../ad/differentiate';
import { makeMatrix } from '../ad/matrix';
import { runChecks, type ChecksResult } from '../check/checks';
import { toNested, validatePoint } from '../load/inputs';
import { EngineError, type CheckProgress, type Nested, type SourceLocation } from '../types';
import { findParting, type Parting } from './divergence';
import type { SuppliedRole, WorkerPlan } from './protocol';

/** The part of a plan that does not depend on where the function came from. */
export type EvaluationPlan = Pick<WorkerPlan, 'functionName' | 'points' | 'wrtIndex' | 'evaluator' | 'checks'>;

export interface LoadedFunctions {
  fn: (...args: unknown[]) => unknown;
  supplied: Partial<Record<SuppliedRole, SuppliedSpec>>;
  /** The value of a module constant a point names (only plans with 'constant' points ask). */
  constant(name: string): unknown;
  /** An instance of the function whose every operator reports its result to `trace`, to find where two runs part. */
  traced?: (trace: (result: unknown) => void) => ((...args: unknown[]) => unknown) | undefined;
  /** The text of a source line, for explanations that name the line of a term. */
  sourceLine?: (loc: SourceLocation) => string | undefined;
  /** Hears each step of the checks with evaluations done of those planned. */
  onProgress?: (p: CheckProgress) => void;
}

function valueWords(v: unknown): string {
  return typeof v === 'boolean' ? (v ? 'true' : 'false') : typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/** The divergence error with the line where the two runs parted, when the traced re-run found it. */
function withParting(e: EngineError, parting: Parting | undefined): EngineError {
  if (!parting) return e;
  const where = parting.location ? `line ${parting.location.line}` : 'an operation the engine could not place';
  const what =
    typeof parting.plain === 'boolean' && typeof parting.recorded === 'boolean'
      ? `a condition or comparison was ${valueWords(parting.plain)} in plain JavaScript but ${valueWords(parting.recorded)} in the recording`
      : `plain JavaScript computed ${valueWords(parting.plain)}, the recording ${valueWords(parting.recorded)}`;
  return new EngineError('diverged', `${e.info.message}. The two runs part at ${where}: ${what}`, parting.location);
}

/** Resolves the plan's points, builds the evaluator over the loaded functions and runs the checks. */
export function evaluatePlan(plan: EvaluationPlan, loaded: LoadedFunctions): { point: Record<string, Nested>; result: ChecksResult } {
  const point: Record<string, Nested> = {};
  const params = plan.points.map((p) => {
    let value: unknown;
    if (p.source === 'constant') {
      value = toNested(loaded.constant(p.constant));
      validatePoint({ name: `${p.name} = ${p.constant}`, kind: p.kind }, value, p.location);
    } else if ('value' in p) value = p.value; // otherwise undefined: the parameter's own default applies
    if (value !== undefined) point[p.name] = value as Nested;
    return { name: p.name, kind: p.kind, value: value as Nested };
  });
  const spec = { fn: loaded.fn, name: plan.functionName, params, wrtIndex: plan.wrtIndex, supplied: loaded.supplied, options: plan.evaluator, makeMatrix, sourceLine: loaded.sourceLine };
  const evaluator = createEvaluator(spec);
  try {
    return { point, result: runChecks(evaluator, plan.checks, loaded.onProgress) };
  } catch (e) {
    if (e instanceof EngineError && e.info.kind === 'diverged' && loaded.traced) throw withParting(e, findParting(spec, loaded.traced));
    throw e;
  }
}
