// The contracts shared by the engine, the CLI, the library API and the extension: requests, reports, errors.

/** A value in the shape of a parameter: a number, or nested arrays of numbers (row-major). */
export type Nested = number | Nested[];

/** An evaluation point as JSON: nested arrays, or a tree of objects and arrays whose leaves are those (`{ "w": [1, 2], "b": 0.1 }`). */
export type PointValue = Nested | PointValue[] | { [key: string]: PointValue };

/** A place in the user's TypeScript source. `line` and `column` are 1-based. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

export type CheckId = 'gradient-vs-fd' | 'hessian-diagonal-vs-fd' | 'supplied-gradient' | 'supplied-hessian-diagonal';
export type CheckStatus = 'pass' | 'fail' | 'warn';

/** `|actual − expected| ≤ atol + rtol·|expected|`, per entry. */
export interface Tolerance {
  rtol: number;
  atol: number;
}

export interface Mismatch {
  /** The entry as the user reads it: `Y[0][3]`, `p.w[1]`, `this.layers[0].W[2][1]`. */
  entry: string;
  /**
   * Multi-index into the wrt parameter ([] for a scalar, [i] for a vector, [i, j] for a matrix); for a tree or several
   * paths, [k]: the position in the vector of all leaves (Report.leaves says which leaf holds it).
   */
  index: number[];
  /** The reference: finite differences for the *-vs-fd checks, the engine for supplied-* checks. */
  expected: number;
  /** The value under test: the engine for the *-vs-fd checks, the supplied function for supplied-*. */
  actual: number;
  absError: number;
  /** The bound this entry had to meet (atol + rtol·|expected|, widened by the FD error estimate for FD checks). */
  bound: number;
}

/** A point where the function is not differentiable (|x| at 0, a max with a tie, floor, ...). */
export interface Kink {
  /** The operation, as the user wrote it: 'Math.abs', 'Math.max', '%', 'Math.floor', ... */
  op: string;
  /** Where in the user's source, when the engine could tell. */
  location?: SourceLocation;
  /** Entries of the wrt parameter that this kink depends on (multi-indices, at most 20). */
  entries: number[][];
  /** Words for the report: "Math.abs at 0", "Math.max with a tie". */
  detail: string;
}

/** A sweep of central-difference error against step size, for the report's log–log plot. */
export interface StepSweep {
  index: number[];
  quantity: 'gradient' | 'hessian-diagonal';
  reference: number;
  points: { h: number; estimate: number; error: number }[];
}

export interface Check {
  id: CheckId;
  status: CheckStatus;
  maxAbsError: number;
  maxRelError: number;
  /** Worst first, at most 20. */
  mismatches: Mismatch[];
  /** How many entries failed in total (mismatches holds only the worst). */
  mismatchCount: number;
  /** One line for humans: "gradient matches finite differences (35 entries, max rel error 2e-9)". */
  summary: string;
  /** A few words naming what made the check warn, for badges and lenses: "x[0] is Infinity", "x[3] not checked". */
  headline?: string;
  /** The likely cause of a failure, in words, when the numbers support one. */
  explanation?: string;
  /** The numbers behind the explanation (fitted factor, residual, ...). */
  evidence?: Record<string, number | string>;
  /** Other fits that explain the same numbers, less simple than `explanation`. */
  alternatives?: string[];
  /** The source line the explanation names ("lacks the contribution of line 14"). */
  explanationLocation?: SourceLocation;
  tolerance: Tolerance;
  /** How the reference was obtained: "central differences + Richardson on all 35 entries", "sampled 64 of 35,000 + 1 directional". */
  method?: string;
  /** Kinks that explain a `warn`. */
  kinks?: Kink[];
  /** For supplied-* checks: where the supplied function is. */
  location?: SourceLocation;
  /** For *-vs-fd checks: the FD reference and its per-entry error estimate (wrt shape; absent entries are NaN when sampled). */
  reference?: Nested;
  errorEstimate?: Nested;
  /** For supplied-* checks: what the supplied function returned, reshaped to the wrt shape when it could be. */
  supplied?: Nested;
}

export type HessianDiagonalMethod =
  | 'exact: second-order adjoints over the tape'
  | 'exact: Hessian-vector products'
  | 'estimate: Hutchinson/Bekas';

/** How the finite-difference checks were planned: per entry, sampled above the threshold, or fast (over the budget). */
export type CheckMode = 'per-entry' | 'sampled' | 'fast';

/** What the finite-difference checks cost and what their pass means (engine/check/fd-plan.ts). */
export interface CheckPlan {
  mode: CheckMode;
  /** The allowance of the finite-difference checks, ms. */
  budgetMs: number;
  /** One plain evaluation of f, and one gradient at another point, ms (measured at the start of the check). */
  evaluationMs: number;
  gradientMs: number;
  /** What the per-entry (above the threshold: sampled) check would cost, ms. */
  fullEstimateMs: number;
  /** Evaluations (of f and of the gradient) the chosen mode planned, and those it made. */
  plannedEvaluations: number;
  evaluations: { f: number; gradient: number };
  /** Why fast mode ran: the numbers of the check it replaced. */
  reason?: string;
  /** What a pass guarantees, one line per check, when a check did not compare every entry on its own. */
  guarantee: string[];
}

/** A step of a running check, for progress displays; done/total count evaluations within the phase. */
export interface CheckProgress {
  phase: 'starting' | 'bundling' | 'loading' | 'evaluating' | 'differentiating' | 'finite-differences' | 'supplied';
  done: number;
  total: number;
  /** One plain evaluation of f, ms, once measured. */
  evaluationMs?: number;
  mode?: CheckMode;
}

export interface Report {
  /** The checked function's name and where it is. */
  function: string;
  file: string;
  location?: SourceLocation;
  value: number;
  /** The wrt path, or the paths joined by ', '. */
  wrt: string;
  /**
   * [] scalar, [n] vector, [r, c] matrix; for a tree or several paths, each leaf's shape keyed by its full path
   * (`"p.w"`, `"this.layers[0].W"`), and so are `gradient`, `hessianDiagonal` and `hessianDiagonalStdError`.
   */
  shape: number[] | Record<string, number[]>;
  /** For a tree or several paths: where each leaf sits in the vector of all leaves (mismatch indices are positions in it). */
  leaves?: { path: string; shape: number[]; offset: number; size: number }[];
  /** The evaluation point of every parameter (and `this` for a method), by name. */
  point: Record<string, PointValue>;
  gradient: Nested | Record<string, Nested>;
  hessianDiagonal: Nested | Record<string, Nested>;
  hessianDiagonalMethod: HessianDiagonalMethod | string;
  /** Derivative passes over the recorded function (reverse sweeps, forward sweeps, HVPs). */
  passes: number;
  /** Standard error per entry when hessianDiagonalMethod is an estimate. */
  hessianDiagonalStdError?: Nested | Record<string, Nested>;
  checks: Check[];
  kinks: Kink[];
  /** Things the user should know that are not failures (e.g. "Math.floor on an active value: derivative 0"). */
  notes: string[];
  /** Step-size sweeps for the worst FD entry of each FD check. */
  stepSweeps: StepSweep[];
  /**
   * What the user's code printed with console.* while the module loaded and the function was first evaluated (not
   * during finite differences), capped; when lines were left out, the last one says how many.
   */
  console?: string[];
  timingsMs: {
    evaluate: number;
    gradient: number;
    hessianDiagonal: number;
    finiteDifference: number;
    supplied: number;
    bundle: number;
    total: number;
  };
  /** How the finite-difference checks were planned against the budget, how many evaluations they took, what a pass means. */
  checkPlan?: CheckPlan;
  /** 'pass' when every check passed, 'warn' when some warned and none failed, else 'fail'. */
  verdict: CheckStatus;
  /**
   * Where each parameter's value came from: the request (`at`), a `@dlens-at` JSON or generator (`directive`), a module
   * constant (`constant`), the parameter's own default in code (`default-value`, the function received undefined), an
   * optional parameter left undefined (`omitted`), or a value the engine made up (`generated`, see `detail`).
   */
  inputs: InputSource[];
  /** Where each directive tag that shaped this run is (tag name without '@', e.g. 'dlens-hessian-diagonal'). */
  directives: { tag: string; text: string; location: SourceLocation }[];
}

export interface InputSource {
  name: string;
  source: 'at' | 'directive' | 'constant' | 'default-value' | 'omitted' | 'generated';
  /** [] scalar, [n], [r, c]; absent when the parameter received undefined. */
  shape?: number[];
  /** Words for the report: the directive's text, the constant's name, "normal 4×3, seed 1". */
  detail?: string;
}

/** Why an evaluation could not be done. Maps to CLI exit code 2. */
export type ErrorKind =
  | 'syntax'
  | 'not-found'
  | 'unsupported'
  | 'directive'
  | 'import'
  | 'threw'
  | 'timeout'
  | 'out-of-memory'
  | 'bad-return'
  | 'non-finite'
  | 'bad-shape'
  | 'bad-argument'
  /** The recording computed another value than plain JavaScript: the engine cannot vouch for its derivatives. */
  | 'diverged'
  | 'cancelled'
  | 'internal';

export interface EngineErrorInfo {
  kind: ErrorKind;
  message: string;
  file?: string;
  line?: number;
  column?: number;
  /** For a throw: the user's frames, innermost first, mapped to TypeScript ("sumOfLogs (throws.ts:3:11)"). */
  stack?: string[];
}

/** An error the user can act on; `info` is what the CLI prints and the JSON's `error` holds. */
export class EngineError extends Error {
  readonly info: EngineErrorInfo;
  constructor(kind: ErrorKind, message: string, location?: Partial<SourceLocation>) {
    super(message);
    this.name = 'EngineError';
    this.info = { kind, message, ...location };
  }
}

/** What the caller asks for. Everything but `file` is optional; directives in the doc comment fill the rest. */
export interface CheckRequest {
  /** Absolute path of the .ts file (used to resolve relative imports and for messages). */
  file: string;
  /** The document's current text, when it differs from the disk (unsaved edits). */
  text?: string;
  /** The function by name ... */
  functionName?: string;
  /** ... or by a 0-based offset in the text (cursor). */
  offset?: number;
  /** Overrides of the wrt parameter, evaluation points (JSON values), supplied derivative function names, tolerances. */
  wrt?: string;
  at?: Record<string, PointValue>;
  /** For a method: the module constant to call it on (else `new Class()` when that needs no arguments). */
  thisConstant?: string;
  gradientFunction?: string;
  hessianDiagonalFunction?: string;
  objectiveFunction?: string;
  rtol?: number;
  atol?: number;
  /** Tolerances of the supplied-vs-engine checks alone; they win over rtol/atol there. */
  suppliedRtol?: number;
  suppliedAtol?: number;
  options?: Partial<EngineOptions>;
}

export interface EngineOptions {
  /** Limit on any one step of a check without progress (loading the module, one evaluation of f, one derivative pass), ms. */
  timeoutMs: number;
  /** Heap limit of the evaluation worker, MB. */
  memoryMb: number;
  /** Above this many entries the FD checks sample coordinates and add a directional check. */
  fdSampleThreshold: number;
  /** How many coordinates the FD checks sample above the threshold. */
  fdSampleSize: number;
  /** Seed of default inputs and of FD sampling. */
  seed: number;
  /** Default shapes for parameters without an evaluation point: number[] -> [vectorLength], number[][] / Matrix -> matrixShape. */
  vectorLength: number;
  matrixShape: [number, number];
  /** 'exact' (default) or 'estimate' (Hutchinson/Bekas, opt-in for very large dense inputs). */
  hessianDiagonal: 'exact' | 'estimate';
  /** Probe vectors of the estimate. */
  estimateProbes: number;
  /** Wall-clock allowance of the finite-difference checks, ms; beyond it they run in fast mode. */
  checkBudgetMs: number;
}

export const defaultEngineOptions: EngineOptions = {
  timeoutMs: 10_000,
  memoryMb: 1024,
  fdSampleThreshold: 2_000,
  fdSampleSize: 64,
  seed: 1,
  vectorLength: 5,
  matrixShape: [4, 3],
  hessianDiagonal: 'exact',
  estimateProbes: 64,
  checkBudgetMs: 2_000,
};

/** How many finite-difference error estimates an entry may be off by before it counts as a mismatch (the report's bound too). */
export const FD_SAFETY = 3;

/** Default tolerances (README "What it computes"). */
export const defaultTolerances = {
  /** Engine vs finite differences: as torch.autograd.gradcheck in double. */
  fd: { rtol: 1e-3, atol: 1e-5 } satisfies Tolerance,
  /** Supplied derivative vs engine: both are float64 computations of the same quantity. */
  supplied: { rtol: 1e-8, atol: 1e-10 } satisfies Tolerance,
};

/** A candidate function of a file, for code lenses and the picker. */
export interface FunctionInfo {
  /** `f`, or `Class.method` / `object.method` for a method. */
  name: string;
  /** 'declaration' | 'arrow' | 'function-expression' | 'method'. */
  form: string;
  /** For a method: the class or module constant it belongs to, and how its receiver is found. */
  method?: MethodInfo;
  exported: boolean;
  /** 0-based offsets of the whole statement, and of the name (for diagnostics). */
  start: number;
  end: number;
  nameStart: number;
  nameEnd: number;
  params: ParamInfo[];
  /** The declared return type as written, when there is one. */
  returnType?: string;
  /** What the function returns, from its declared type or else its return statements: only 'number' and 'unknown' can be checked. */
  returns?: 'number' | 'array' | 'other' | 'void' | 'unknown';
  /** The doc comment's range, when there is one. */
  docStart?: number;
  docEnd?: number;
}

export interface MethodInfo {
  /** The top-level class or constant, and the member's name. */
  owner: string;
  member: string;
  /** 'instance': a class's method, needs a receiver; 'static': called on the class; 'object': a method of a module constant. */
  kind: 'instance' | 'static' | 'object';
  /** For 'instance': whether `new Owner()` needs no arguments (no constructor, or one whose parameters are all optional). */
  newable: boolean;
}

/** A parameter type made of numeric kinds: a kind, or fields (`{ weights: number[]; bias: number }`, an interface). */
export type TypeTree = Exclude<ParamInfo['kind'], 'unknown' | 'tree'> | { [field: string]: TypeTree };

export interface ParamInfo {
  name: string;
  /** The declared type as written ('number[]', 'Matrix', ...), or undefined. */
  type?: string;
  /** What the engine makes of the type. */
  kind: 'number' | 'vector' | 'matrix-array' | 'float64array' | 'matrix' | 'tree' | 'unknown';
  /** For kind 'tree': the fields, as far as the declared types tell (points are generated from it). */
  tree?: TypeTree;
  hasDefault: boolean;
  /** Declared with `?`: without a point it receives undefined. */
  optional?: boolean;
}
