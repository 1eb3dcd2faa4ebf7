// The evaluation worker: runs the rewritten bundle in the sandbox realm (engine/sandbox/realm.ts), then the checks.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parentPort } from 'node:worker_threads';
import { createEvaluator, type SuppliedSpec } from '../ad/differentiate';
import { setLocator } from '../ad/context';
import { makeMatrix } from '../ad/matrix';
import { runChecks } from '../check/checks';
import { EngineError, type EngineErrorInfo, type Nested, type SourceLocation } from '../types';
import { bundleFileName, createLocator, type Locator } from '../load/sourcemap';
import { toNested, validatePoint } from '../load/inputs';
import { constantAlias, fnAlias, suppliedAliases, type SuppliedRole, type WorkerMessage, type WorkerPlan } from './protocol';
import { loadBundle, prepareBundle } from './realm';
import { findParting, type Parting } from './divergence';

const MAX_CONSOLE_LINES = 50;

/** console.* for user code: lines are kept for the report instead of going anywhere. */
function capturedConsole(lines: string[]): Record<string, (...args: unknown[]) => void> {
  const write = (...args: unknown[]) => {
    if (lines.length < MAX_CONSOLE_LINES) lines.push(args.map((a) => (typeof a === 'string' ? a : safeString(a))).join(' '));
  };
  return { log: write, info: write, warn: write, error: write, debug: write, trace: write };
}

function safeString(v: unknown): string {
  try {
    return typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
  } catch {
    return String(v);
  }
}

/** The top frame of a stack: where the error was thrown. */
function thrownInBundle(stack: string): boolean {
  const frame = stack.split('\n').find((l) => /^\s+at /.test(l));
  return frame !== undefined && frame.includes(bundleFileName);
}

/** Turns anything thrown while running user code into what the user should read: their own message verbatim, at their line. */
export function describeThrown(e: unknown, locator: Locator | undefined): EngineErrorInfo {
  if (e instanceof EngineError) return e.info;
  const stack = (e as { stack?: unknown } | null)?.stack;
  const stackText = typeof stack === 'string' ? stack : '';
  const message = e !== null && typeof e === 'object' && 'message' in e ? String((e as { message: unknown }).message) : String(e);
  // Errors of the user's realm (the vm context), thrown values that are not errors, errors raised by a bundle frame,
  // and JavaScript's own TypeErrors and RangeErrors raised inside an operator on the user's behalf (mixing BigInt
  // and numbers, an object without a primitive value, a stack overflow, which strikes wherever the recursion
  // happens to be) are the user's.
  const onUsersBehalf = (e instanceof TypeError || e instanceof RangeError) && stackText.includes(bundleFileName);
  if (!(e instanceof Error) || thrownInBundle(stackText) || onUsersBehalf) {
    const where = locator?.locateStack(stackText);
    const frames = locator?.userFrames(stackText) ?? [];
    return { kind: 'threw', message, ...where, ...(frames.length > 0 ? { stack: frames } : {}) };
  }
  return { kind: 'internal', message: `internal error: ${message}` };
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

/** Says that Math.random was used, how, and with which seed, so the user knows the function was made deterministic. */
function randomNote(calls: { atLoad: number; perEvaluation: number }, seed: number): string | undefined {
  if (calls.atLoad === 0 && calls.perEvaluation === 0) return undefined;
  const parts = [calls.perEvaluation > 0 && `up to ${calls.perEvaluation} calls per evaluation`, calls.atLoad > 0 && `${calls.atLoad} while the module loaded`].filter(Boolean);
  return `Math.random: ${parts.join(', ')}; seeded with ${seed} and restarted for every evaluation, so each one draws the same numbers (change with --seed or derivativeLens.seed)`;
}

/** Lines of the user's sources: the checked file as bundled, any other file (an imported module) as it is on disk. */
function sourceLines(source: WorkerPlan['source']): (loc: SourceLocation) => string | undefined {
  // Source-map paths are URL-encoded ("checkDerivatives%28f%29.ts"): both sides are compared decoded.
  const key = (file: string) => path.resolve(safeDecode(file));
  const files = new Map<string, string[]>();
  if (source) files.set(key(source.file), source.text.split(/\r?\n/));
  return (loc) => {
    const file = key(loc.file);
    if (!files.has(file)) {
      try {
        files.set(file, readFileSync(file, 'utf8').split(/\r?\n/));
      } catch {
        files.set(file, []);
      }
    }
    return files.get(file)![loc.line - 1];
  };
}

function safeDecode(file: string): string {
  try {
    return decodeURI(file);
  } catch {
    return file;
  }
}

function run(plan: WorkerPlan): WorkerMessage {
  let locator: Locator | undefined;
  try {
    const program = prepareBundle(plan.code);
    locator = createLocator(plan.map, program, plan.sourceRoot);
    setLocator(locator.locateStack);
    const consoleLines: string[] = [];
    const loaded = loadBundle(program, capturedConsole(consoleLines), plan.evaluator.seed);
    const mod = loaded.exports;
    const fn = loaded.byMode(fnAlias);
    if (typeof fn !== 'function') {
      throw new EngineError('not-found', `${plan.functionName} is not a function once the module has run (it is ${typeof mod[fnAlias]})`);
    }
    const point: Record<string, Nested> = {};
    const params = plan.points.map((p) => {
      let value: unknown;
      if (p.source === 'constant') {
        value = toNested(mod[constantAlias(p.constant)]);
        validatePoint({ name: `${p.name} = ${p.constant}`, kind: p.kind }, value, p.location);
      } else if ('value' in p) value = p.value; // otherwise undefined: the parameter's own default applies
      if (value !== undefined) point[p.name] = value as Nested;
      return { name: p.name, kind: p.kind, value: value as Nested };
    });
    const supplied: Partial<Record<SuppliedRole, SuppliedSpec>> = {};
    for (const role of Object.keys(plan.supplied) as SuppliedRole[]) {
      const s = plan.supplied[role]!;
      const f = loaded.restarting(suppliedAliases[role]);
      if (f === undefined) throw new EngineError('not-found', `${s.name} is not a function (it is ${typeof mod[suppliedAliases[role]]})`, s.location);
      supplied[role] = { fn: f, name: s.name, location: s.location };
    }
    const spec = { fn, name: plan.functionName, params, wrtIndex: plan.wrtIndex, supplied, options: plan.evaluator, makeMatrix, sourceLine: sourceLines(plan.source) };
    const evaluator = createEvaluator(spec);
    let result;
    try {
      result = runChecks(evaluator, plan.checks);
    } catch (e) {
      if (e instanceof EngineError && e.info.kind === 'diverged') throw withParting(e, findParting(spec, (trace) => loaded.traced(fnAlias, trace)));
      throw e;
    }
    const note = randomNote(loaded.randomCalls(), plan.evaluator.seed);
    if (note) result.notes.push(note);
    return { type: 'result', point, result, console: consoleLines };
  } catch (e) {
    return { type: 'error', error: describeThrown(e, locator) };
  } finally {
    setLocator(null);
  }
}

if (parentPort) {
  // One plan per message: the host keeps this thread between checks (warm JIT, loaded modules); every check gets
  // fresh realms, and the host throws the thread away after anything but a normal answer.
  const port = parentPort;
  port.on('message', (plan: WorkerPlan) => {
    const message = run(plan);
    try {
      port.postMessage(message);
    } catch (e) {
      port.postMessage({ type: 'error', error: { kind: 'internal', message: `internal error: the result could not be sent (${(e as Error).message})` } });
    }
  });
}
