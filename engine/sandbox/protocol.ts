// The typed messages between the host (engine/sandbox/host.ts) and the evaluation worker (engine/sandbox/worker.ts).
import type { ChecksResult } from '../check/checks';
import type { CheckProgress, EngineErrorInfo, EngineOptions, MethodInfo, PointValue, SourceLocation, Tolerance } from '../types';
import type { PlannedPoint } from '../load/inputs';
import type { WrtPath } from '../paths';

/** A method's receiver: a module constant, `new Class()`, or the module constant the method belongs to. */
export type Receiver = { kind: 'constant'; name: string } | { kind: 'new' } | { kind: 'owner' };

export { mlMatrixGlobal, moduleGlobal } from '../load/bundle';

/** Export aliases the bundle's appended line gives the names the worker needs. */
export const fnAlias = '__dlens_fn';
export const suppliedAliases = { gradient: '__dlens_gradient', hessianDiagonal: '__dlens_hessian_diagonal', objective: '__dlens_objective' } as const;
export const constantAlias = (name: string) => `__dlens_c_${name}`;

export type SuppliedRole = keyof typeof suppliedAliases;

/** Everything the worker needs for one check; sent as workerData (structured clone). */
export interface WorkerPlan {
  /** The bundle as esbuild wrote it (the worker rewrites its operators) and its source map. */
  code: string;
  map: string;
  sourceRoot: string;
  functionName: string;
  points: PlannedPoint[];
  wrtIndex: number;
  /** The paths differentiated (parameters, parts of them, `this.…`). */
  wrt: WrtPath[];
  /** For a method: fnAlias exports its class or object; the receiver is passed as a leading `this` parameter. */
  method?: { member: string; kind: MethodInfo['kind']; receiver?: Receiver };
  supplied: Partial<Record<SuppliedRole, { name: string; location?: SourceLocation }>>;
  evaluator: Pick<EngineOptions, 'hessianDiagonal' | 'estimateProbes' | 'seed'>;
  checks: { fd: Tolerance; supplied: Tolerance; sampleThreshold: number; sampleSize: number; seed: number; budgetMs: number };
  /** The checked file's text as bundled (unsaved edits included), to quote the line an explanation names. */
  source?: { file: string; text: string };
}

export interface WorkerSuccess {
  type: 'result';
  /** Every parameter's evaluation point, module constants resolved. */
  point: Record<string, PointValue>;
  result: ChecksResult;
  /** What the user's code printed with console.*, capped. */
  console: string[];
}

export interface WorkerFailure {
  type: 'error';
  error: EngineErrorInfo;
}

/** Sent while a check runs (at most every 100 ms, as evaluations complete): progress, and a sign of life for the time limit. */
export interface WorkerProgress {
  type: 'progress';
  progress: CheckProgress;
}

export type WorkerMessage = WorkerSuccess | WorkerFailure | WorkerProgress;
