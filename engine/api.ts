// The library API for test suites: check a function (or a function of a file) and assert that its derivatives are right.

import { formatReport } from './report/text';
import { runCheck } from './run';
import { hookActive } from './live/bindings';
import { checkLive, parameterNames, type AnyFunction, type CheckOptions } from './live/check';
import { EngineError, type CheckRequest, type PointValue, type Report } from './types';

export type { Check, CheckId, CheckStatus, Kink, Mismatch, Nested, PointValue, Report, EngineErrorInfo } from './types';
export { EngineError } from './types';

export type { CheckOptions };
/** For the modules the load hooks rewrite: their operators' and globals' bindings (not part of the API). */
export { liveBindings as __dlensLive } from './live/bindings';

/** Thrown by assertDerivatives: its message is the readable report of the failing run. */
export class DerivativeCheckError extends Error {
  constructor(readonly report: Report) {
    super(`derivative check failed for ${report.function}\n${formatReport(report, { color: false })}`);
    this.name = 'DerivativeCheckError';
  }
}

/**
 * A function's source as an expression. Methods in shorthand form (`foo(x) { … }`) are not expressions on their
 * own, so they are wrapped in an object literal and taken back out.
 */
function asExpression(fn: AnyFunction, name: string): string {
  const source = Function.prototype.toString.call(fn);
  if (/^(async\s+)?(function\b|\(|[\w$]+\s*=>)/.test(source) || source.startsWith('class')) return `(${source})`;
  return `({ ${source} })[${JSON.stringify(name)}]`;
}

/**
 * The module the engine checks: each function's own source bound to a name. Functions are checked from their
 * source (operators must be rewritten), so they cannot use variables from their enclosing scope.
 */
function moduleFor(f: AnyFunction, opts: CheckOptions): { text: string; request: Partial<CheckRequest>; names: Map<string, string> } {
  const parts: string[] = [`export const __checked = ${asExpression(f, f.name)};`];
  // The module's bindings, as the user knows these functions: messages name the culprit.
  const names = new Map([['__checked', f.name || 'the checked function']]);
  const request: Partial<CheckRequest> = { functionName: '__checked' };
  const supplied: [keyof CheckOptions, keyof CheckRequest, string][] = [
    ['gradient', 'gradientFunction', '__gradient'],
    ['hessianDiagonal', 'hessianDiagonalFunction', '__hessianDiagonal'],
    ['objective', 'objectiveFunction', '__objective'],
  ];
  for (const [key, field, binding] of supplied) {
    const fn = opts[key] as AnyFunction | undefined;
    if (!fn) continue;
    parts.push(`export const ${binding} = ${asExpression(fn, fn.name)};`);
    (request as Record<string, string>)[field] = binding;
    names.set(binding, fn.name || `the supplied ${key}`);
  }
  return { text: parts.join('\n') + '\n', request, names };
}

const enableHook =
  'To check functions that use their scope (imports, closures, module state), load your modules through the Derivative Lens hook: ' +
  '`node --import derivative-lens/register`, the vitest plugin `derivative-lens/vitest`, or the jest transform `derivative-lens/jest`.';

/**
 * Checks `f` at a point: value, gradient, exact Hessian diagonal, finite differences, and any supplied derivatives.
 * With a load hook active, `f` is checked as it is, in this process; otherwise from its source text, alone.
 */
export async function checkDerivatives(f: AnyFunction, opts: CheckOptions = {}): Promise<Report> {
  if (hookActive()) return checkLive(f, opts);
  const { text, request, names: bindings } = moduleFor(f, opts);
  const names = parameterNames(f);
  const at = Array.isArray(opts.at) ? Object.fromEntries(opts.at.map((v, i) => [names[i] ?? `arg${i}`, v])) : opts.at;
  const report = await runCheck({
    ...request,
    file: `${process.cwd()}/checkDerivatives(${f.name || 'anonymous'}).ts`,
    text,
    at: at as Record<string, PointValue> | undefined,
    wrt: opts.wrt,
    rtol: opts.rtol,
    atol: opts.atol,
    options: opts.options,
  }).catch((e: unknown) => {
    if (e instanceof EngineError && e.info.kind === 'threw' && /is not defined/.test(e.info.message)) {
      const { kind, message, ...location } = e.info;
      throw new EngineError(kind, `${message}\n${f.name || 'The function'} is checked from its source text alone. ${enableHook}`, location);
    }
    throw e;
  });
  const named = (s: string) => s.replace(/\b__(checked|gradient|hessianDiagonal|objective)\b/g, (b) => bindings.get(b) ?? b);
  const checks = report.checks.map((c) => ({ ...c, summary: named(c.summary) }));
  return { ...report, function: f.name || report.function, checks };
}

/** Checks a function of a .ts file by name, as the CLI does. */
export function checkFile(file: string, functionName: string, opts: Omit<CheckRequest, 'file' | 'functionName'> = {}): Promise<Report> {
  return runCheck({ ...opts, file, functionName });
}

/** Like checkDerivatives, but throws a DerivativeCheckError with the readable report when a check fails. */
export async function assertDerivatives(f: AnyFunction, opts: CheckOptions = {}): Promise<Report> {
  const report = await checkDerivatives(f, opts);
  if (report.verdict === 'fail') throw new DerivativeCheckError(report);
  return report;
}
