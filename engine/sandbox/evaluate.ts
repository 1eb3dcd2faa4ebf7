// The common core of a check once the user's function is loaded (in the worker, or live in the caller's process): plan → evaluator → checks.
import { createEvaluator, type ADEvaluator, type EvaluatorSpec } from '../ad/differentiate';
import { makeMatrix } from '../ad/matrix/module';
import { runChecks, type ChecksResult } from '../check/checks';
import { callSupplied, type SuppliedSpec } from '../check/supplied-call';
import { nest } from '../shape';
import { asLeaf } from '../tree';
import { toNested, validatePoint } from '../load/inputs';
import { EngineError, type CheckProgress, type PointValue, type SourceLocation } from '../types';
import { findParting, type Parting } from './divergence';
import type { SuppliedRole, WorkerPlan } from './protocol';

/** The part of a plan that does not depend on where the function came from. */
export type EvaluationPlan = Pick<WorkerPlan, 'functionName' | 'points' | 'wrtIndex' | 'evaluator' | 'checks'> & Partial<Pick<WorkerPlan, 'wrt'>>;

export interface LoadedFunctions {
  fn: (...args: unknown[]) => unknown;
  /** A method's receiver as each copy of the module has it; it is passed as a leading `this` parameter. */
  receiver?: { recording: Record<string, unknown>; plain: Record<string, unknown> };
  supplied: Partial<Record<SuppliedRole, SuppliedSpec>>;
  /** Where the arguments' arrays and objects are made (each copy's realm); the engine's own realm when absent. */
  containers?: EvaluatorSpec['containers'];
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

/** A point as the report shows it: leaves as nested arrays, objects (class instances too) as their fields. */
function pointOf(value: unknown): PointValue {
  if (typeof value === 'number') return value;
  const leaf = asLeaf(value);
  if (leaf) return nest(leaf.shape, leaf.values);
  if (Array.isArray(value)) return value.map(pointOf);
  if (typeof value !== 'object' || value === null) return value as unknown as PointValue;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => typeof v !== 'function' && v !== undefined).map(([k, v]) => [k, pointOf(v)]));
}

/** Resolves the plan's points and builds the evaluator over the loaded functions, the supplied derivatives called at the point. */
export function planEvaluator(plan: Omit<EvaluationPlan, 'checks'>, loaded: LoadedFunctions): { point: Record<string, PointValue>; evaluator: ADEvaluator; spec: EvaluatorSpec } {
  const point: Record<string, PointValue> = {};
  const params: EvaluatorSpec['params'] = plan.points.map((p) => {
    let value: unknown;
    if (p.source === 'constant') {
      const constant = loaded.constant(p.constant);
      // An array-like constant is read as numbers; a tree keeps its objects (class instances, Matrix leaves).
      value = asLeaf(constant) ? toNested(constant) : constant;
      validatePoint({ name: `${p.name} = ${p.constant}`, kind: p.kind }, value, p.location);
    } else if ('value' in p) value = p.value; // otherwise undefined: the parameter's own default applies
    if (value !== undefined) point[p.name] = pointOf(value);
    return { name: p.name, kind: p.kind, value };
  });
  const { receiver } = loaded;
  if (receiver) {
    params.unshift({ name: 'this', value: receiver.recording, plainValue: receiver.plain });
    point.this = pointOf(receiver.recording);
  }
  const spec = {
    fn: loaded.fn,
    name: plan.functionName,
    params,
    wrtIndex: plan.wrtIndex + (receiver ? 1 : 0),
    wrt: plan.wrt,
    options: plan.evaluator,
    makeMatrix,
    containers: loaded.containers,
    sourceLine: loaded.sourceLine,
  };
  const recorded = createEvaluator(spec);
  return { point, evaluator: { ...recorded, supplied: callSupplied(loaded.supplied, recorded.callAtX0) }, spec };
}

/** Builds the plan's evaluator and runs the checks. */
export function evaluatePlan(plan: EvaluationPlan, loaded: LoadedFunctions): { point: Record<string, PointValue>; result: ChecksResult } {
  const { point, evaluator, spec } = planEvaluator(plan, loaded);
  try {
    return { point, result: runChecks(evaluator, plan.checks, loaded.onProgress) };
  } catch (e) {
    if (e instanceof EngineError && e.info.kind === 'diverged' && loaded.traced) throw withParting(e, findParting(spec, loaded.traced));
    throw e;
  }
}
