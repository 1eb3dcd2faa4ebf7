// The one entry point of a check: find the function, read its directives, plan the inputs, bundle, run in the sandbox, assemble the Report.
import { nest } from './shape';
import { asLeaf } from './tree';
import { bundleModule, syntaxError } from './load/bundle';
import { parseDirectives, type Directive, type Directives } from './load/directives';
import { functionAt, functionNamed, listFunctions, locationAt, outlineModule } from './load/functions';
import { planPoints, type PlannedPoint } from './load/inputs';
import { parseWrtPaths, type WrtPath } from './paths';
import { readRegularFile } from './load/regular-file';
import { runInSandbox } from './sandbox/host';
import { constantAlias, fnAlias, suppliedAliases, type Receiver, type SuppliedRole, type WorkerPlan, type WorkerSuccess } from './sandbox/protocol';
import {
  EngineError,
  defaultEngineOptions,
  defaultTolerances,
  type CheckProgress,
  type CheckRequest,
  type CheckStatus,
  type EngineErrorInfo,
  type FunctionInfo,
  type InputSource,
  type Report,
  type SourceLocation,
  type Tolerance,
} from './types';

export { listFunctions, functionAt };

/** A module to check is source text: anything larger is refused before it is parsed or bundled. */
const SOURCE_LIMIT_BYTES = 64 * 2 ** 20;

async function documentText(req: CheckRequest): Promise<string> {
  if (req.text !== undefined) return req.text;
  try {
    return readRegularFile(req.file, SOURCE_LIMIT_BYTES);
  } catch (e) {
    throw new EngineError('bad-argument', `cannot read ${req.file}: ${(e as Error).message}`, { file: req.file });
  }
}

async function findFunction(req: CheckRequest, text: string): Promise<FunctionInfo> {
  try {
    if (req.functionName !== undefined) return functionNamed(text, req.file, req.functionName);
    if (req.offset !== undefined) return functionAt(text, req.file, req.offset);
    throw new EngineError('bad-argument', 'name the function to check (or give a cursor offset)', { file: req.file });
  } catch (e) {
    // A function hidden by a syntax error is better reported as the syntax error.
    if (e instanceof EngineError && e.info.kind === 'not-found') throw (await syntaxError(req.file, text)) ?? e;
    throw e;
  }
}

/**
 * Tolerances: the request overrides the directives, which override the defaults. A user's rtol/atol applies to both
 * the finite-difference checks and the supplied-derivative checks: someone who writes `@dlens-rtol 1e-4` means
 * "agree to 1e-4", whatever the reference is; without one, each kind of check keeps its own default. The request's
 * suppliedRtol/suppliedAtol (the extension's settings of that name) bound the supplied checks alone, above all else.
 */
function tolerances(req: Pick<CheckRequest, 'rtol' | 'atol' | 'suppliedRtol' | 'suppliedAtol'>, d: Pick<Directives, 'rtol' | 'atol'>): { fd: Tolerance; supplied: Tolerance } {
  const rtol = req.rtol ?? d.rtol?.value;
  const atol = req.atol ?? d.atol?.value;
  const pick = (base: Tolerance): Tolerance => ({ rtol: rtol ?? base.rtol, atol: atol ?? base.atol });
  const supplied = pick(defaultTolerances.supplied);
  return {
    fd: pick(defaultTolerances.fd),
    supplied: { rtol: req.suppliedRtol ?? supplied.rtol, atol: req.suppliedAtol ?? supplied.atol },
  };
}

/** The evaluator's and the checks' settings of a request: the engine options, and tolerances from the request or the directives. */
export function evaluationSettings(
  req: Pick<CheckRequest, 'options' | 'rtol' | 'atol' | 'suppliedRtol' | 'suppliedAtol'>,
  d: Pick<Directives, 'rtol' | 'atol'>,
): Pick<WorkerPlan, 'evaluator' | 'checks'> {
  const options = { ...defaultEngineOptions, ...req.options };
  return {
    evaluator: { hessianDiagonal: options.hessianDiagonal, estimateProbes: options.estimateProbes, seed: options.seed },
    checks: { ...tolerances(req, d), sampleThreshold: options.fdSampleThreshold, sampleSize: options.fdSampleSize, seed: options.seed, budgetMs: options.checkBudgetMs },
  };
}

function verdictOf(statuses: CheckStatus[]): CheckStatus {
  return statuses.includes('fail') ? 'fail' : statuses.includes('warn') ? 'warn' : 'pass';
}

/** The Report of an evaluated plan, wherever the function ran (the worker, or live in the caller's process). */
export function assembleReport(parts: {
  function: string;
  file: string;
  location?: SourceLocation;
  wrt: string;
  points: PlannedPoint[];
  outcome: Omit<WorkerSuccess, 'type'>;
  /** A method's receiver, listed among the inputs. */
  receiver?: InputSource;
  directives: Report['directives'];
  bundleMs: number;
  startedAt: number;
}): Report {
  const { outcome, wrt } = parts;
  const { derivatives: d, checks, stepSweeps, notes, timingsMs, plan, leaves, shape } = outcome.result;
  const keyed = leaves && ((values: Float64Array) => Object.fromEntries(leaves.map((l) => [l.path, nest(l.shape, values.subarray(l.offset, l.offset + l.size))])));
  return {
    function: parts.function,
    file: parts.file,
    location: parts.location,
    value: d.value,
    wrt,
    ...(leaves
      ? { shape: Object.fromEntries(leaves.map((l) => [l.path, l.shape])), gradient: keyed!(d.gradient), hessianDiagonal: keyed!(d.hessianDiagonal), leaves }
      : { shape, gradient: nest(shape, d.gradient), hessianDiagonal: nest(shape, d.hessianDiagonal) }),
    point: outcome.point,
    hessianDiagonalMethod: d.hessianDiagonalMethod,
    passes: d.passes,
    ...(d.hessianDiagonalStdError ? { hessianDiagonalStdError: keyed ? keyed(d.hessianDiagonalStdError) : nest(shape, d.hessianDiagonalStdError) } : {}),
    checks,
    kinks: d.kinks,
    notes: [...d.notes, ...notes.filter((n) => !d.notes.includes(n))],
    ...(outcome.console.length > 0 ? { console: outcome.console } : {}),
    stepSweeps,
    timingsMs: {
      evaluate: timingsMs.evaluate,
      gradient: d.timingsMs.gradient,
      hessianDiagonal: d.timingsMs.hessianDiagonal,
      finiteDifference: timingsMs.finiteDifference,
      supplied: timingsMs.supplied,
      bundle: parts.bundleMs,
      total: performance.now() - parts.startedAt,
    },
    checkPlan: plan,
    verdict: verdictOf(checks.map((c) => c.status)),
    inputs: [
      ...parts.points.map((p) => {
        const value = outcome.point[p.name];
        const source: InputSource = { name: p.name, source: p.source };
        // A tree has no one shape: its leaves' shapes are in `shape` when it is differentiated.
        const leaf = value !== undefined ? asLeaf(value) : undefined;
        if (leaf) source.shape = leaf.shape;
        if (p.detail !== undefined) source.detail = p.detail;
        return source;
      }),
      ...(parts.receiver ? [parts.receiver] : []),
    ],
    directives: parts.directives,
  };
}

/** `onProgress` hears each step of the check (bundling, loading, evaluating, ...) with evaluations done of those planned. */
export async function runCheck(req: CheckRequest, signal?: AbortSignal, onProgress?: (p: CheckProgress) => void): Promise<Report> {
  const t0 = performance.now();
  const options = { ...defaultEngineOptions, ...req.options };
  const file = req.file;
  const text = await documentText(req);
  const fn = await findFunction(req, text);
  const outline = outlineModule(text, file);
  const directives = parseDirectives(text, file, fn, outline.bindings);
  const params = fn.params.map((p) => p.name);
  const receiver = receiverOf(fn, req.thisConstant ?? directives.this?.name, outline.bindings, locationAt(text, file, fn.nameStart));
  const roots = receiver ? [...params, 'this'] : params;
  if (roots.length === 0) throw new EngineError('bad-argument', `${fn.name} has no parameters: there is nothing to differentiate`, locationAt(text, file, fn.nameStart));

  const wrtPaths: WrtPath[] =
    req.wrt !== undefined ? parseWrtPaths(req.wrt, '--wrt') : directives.wrt?.paths ?? [{ root: roots[0], steps: [], text: roots[0] }];
  const wrt = wrtPaths.map((p) => p.text).join(', ');
  const unknownRoot = wrtPaths.find((p) => !roots.includes(p.root));
  if (unknownRoot) {
    const hint = unknownRoot.root === 'this' ? ` (${fn.method ? 'a static method has no receiver' : 'it is not a method'})` : '';
    throw new EngineError('bad-argument', `--wrt ${unknownRoot.text}: ${fn.name} has no parameter '${unknownRoot.root}' (parameters: ${roots.join(', ')})${hint}`);
  }
  const wrtIndex = Math.max(0, params.indexOf(wrtPaths[0].root));

  const functionLocation = (name: string): SourceLocation | undefined => {
    const f = outline.functions.find((g) => g.name === name);
    return f && locationAt(text, file, f.nameStart);
  };
  const requested: Record<SuppliedRole, string | undefined> = {
    gradient: req.gradientFunction,
    hessianDiagonal: req.hessianDiagonalFunction,
    objective: req.objectiveFunction,
  };
  const supplied: WorkerPlan['supplied'] = {};
  for (const role of Object.keys(suppliedAliases) as SuppliedRole[]) {
    const name = requested[role] ?? directives[role]?.name;
    if (name === undefined) continue;
    if (!outline.bindings.has(name.split('.')[0])) {
      const candidates = outline.functions.map((f) => f.name).join(', ');
      throw new EngineError('not-found', `no function named '${name}' in ${file} (candidates: ${candidates})`, { file });
    }
    supplied[role] = { name, location: functionLocation(name) ?? directives[role]?.directive.location };
  }

  const points = planPoints(fn.params, req.at, directives.at, options, fn.name, wrtPaths.map((p) => p.root));
  const aliases: Record<string, string> = { [fnAlias]: fn.method?.owner ?? fn.name };
  // A method of the checked one's own owner is reached through the receiver; only functions need an export.
  for (const [role, s] of Object.entries(supplied)) if (!s.name.includes('.')) aliases[suppliedAliases[role as SuppliedRole]] = s.name;
  for (const p of points) if (p.source === 'constant') aliases[constantAlias(p.constant)] = p.constant;
  if (receiver?.kind === 'constant') aliases[constantAlias(receiver.name)] = receiver.name;

  onProgress?.({ phase: 'bundling', done: 0, total: 1 });
  const bundle = await bundleModule(file, text, aliases);
  if (signal?.aborted) throw new EngineError('cancelled', 'the check was cancelled');
  const outcome = await runInSandbox(
    {
      code: bundle.code,
      map: bundle.map,
      sourceRoot: bundle.sourceRoot,
      functionName: fn.name,
      points,
      wrtIndex,
      wrt: wrtPaths,
      ...(fn.method ? { method: { member: fn.method.member, kind: fn.method.kind, receiver } } : {}),
      supplied,
      ...evaluationSettings(req, directives),
      source: { file, text },
    },
    options,
    signal,
    onProgress,
  ).catch((e: unknown) => {
    if (!(e instanceof EngineError) || e.info.kind === 'cancelled' || e.info.kind === 'internal') throw e;
    const message = e.info.message + (inputSensitive.has(e.info.kind) ? generatedHint(points) : '');
    // Errors about the function as a whole (returned NaN, timed out, ...) are placed at its name, for the editor.
    const { file: at, line, column, stack } = e.info;
    const located = new EngineError(e.info.kind, message, line === undefined ? locationAt(text, file, fn.nameStart) : { file: at, line, column });
    if (stack) located.info.stack = stack;
    throw located;
  });

  return assembleReport({
    function: fn.name,
    file,
    location: locationAt(text, file, fn.nameStart),
    wrt,
    points,
    outcome,
    ...(receiver ? { receiver: receiverInput(receiver, fn) } : {}),
    directives: directives.list.map((x) => ({ tag: x.tag, text: x.text, location: x.location })),
    bundleMs: bundle.ms,
    startedAt: t0,
  });
}

/** The receiver as an input: a module constant, or made by `new Class()`. */
function receiverInput(receiver: Receiver, fn: FunctionInfo): InputSource {
  if (receiver.kind === 'new') return { name: 'this', source: 'generated', detail: `new ${fn.method!.owner}()` };
  return { name: 'this', source: 'constant', detail: receiver.kind === 'constant' ? receiver.name : fn.method!.owner };
}

/** Failures that inputs of the wrong size or range can cause (not a timeout, not an unsupported operation). */
const inputSensitive = new Set<EngineErrorInfo['kind']>(['threw', 'non-finite', 'bad-shape', 'diverged']);

/** When the evaluation failed with made-up inputs, the inputs may be the cause: name them and the directive that fixes it. */
function generatedHint(points: PlannedPoint[]): string {
  const generated = points.filter((p) => p.source === 'generated');
  if (generated.length === 0) return '';
  const which = generated.map((p) => `${p.name} (${p.detail})`).join(', ');
  const example = generated.map((p) => `@dlens-at ${p.name} = ${p.kind === 'number' ? '1.5' : p.kind === 'vector' || p.kind === 'float64array' ? '[1, 2, 3]' : '[[1, 2], [3, 4]]'}`).join(', ');
  return `\n(generated inputs: ${which}; if the function expects other values, give them in its doc comment, e.g. ${example})`;
}

/**
 * Where a method's receiver comes from: the named constant, `new Class()` when that needs no arguments, the object a
 * method of a module constant belongs to; none for functions and static methods.
 */
function receiverOf(fn: FunctionInfo, constant: string | undefined, bindings: Set<string>, where: SourceLocation): Receiver | undefined {
  const m = fn.method;
  if (!m || m.kind === 'static') {
    if (constant !== undefined) throw new EngineError('bad-argument', `--this ${constant}: ${fn.name} is not ${m ? 'an instance method' : 'a method'}`);
    return undefined;
  }
  if (constant !== undefined) {
    if (!bindings.has(constant)) throw new EngineError('bad-argument', `--this ${constant}: no constant named '${constant}' in the module`);
    return { kind: 'constant', name: constant };
  }
  if (m.kind === 'object') return { kind: 'owner' };
  if (m.newable) return { kind: 'new' };
  throw new EngineError(
    'bad-argument',
    `${fn.name}: the constructor of ${m.owner} needs arguments, so name the object to call ${m.member} on: --this CONSTANT or @dlens-this CONSTANT (a module constant holding a ${m.owner})`,
    where,
  );
}

/**
 * A candidate function with the directives of its doc comment (and their ranges), or the directive error it has.
 * `checkable`: it returns a number (or may: the syntax cannot tell), or its doc comment asks for a check.
 */
export type AnalysedFunction = FunctionInfo & { directives: Directive[]; directiveError?: EngineErrorInfo; checkable: boolean };

function checkable(info: FunctionInfo, text: string): boolean {
  if (info.returns === 'number' || info.returns === 'unknown') return true;
  return info.docStart !== undefined && text.slice(info.docStart, info.docEnd).includes('@dlens-');
}

/**
 * Files above this size are not analysed for the editor (lenses, completion, diagnostics): parsing runs on the
 * extension host's thread (TypeScript's parser, about 2 MB of source per second of CPU on a slow machine) and must not
 * hold it for more than a few tens of milliseconds.
 */
export const analysisLimitChars = 128 * 1024;

export interface FileAnalysis {
  functions: AnalysedFunction[];
  /** Every top-level name (constants a receiver or a point may name). */
  names: string[];
  /** Set when the file is above analysisLimitChars and was not analysed (functions is then empty). */
  tooLarge?: { chars: number; limit: number };
}

/** The last analysis: the lenses, the diagnostics and completion ask about the same text in turn. */
let lastAnalysis: { text: string; fileName: string; result: FileAnalysis } | undefined;

/** For the extension (code lenses, completion, hover, diagnostics): every candidate function of a file and its directives. */
export function analyseFile(text: string, fileName: string): FileAnalysis {
  if (text.length > analysisLimitChars) return { functions: [], names: [], tooLarge: { chars: text.length, limit: analysisLimitChars } };
  if (lastAnalysis?.text === text && lastAnalysis.fileName === fileName) return lastAnalysis.result;
  const outline = outlineModule(text, fileName);
  const result = {
    names: [...outline.bindings],
    functions: outline.functions.map((info): AnalysedFunction => {
      try {
        return { ...info, directives: parseDirectives(text, fileName, info, outline.bindings).list, checkable: checkable(info, text) };
      } catch (e) {
        if (!(e instanceof EngineError)) throw e;
        return { ...info, directives: [], directiveError: e.info, checkable: checkable(info, text) };
      }
    }),
  };
  lastAnalysis = { text, fileName, result };
  return result;
}
