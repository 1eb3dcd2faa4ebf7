// The one entry point of a check: find the function, read its directives, plan the inputs, bundle, run in the sandbox, assemble the Report.
import { readFile } from 'node:fs/promises';
import { unflatten } from './check/shape';
import { bundleModule, syntaxError } from './load/bundle';
import { parseDirectives, type Directive, type Directives } from './load/directives';
import { functionAt, functionNamed, listFunctions, locationAt, outlineModule } from './load/functions';
import { planPoints, type PlannedPoint } from './load/inputs';
import { runInSandbox } from './sandbox/host';
import { constantAlias, fnAlias, suppliedAliases, type SuppliedRole, type WorkerPlan } from './sandbox/protocol';
import {
  EngineError,
  defaultEngineOptions,
  defaultTolerances,
  type CheckRequest,
  type CheckStatus,
  type EngineErrorInfo,
  type FunctionInfo,
  type InputSource,
  type Nested,
  type Report,
  type SourceLocation,
  type Tolerance,
} from './types';

export { listFunctions, functionAt };

async function documentText(req: CheckRequest): Promise<string> {
  if (req.text !== undefined) return req.text;
  try {
    return await readFile(req.file, 'utf8');
  } catch (e) {
    throw new EngineError('bad-argument', `cannot read ${req.file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file: req.file });
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
function tolerances(req: CheckRequest, d: Directives): { fd: Tolerance; supplied: Tolerance } {
  const rtol = req.rtol ?? d.rtol?.value;
  const atol = req.atol ?? d.atol?.value;
  const pick = (base: Tolerance): Tolerance => ({ rtol: rtol ?? base.rtol, atol: atol ?? base.atol });
  const supplied = pick(defaultTolerances.supplied);
  return {
    fd: pick(defaultTolerances.fd),
    supplied: { rtol: req.suppliedRtol ?? supplied.rtol, atol: req.suppliedAtol ?? supplied.atol },
  };
}

function verdictOf(statuses: CheckStatus[]): CheckStatus {
  return statuses.includes('fail') ? 'fail' : statuses.includes('warn') ? 'warn' : 'pass';
}

export async function runCheck(req: CheckRequest, signal?: AbortSignal): Promise<Report> {
  const t0 = performance.now();
  const options = { ...defaultEngineOptions, ...req.options };
  const file = req.file;
  const text = await documentText(req);
  const fn = await findFunction(req, text);
  const outline = outlineModule(text, file);
  const directives = parseDirectives(text, file, fn, outline.bindings);
  const params = fn.params.map((p) => p.name);
  if (params.length === 0) throw new EngineError('bad-argument', `${fn.name} has no parameters: there is nothing to differentiate`, locationAt(text, file, fn.nameStart));

  const wrt = req.wrt ?? directives.wrt?.name ?? params[0];
  const wrtIndex = params.indexOf(wrt);
  if (wrtIndex < 0) throw new EngineError('bad-argument', `--wrt ${wrt}: ${fn.name} has no parameter '${wrt}' (parameters: ${params.join(', ')})`);

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
    if (!outline.bindings.has(name)) {
      const candidates = outline.functions.map((f) => f.name).join(', ');
      throw new EngineError('not-found', `no function named '${name}' in ${file} (candidates: ${candidates})`, { file });
    }
    supplied[role] = { name, location: functionLocation(name) ?? directives[role]?.directive.location };
  }

  const points = planPoints(fn.params, req.at, directives.at, options, fn.name, wrt);
  const aliases: Record<string, string> = { [fnAlias]: fn.name };
  for (const [role, s] of Object.entries(supplied)) aliases[suppliedAliases[role as SuppliedRole]] = s.name;
  for (const p of points) if (p.source === 'constant') aliases[constantAlias(p.constant)] = p.constant;

  const bundle = await bundleModule(file, text, aliases);
  if (signal?.aborted) throw new EngineError('cancelled', 'the check was cancelled');
  const tol = tolerances(req, directives);
  const outcome = await runInSandbox(
    {
      code: bundle.code,
      map: bundle.map,
      sourceRoot: bundle.sourceRoot,
      functionName: fn.name,
      points,
      wrtIndex,
      supplied,
      evaluator: { hessianDiagonal: options.hessianDiagonal, estimateProbes: options.estimateProbes, seed: options.seed },
      checks: { ...tol, sampleThreshold: options.fdSampleThreshold, sampleSize: options.fdSampleSize, seed: options.seed },
      source: { file, text },
    },
    options,
    signal,
  ).catch((e: unknown) => {
    if (!(e instanceof EngineError) || e.info.kind === 'cancelled' || e.info.kind === 'internal') throw e;
    const message = e.info.message + (inputSensitive.has(e.info.kind) ? generatedHint(points) : '');
    // Errors about the function as a whole (returned NaN, timed out, ...) are placed at its name, for the editor.
    const { file: at, line, column, stack } = e.info;
    const located = new EngineError(e.info.kind, message, line === undefined ? locationAt(text, file, fn.nameStart) : { file: at, line, column });
    if (stack) located.info.stack = stack;
    throw located;
  });

  const { derivatives: d, checks, stepSweeps, notes, timingsMs } = outcome.result;
  const shape = shapeOf(outcome.point[wrt]);
  const consoleNotes = outcome.console.map((line) => `console: ${line}`);
  return {
    function: fn.name,
    file,
    location: locationAt(text, file, fn.nameStart),
    value: d.value,
    wrt,
    shape,
    point: outcome.point,
    gradient: unflatten(d.gradient, shape),
    hessianDiagonal: unflatten(d.hessianDiagonal, shape),
    hessianDiagonalMethod: d.hessianDiagonalMethod,
    passes: d.passes,
    ...(d.hessianDiagonalStdError ? { hessianDiagonalStdError: unflatten(d.hessianDiagonalStdError, shape) } : {}),
    checks,
    kinks: d.kinks,
    notes: [...d.notes, ...notes.filter((n) => !d.notes.includes(n)), ...consoleNotes],
    stepSweeps,
    timingsMs: {
      evaluate: timingsMs.evaluate,
      gradient: d.timingsMs.gradient,
      hessianDiagonal: d.timingsMs.hessianDiagonal,
      finiteDifference: timingsMs.finiteDifference,
      supplied: timingsMs.supplied,
      bundle: bundle.ms,
      total: performance.now() - t0,
    },
    verdict: verdictOf(checks.map((c) => c.status)),
    inputs: points.map((p) => {
      const value = outcome.point[p.name];
      const source: InputSource = { name: p.name, source: p.source };
      if (value !== undefined) source.shape = shapeOf(value);
      if (p.detail !== undefined) source.detail = p.detail;
      return source;
    }),
    directives: directives.list.map((x) => ({ tag: x.tag, text: x.text, location: x.location })),
  };
}

function shapeOf(value: Nested): number[] {
  const shape: number[] = [];
  for (let v = value; Array.isArray(v); v = v[0]) shape.push(v.length);
  return shape;
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
 * A candidate function with the directives of its doc comment (and their ranges), or the directive error it has.
 * `checkable`: it returns a number (or may: the syntax cannot tell), or its doc comment asks for a check.
 */
export type AnalysedFunction = FunctionInfo & { directives: Directive[]; directiveError?: EngineErrorInfo; checkable: boolean };

function checkable(info: FunctionInfo, text: string): boolean {
  if (info.returns === 'number' || info.returns === 'unknown') return true;
  return info.docStart !== undefined && text.slice(info.docStart, info.docEnd).includes('@dlens-');
}

/** For the extension (code lenses, completion, hover, diagnostics): every candidate function of a file and its directives. */
export function analyseFile(text: string, fileName: string): { functions: AnalysedFunction[] } {
  const outline = outlineModule(text, fileName);
  return {
    functions: outline.functions.map((info) => {
      try {
        return { ...info, directives: parseDirectives(text, fileName, info, outline.bindings).list, checkable: checkable(info, text) };
      } catch (e) {
        if (!(e instanceof EngineError)) throw e;
        return { ...info, directives: [], directiveError: e.info, checkable: checkable(info, text) };
      }
    }),
  };
}
