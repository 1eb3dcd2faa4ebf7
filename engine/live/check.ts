// checkDerivatives on a live function: records the caller's own closure in this process, with the same plan, checks and Report as the worker.
import { setLocator } from '../ad/context';
import type { SuppliedSpec } from '../check/supplied-call';
import { toNested, validatePoint, type PlannedPoint } from '../load/inputs';
import { assembleReport, evaluationSettings } from '../run';
import { evaluatePlan } from '../sandbox/evaluate';
import type { SuppliedRole } from '../sandbox/protocol';
import { duringLiveCheck, restartingRandom } from './bindings';
import { locateLive, rawCallSites } from './locator';
import { EngineError, type EngineOptions, type Nested, type ParamInfo, type Report } from '../types';

export type AnyFunction = (...args: never[]) => unknown;

/** What checkDerivatives and assertDerivatives take besides the function. */
export interface CheckOptions {
  /** The evaluation point: by parameter name, or positional arguments. */
  at?: Record<string, unknown> | unknown[];
  /** The parameter to differentiate with respect to (default: the first). */
  wrt?: string;
  /** Hand-written derivatives to verify; they take the same arguments as the checked function. */
  gradient?: AnyFunction;
  hessianDiagonal?: AnyFunction;
  /** A gradient-boosting objective returning { grad, hess }. */
  objective?: AnyFunction;
  rtol?: number;
  atol?: number;
  options?: Partial<EngineOptions>;
}

/** The parameter names of a function from its source (simple parameters, with or without defaults and types). */
export function parameterNames(fn: AnyFunction): string[] {
  const source = Function.prototype.toString.call(fn);
  const open = source.indexOf('(');
  const arrow = source.match(/^(async\s+)?([\w$]+)\s*=>/);
  if (arrow) return [arrow[2]];
  let depth = 0;
  for (let i = open; i < source.length; i++) {
    if (source[i] === '(') depth++;
    else if (source[i] === ')' && --depth === 0) {
      return source
        .slice(open + 1, i)
        .split(',')
        .map((p) => p.trim().replace(/[=:].*$/s, '').trim())
        .filter(Boolean);
    }
  }
  return [];
}

/** A live value's parameter kind: what a declared type would say in a file. */
function kindOf(value: unknown): ParamInfo['kind'] {
  if (typeof value === 'number') return 'number';
  if (Object.prototype.toString.call(value) === '[object Float64Array]') return 'float64array';
  if (value !== null && typeof value === 'object' && typeof (value as { to2DArray?: unknown }).to2DArray === 'function') return 'matrix';
  if (Array.isArray(value)) return Array.isArray(value[0]) ? 'matrix-array' : 'vector';
  return 'unknown';
}

/** The first call site outside the engine's own file: the test file that asked for the check. */
function callerFile(): string | undefined {
  const sites = rawCallSites();
  return sites.find((s) => s.file !== sites[0].file && !s.file.startsWith('node:'))?.file;
}

/** Checks `f` as it is: its closures, imported helpers and classes are the ones the load hook rewrote in this process. */
export function checkLive(f: AnyFunction, opts: CheckOptions): Report {
  const t0 = performance.now();
  const name = f.name || 'anonymous';
  const names = parameterNames(f);
  if (names.length === 0) throw new EngineError('bad-argument', `${name} has no parameters: there is nothing to differentiate`);
  const given: Record<string, unknown> = Array.isArray(opts.at) ? Object.fromEntries(opts.at.map((v, i) => [names[i] ?? `arg${i}`, v])) : (opts.at ?? {});
  for (const key of Object.keys(given)) {
    if (!names.includes(key)) throw new EngineError('bad-argument', `at: ${name} has no parameter '${key}' (parameters: ${names.join(', ')})`);
  }
  const points = names.map((p): PlannedPoint => {
    if (!(p in given)) {
      throw new EngineError('bad-argument', `${name}: give a point for parameter '${p}' in \`at\` (a live function carries no declared types to make one from)`);
    }
    const kind = kindOf(given[p]);
    const value = toNested(given[p]) as Nested;
    if (kind !== 'unknown') validatePoint({ name: p, kind }, value);
    return { name: p, kind, source: 'at', value };
  });
  const wrt = opts.wrt ?? names[0];
  const wrtIndex = names.indexOf(wrt);
  if (wrtIndex < 0) throw new EngineError('bad-argument', `wrt ${wrt}: ${name} has no parameter '${wrt}' (parameters: ${names.join(', ')})`);

  const supplied: Partial<Record<SuppliedRole, SuppliedSpec>> = {};
  for (const role of ['gradient', 'hessianDiagonal', 'objective'] as const) {
    const fn = opts[role];
    if (fn) supplied[role] = { fn: restartingRandom(fn as (...args: unknown[]) => unknown), name: fn.name || role };
  }
  const settings = evaluationSettings({ rtol: opts.rtol, atol: opts.atol, options: opts.options }, {});
  // What the user's code throws propagates as it is, with the runner's own stack mapping.
  setLocator(locateLive);
  let evaluated: ReturnType<typeof evaluatePlan>;
  try {
    evaluated = duringLiveCheck(settings.evaluator.seed, () =>
      evaluatePlan(
        { functionName: name, points, wrtIndex, ...settings },
        { fn: restartingRandom(f as (...args: unknown[]) => unknown), supplied, constant: () => undefined },
      ),
    );
  } finally {
    setLocator(null);
  }
  const { point, result } = evaluated;
  if (result.derivatives.gradient.every((g) => g === 0) && result.checks.some((c) => c.id === 'gradient-vs-fd' && c.status === 'fail')) {
    // The usual cause: the arithmetic ran in a module the hook did not rewrite (outside the current folder, excluded,
    // or a package), so the recording never saw the input.
    result.notes.push(
      `the engine's gradient is zero everywhere but finite differences are not: is the code of ${name} in modules the hook rewrites? ` +
        '(files under the current folder, or as include/exclude say; node_modules never)',
    );
  }
  const file = callerFile() ?? `${process.cwd()}/checkDerivatives(${name})`;
  return assembleReport({ function: name, file, wrt, points, outcome: { point, result, console: [] }, directives: [], bundleMs: 0, startedAt: t0 });
}
