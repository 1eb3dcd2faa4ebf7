// The evaluation worker: runs the rewritten bundle in the sandbox realm (engine/sandbox/realm.ts), then the checks.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parentPort } from 'node:worker_threads';
import { createEvaluator, type EvaluatorSpec, type SuppliedSpec } from '../ad/differentiate';
import { setLocator } from '../ad/context';
import { asLeaf } from '../check/tree';
import { unflatten } from '../check/shape';
import { makeMatrix } from '../ad/matrix';
import { runChecks } from '../check/checks';
import { EngineError, type EngineErrorInfo, type PointValue, type SourceLocation } from '../types';
import { bundleFileName, createLocator, type Locator } from '../load/sourcemap';
import { toNested, validatePoint } from '../load/inputs';
import { constantAlias, fnAlias, suppliedAliases, type SuppliedRole, type WorkerMessage, type WorkerPlan } from './protocol';
import { loadBundle, prepareBundle, type LoadedBundle } from './realm';
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
    return { kind: 'threw', message, ...where };
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

type Callable = (...args: unknown[]) => unknown;

/**
 * A method as a function of (receiver, ...parameters), and its receiver as each copy of the module has it (each copy's
 * methods only know their own copy's #private fields). A static method keeps its class as `this` and takes no receiver.
 */
function methodCall(plan: WorkerPlan, loaded: LoadedBundle): { fn: Callable; receiver?: { recording: Record<string, unknown>; plain: Record<string, unknown> } } {
  const { member, receiver } = plan.method!;
  const owners = [loaded.exports[fnAlias], loaded.plain[fnAlias]] as Record<string, Callable>[];
  if (plan.method!.kind === 'static') {
    return { fn: loaded.byModeOf((exports) => (...args: unknown[]) => (exports[fnAlias] as Record<string, Callable>)[member](...args))! };
  }
  const make = (owner: Record<string, Callable>, exports: Record<string, unknown>): Record<string, unknown> => {
    if (receiver?.kind === 'constant') {
      const value = exports[constantAlias(receiver.name)];
      if (typeof value !== 'object' || value === null) throw new EngineError('bad-argument', `--this ${receiver.name}: expected an object to call ${plan.functionName} on, got ${value === null ? 'null' : typeof value}`);
      return value as Record<string, unknown>;
    }
    if (receiver?.kind === 'new') return new (owner as unknown as new () => Record<string, unknown>)();
    return owner;
  };
  const recording = make(owners[0], loaded.exports);
  const plain = make(owners[1], loaded.plain);
  if (typeof recording[member] !== 'function') throw new EngineError('not-found', `${plan.functionName} is not a function of the receiver (it is ${typeof recording[member]})`);
  // The receiver passed decides which copy's method runs; byModeOf restarts that copy's Math.random.
  const call = loaded.byModeOf(() => (self: unknown, ...args: unknown[]) => (self as Record<string, Callable>)[member](...args))!;
  return { fn: call, receiver: { recording, plain } };
}

/** A point as the report shows it: leaves as nested arrays, objects (class instances too) as their fields. */
function pointOf(value: unknown): PointValue {
  if (typeof value === 'number') return value;
  const leaf = asLeaf(value);
  if (leaf) return unflatten(leaf.values, leaf.shape);
  if (Array.isArray(value)) return value.map(pointOf);
  if (typeof value !== 'object' || value === null) return value as unknown as PointValue;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => typeof v !== 'function' && v !== undefined).map(([k, v]) => [k, pointOf(v)]));
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
    const { fn, receiver } = plan.method ? methodCall(plan, loaded) : { fn: loaded.byMode(fnAlias), receiver: undefined };
    if (typeof fn !== 'function') {
      throw new EngineError('not-found', `${plan.functionName} is not a function once the module has run (it is ${typeof mod[fnAlias]})`);
    }
    const point: Record<string, PointValue> = {};
    const params: EvaluatorSpec['params'] = plan.points.map((p) => {
      let value: unknown;
      if (p.source === 'constant') {
        const constant = mod[constantAlias(p.constant)];
        // An array-like constant is read as numbers; a tree keeps its objects (class instances, Matrix leaves).
        value = asLeaf(constant) ? toNested(constant) : constant;
        validatePoint({ name: `${p.name} = ${p.constant}`, kind: p.kind }, value, p.location);
      } else if ('value' in p) value = p.value; // otherwise undefined: the parameter's own default applies
      if (value !== undefined) point[p.name] = pointOf(value);
      return { name: p.name, kind: p.kind, value };
    });
    if (receiver) {
      params.unshift({ name: 'this', value: receiver.recording, plainValue: receiver.plain });
      point.this = pointOf(receiver.recording);
    }
    const supplied: Partial<Record<SuppliedRole, SuppliedSpec>> = {};
    for (const role of Object.keys(plan.supplied) as SuppliedRole[]) {
      const s = plan.supplied[role]!;
      const member = s.name.includes('.') ? s.name.slice(s.name.indexOf('.') + 1) : undefined;
      const f = member === undefined ? loaded.restarting(suppliedAliases[role]) : receiver?.recording[member];
      if (typeof f !== 'function') throw new EngineError('not-found', `${s.name} is not a function (it is ${typeof f})`, s.location);
      // With a receiver, the evaluator passes it first: a method gets it as `this`, a function only the parameters.
      const call = !receiver ? (f as Callable) : member === undefined ? (_self: unknown, ...args: unknown[]) => (f as Callable)(...args) : (self: unknown, ...args: unknown[]) => (self as Record<string, Callable>)[member](...args);
      supplied[role] = { fn: call, name: s.name, location: s.location };
    }
    const spec = { fn, name: plan.functionName, params, wrtIndex: plan.wrtIndex + (receiver ? 1 : 0), wrt: plan.wrt, supplied, options: plan.evaluator, makeMatrix, sourceLine: sourceLines(plan.source) };
    const evaluator = createEvaluator(spec);
    let result;
    try {
      result = runChecks(evaluator, plan.checks);
    } catch (e) {
      // A method's class is no function to trace: the error stands without the line where the runs parted.
      const traced = (trace: (r: unknown) => void) => (plan.method ? undefined : loaded.traced(fnAlias, trace));
      if (e instanceof EngineError && e.info.kind === 'diverged') throw withParting(e, findParting(spec, traced));
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
