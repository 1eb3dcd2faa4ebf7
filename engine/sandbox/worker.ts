// The evaluation worker: runs the rewritten bundle in the sandbox realm (engine/sandbox/realm.ts), then the checks.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { serialize } from 'node:v8';
import { parentPort } from 'node:worker_threads';
import { MESSAGE_CHARS, captureConsole, capText, safeString } from './bounded';
import type { SuppliedSpec } from '../check/supplied-call';
import { STACK_DEPTH, setLocator, unsupported } from '../ad/context';
import { runtime } from '../ad/runtime';
import { ADFloat32Array, ADFloat64Array } from '../ad/js/typed-arrays';
import { EngineError, type CheckProgress, type EngineErrorInfo, type SourceLocation } from '../types';
import { bundleFileName, createLocator, type Locator } from '../load/sourcemap';
import { constantAlias, fnAlias, suppliedAliases, type SuppliedRole, type WorkerMessage, type WorkerPlan } from './protocol';
import { evaluatePlan } from './evaluate';
import { hardenRealm, realmChanges } from './harden';
import { loadBundle, prepareBundle, type LoadedBundle } from './realm';
import { warmUpPlan } from './warmup';

/** A result above this size (serialized) is refused: the host would have to hold it. */
const MAX_RESULT_BYTES = 128 * 2 ** 20;

/** Reads a property of a thrown value, which may be a proxy or have a throwing getter: the user's, never ours. */
function readSafely(e: unknown, key: string): unknown {
  try {
    return e !== null && (typeof e === 'object' || typeof e === 'function') ? (e as Record<string, unknown>)[key] : undefined;
  } catch {
    return undefined;
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
  const stack = readSafely(e, 'stack');
  const stackText = typeof stack === 'string' ? stack : '';
  const rawMessage = readSafely(e, 'message');
  const message = capText(safeString(rawMessage !== undefined ? rawMessage : e), MESSAGE_CHARS);
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

function run(plan: WorkerPlan, onProgress?: (p: CheckProgress) => void): WorkerMessage {
  let locator: Locator | undefined;
  try {
    onProgress?.({ phase: 'loading', done: 0, total: 1 });
    const program = prepareBundle(plan.code);
    locator = createLocator(plan.map, program, plan.sourceRoot);
    setLocator(locator.locateStack);
    const capture = captureConsole();
    const loaded = loadBundle(program, capture.methods, plan.evaluator.seed);
    const mod = loaded.exports;
    const { fn: call, receiver } = plan.method ? methodCall(plan, loaded) : { fn: loaded.byMode(fnAlias), receiver: undefined };
    if (typeof call !== 'function') {
      throw new EngineError('not-found', `${plan.functionName} is not a function once the module has run (it is ${typeof mod[fnAlias]})`);
    }
    // The console of one evaluation (the module's top level and the first call) is kept; the rest is ignored.
    const fn = (...args: unknown[]) => {
      try {
        return call(...args);
      } finally {
        capture.close();
      }
    };
    const supplied: Partial<Record<SuppliedRole, SuppliedSpec>> = {};
    for (const role of Object.keys(plan.supplied) as SuppliedRole[]) {
      const s = plan.supplied[role]!;
      const member = s.name.includes('.') ? s.name.slice(s.name.indexOf('.') + 1) : undefined;
      const f = member === undefined ? loaded.restarting(suppliedAliases[role]) : receiver?.recording[member];
      if (typeof f !== 'function') throw new EngineError('not-found', `${s.name} is not a function (it is ${typeof f})`, s.location);
      // With a receiver, the evaluator passes it first: a method gets it as `this`, a function only the parameters.
      // Each call is an evaluation of the user's code, so a method's Math.random restarts too (`restarting` did it for a function).
      const call = !receiver
        ? (f as Callable)
        : member === undefined
          ? (_self: unknown, ...args: unknown[]) => (f as Callable)(...args)
          : loaded.asEvaluation((self: unknown, ...args: unknown[]) => (self as Record<string, Callable>)[member](...args));
      supplied[role] = { fn: call, name: s.name, location: s.location };
    }
    const { point, result } = evaluatePlan(plan, {
      fn,
      receiver,
      supplied,
      containers: loaded.containers,
      constant: (name) => mod[constantAlias(name)],
      // A method's class is no function to trace: the error stands without the line where the runs parted.
      traced: plan.method ? undefined : (trace) => loaded.traced(fnAlias, trace),
      sourceLine: sourceLines(plan.source),
      onProgress,
    });
    const note = randomNote(loaded.randomCalls(), plan.evaluator.seed);
    if (note) result.notes.push(note);
    return { type: 'result', point, result, console: capture.lines() };
  } catch (e) {
    return { type: 'error', error: describeThrown(e, locator) };
  } finally {
    setLocator(null);
  }
}

/** The answer, unless user code changed what locking the realm leaves open: then the engine's results cannot be trusted. */
function untampered(answer: WorkerMessage): WorkerMessage {
  const changed = realmChanges();
  if (changed === undefined) return answer;
  const message = `the checked code changed the engine's ${changed}, reached through a value the engine made (an active number, a stand-in, an engine error), so the check's results cannot be trusted`;
  return { type: 'error', error: { kind: 'unsupported', message } };
}

/** The message serialized once, here, so its size is known before the host has to hold it. */
function encode(message: WorkerMessage): Uint8Array {
  let data: Uint8Array;
  try {
    data = serialize(message);
  } catch (e) {
    return serialize({ type: 'error', error: { kind: 'bad-return', message: `the result could not be sent: ${capText(safeString((e as Error).message), MESSAGE_CHARS)}` } });
  }
  if (data.byteLength <= MAX_RESULT_BYTES) return data;
  const mb = (n: number) => `${Math.round(n / 2 ** 20)} MB`;
  return serialize({ type: 'error', error: { kind: 'bad-return', message: `the result is too large to report (${mb(data.byteLength)}, limit ${mb(MAX_RESULT_BYTES)})` } });
}

/**
 * User code is handed this thread's objects (the inputs, active numbers, the stand-ins' functions); their
 * `constructor.constructor` is this realm's Function, which compiles code that sees `process`. The thread serves one
 * check and the engine compiled what it needed while loading, so the function constructors are disabled before the
 * user's code runs. (This closes that path; it does not make the thread a security boundary.)
 */
function disableFunctionConstructors(): void {
  const refuse = () => unsupported('Function constructor', "compiling code from strings is not available to checked code");
  for (const f of [function () {}, async function () {}, function* () {}, async function* () {}]) {
    Object.defineProperty(Object.getPrototypeOf(f), 'constructor', { value: refuse, writable: false, configurable: false });
  }
}

if (parentPort) {
  // One plan, one answer: the host terminates this thread after it (nothing user code changed here outlives the check).
  const port = parentPort;
  const warm = run(warmUpPlan);
  if (warm.type === 'error') throw new Error(`the evaluation worker's warm-up failed: ${warm.error.message}`);
  port.once('message', (plan: WorkerPlan) => {
    const answer = run(plan, (progress) => port.postMessage({ type: 'progress', progress } satisfies WorkerMessage));
    port.postMessage(encode(untampered(answer)));
  });
  // Locked while waiting, after the warm-up compiled what the engine needs.
  disableFunctionConstructors();
  hardenRealm([runtime, ADFloat64Array, ADFloat32Array, EngineError], STACK_DEPTH);
}
