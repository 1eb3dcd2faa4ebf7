// What rewritten modules of the caller's process bind their operators and globals to: the AD runtime with the sandbox's plain-number fast paths.
import * as vm from 'node:vm';
import { currentTape } from '../ad/context';
import { SeededRandom, createSandboxGlobals } from '../ad/js/globals';
import { mlMatrixModule } from '../ad/matrix/module';
import { runtime } from '../ad/runtime';
import { fastPathSource } from '../sandbox/realm';
import type { boundNames, ModuleFormat } from './transform';

export interface LiveBindings extends Record<(typeof boundNames)[number], unknown> {
  mlMatrix: Record<string, unknown>;
}

/**
 * A float typed array class for live modules: the native one outside a recording, so plain code keeps real typed
 * arrays; while a tape records, the AD one (a native array would keep only the value of an active scalar and drop
 * its derivative). `instanceof` accepts both.
 */
function switchingTypedArray(Native: Float64ArrayConstructor | Float32ArrayConstructor, Recording: unknown): unknown {
  const recording = Recording as Float64ArrayConstructor;
  const pick = () => (currentTape() === null ? Native : recording);
  function TypedArrayLive(...args: unknown[]): unknown {
    if (!new.target) throw new TypeError(`Constructor ${Native.name} requires 'new'`);
    // A user's subclass is built as the native class it extends would build it (its methods live on native typed arrays).
    if (new.target !== TypedArrayLive) return Reflect.construct(Native, args, new.target);
    return Reflect.construct(pick(), args);
  }
  Object.defineProperties(TypedArrayLive, {
    name: { value: Native.name },
    prototype: { value: Native.prototype },
    BYTES_PER_ELEMENT: { value: Native.BYTES_PER_ELEMENT },
    from: { value: (...args: unknown[]) => (pick().from as (...a: unknown[]) => unknown)(...args) },
    of: { value: (...args: number[]) => pick().of(...args) },
    [Symbol.hasInstance]: { value: (x: unknown) => x instanceof Native || x instanceof recording },
  });
  return TypedArrayLive;
}

/** Whether a live check is evaluating the user's code right now (recording or not). */
let checking = false;

/** Runs `fn` as a live check's evaluation: the engine's semantics apply where they differ from plain JavaScript's. */
export function duringLiveCheck<T>(seed: number, fn: () => T): T {
  const outer = checking;
  checking = true;
  checkRandom = new SeededRandom(seed);
  try {
    return fn();
  } finally {
    checking = outer;
  }
}

/** The seeded Math.random of the check in progress, restarted before each evaluation (as in the sandbox). */
let checkRandom = new SeededRandom(1);

/** `fn` as one evaluation of a live check: Math.random restarts first, so every evaluation draws the same numbers. */
export function restartingRandom(fn: (...args: unknown[]) => unknown): (...args: unknown[]) => unknown {
  return (...args) => {
    checkRandom.restart();
    return fn(...args);
  };
}

/**
 * Math.random: the native one for the user's own code outside a check (tests that draw random data keep working);
 * the seeded one inside a check, so every evaluation is of the same function.
 */
function liveRandom(): () => number {
  const native = Math.random;
  return function random() {
    return checking ? checkRandom.next() : native();
  };
}

let bindings: LiveBindings | undefined;
/** Each rewritten module, with its format when it runs exactly as the hook wrote it (so call sites can be mapped back). */
export const rewrittenModules = new Map<string, ModuleFormat | undefined>();

/**
 * The bindings for the module `file` (called by its first line; the ml-matrix stand-in module asks without one). The
 * fast paths are compiled in this realm, so V8 inlines them into the module's loops as it does in the sandbox.
 */
export function liveBindings(file?: string, format?: ModuleFormat): LiveBindings {
  if (file !== undefined) rewrittenModules.set(file, format);
  if (bindings === undefined) {
    const ad = createSandboxGlobals();
    const source = fastPathSource(Object.keys(runtime), Object.getOwnPropertyNames(ad.Math), false, 'live');
    const fast = new vm.Script(source, { filename: 'dlens-fast-paths.js' }).runInThisContext()(runtime, ad.Math, ad, undefined);
    fast.Math.random = liveRandom();
    bindings = {
      __ad: fast.__ad,
      Math: fast.Math,
      isFinite: fast.isFinite,
      isNaN: fast.isNaN,
      Boolean: fast.Boolean,
      Map: fast.Map,
      Set: fast.Set,
      WeakMap: fast.WeakMap,
      WeakSet: fast.WeakSet,
      Number: ad.Number,
      Float64Array: switchingTypedArray(Float64Array, ad.Float64Array),
      Float32Array: switchingTypedArray(Float32Array, ad.Float32Array),
      mlMatrix: mlMatrixModule,
    };
  }
  return bindings!;
}

/** Whether a load hook has rewritten any module of this process: then functions are checked live. */
export function hookActive(): boolean {
  return rewrittenModules.size > 0;
}
