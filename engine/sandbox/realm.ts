// The realm user code runs in: a vm context, plain-number fast paths compiled inside it, and the bundle wrapped so its globals are locals.
//
// Two costs dominate plain evaluation of rewritten code otherwise: every `__ad` / `Math` reference is a global lookup
// through the context's interceptor, and every operator is a call into the host realm, which V8 never inlines. Here
// the wrapper takes those globals as parameters, and the operators and Math functions the loops call are small
// functions of the context's own realm that compute numbers natively and hand anything else to the AD runtime.
import * as vm from 'node:vm';
import { currentTape } from '../ad/context';
import type { Containers } from '../tree';
import { createSandboxGlobals, type SeededRandom } from '../ad/js/globals';
import { arithmeticOperators, bitOperators, equalityOperators } from '../ad/js/operators';
import { guardedTypedArrays } from '../ad/js/typed-arrays';
import { mlMatrixModule } from '../ad/matrix/module';
import { runtime } from '../ad/runtime';
import { rewriteOperators, type Rewritten } from '../load/rewrite';
import { bundleFileName } from '../load/sourcemap';
import { mlMatrixGlobal, moduleGlobal } from './protocol';

const isNumber = (v: string) => `typeof ${v} === 'number'`;
const bothNumbers = `${isNumber('a')} && ${isNumber('b')}`;

/** setOp's operator names as the rewriter passes them (arithmetic by name, bit operations by symbol) → the JavaScript operator. */
const compoundOperators: Record<string, string> = Object.fromEntries([
  ...Object.entries(arithmeticOperators).map(([symbol, name]) => [name, symbol]),
  ...bitOperators.map((symbol) => [symbol, symbol]),
]);
const bitSymbols: readonly string[] = bitOperators;

/** `op === 's1' ? a s1 b : … : otherwise`, which V8 folds to one operator when `op` is a constant at an inlined call. */
const operatorChain = (ops: [name: string, symbol: string][], a: string, b: string, otherwise: string) =>
  ops.map(([name, symbol]) => `op === '${name}' ? ${a} ${symbol} ${b} : `).join('') + otherwise;

/**
 * The runtime operators with a fast path: parameters, when it applies, and what JavaScript computes then (exactly what
 * the runtime computes for those operands). Anything else goes to the runtime function of the same name.
 */
const fastOperators: Record<string, [params: string, guard: string, native: string]> = {
  ...Object.fromEntries(
    [...Object.entries(arithmeticOperators), ...Object.entries(equalityOperators)].map(([symbol, name]) => [name, ['a, b', bothNumbers, `a ${symbol} b`]]),
  ),
  neg: ['x', isNumber('x'), '-x'],
  pos: ['x', isNumber('x'), 'x'],
  num: ['x', isNumber('x'), 'x'],
  inc: ['x', isNumber('x'), 'x + 1'],
  dec: ['x', isNumber('x'), 'x - 1'],
  typeOf: ['x', "typeof x !== 'object'", 'typeof x'],
  // Objects are tested here too (`node && node.next` in a loop): only an active scalar needs the runtime.
  truthy: ['x', "typeof x !== 'object' || !(x instanceof ActiveScalar)", '!!x'],
  caseValue: ['x', "typeof x !== 'object' || !(x instanceof ActiveScalar)", 'x'],
  bit: [
    'op, a, b',
    `${isNumber('a')} && (${isNumber('b')} || op === '~')`,
    operatorChain(bitSymbols.map((s) => [s, s]), 'a', 'b', "op === '~' ? ~a : rt.bit(op, a, b)"),
  ],
};

/**
 * The member updates (`o[k] op= v`, `o[k]++`, `++o[k]`): parameters and body. The member is read once; numbers are
 * updated natively, anything else by the runtime's own helper applied to a box holding the value read, so the
 * semantics stay the runtime's.
 */
const slowSetOp = "rt.setOp({ v: old }, 'v', op, v)";
const memberUpdates: Record<string, [params: string, body: string]> = {
  setOp: [
    'obj, key, op, v',
    `const old = obj[key];
    return (obj[key] = ${isNumber('old')} && ${isNumber('v')} ? ${operatorChain(Object.entries(compoundOperators), 'old', 'v', slowSetOp)} : ${slowSetOp});`,
  ],
  postUpdate: [
    'obj, key, delta',
    `const old = obj[key];
    if (${isNumber('old')}) {
      obj[key] = old + delta;
      return old;
    }
    const box = { v: old };
    const result = rt.postUpdate(box, 'v', delta);
    obj[key] = box.v;
    return result;`,
  ],
  preUpdate: [
    'obj, key, delta',
    `const old = obj[key];
    return (obj[key] = ${isNumber('old')} ? old + delta : rt.preUpdate({ v: old }, 'v', delta));`,
  ],
};

/**
 * Math functions of one or two arguments: on numbers their AD versions compute what the native ones compute.
 * (random, of none, stays the AD version: the seeded generator.)
 */
function hasFastPath(key: string): boolean {
  const native = (Math as unknown as Record<string, unknown>)[key];
  return typeof native === 'function' && (native.length === 1 || native.length === 2);
}

/**
 * A function of `native`'s arity: `native` when every argument is a number, else the AD version. Two-argument
 * functions (max, min, hypot are variadic) take the fast path only with exactly two arguments; a rest parameter
 * (which V8 removes once the call is inlined) counts them, where `arguments` would keep it from optimizing well.
 */
function nativeOrAD(name: string, arity: number, native: string, ad: string): string {
  if (arity === 1) return `${name}(x) { return ${isNumber('x')} ? ${native}.${name}(x) : ${ad}.${name}(x); },`;
  // With two arguments the AD version is called directly too: spreading into it was a sixth of a loop's gradient.
  return `${name}(...args) {
    if (args.length !== 2) return ${ad}.${name}(...args);
    return ${isNumber('args[0]')} && ${isNumber('args[1]')} ? ${native}.${name}(args[0], args[1]) : ${ad}.${name}(args[0], args[1]);
  },`;
}

/**
 * The functions that observe a number, made to see an active scalar as its value: Boolean (truthiness), Object.is,
 * and Map/Set/WeakMap/WeakSet, whose keys are compared by identity, so an active key stops the check at its line.
 * Object.is is replaced in the realm itself (user code reaches it through `Object`, which stays the realm's); the
 * replacement is the native one for every value but an active scalar. In the sandbox's own realm `(false).constructor`
 * becomes the observing Boolean too; a live module's realm is the caller's process, whose Boolean stays its own.
 */
const observersSource = (patchBooleanConstructor: boolean) => `
  const NativeBoolean = Boolean;
  const DLBoolean = function Boolean(value) {
    const b = ad.truthy(value);
    return new.target ? new NativeBoolean(b) : b;
  };
  DLBoolean.prototype = NativeBoolean.prototype;
  ${patchBooleanConstructor ? "Object.defineProperty(NativeBoolean.prototype, 'constructor', { value: DLBoolean, writable: true, configurable: true });" : ''}
  const nativeIs = Object.is;
  Object.defineProperty(Object, 'is', { value: function is(a, b) { return nativeIs(ad.plain(a), ad.plain(b)); }, writable: true, configurable: true });
  const key = (k, where) => (k instanceof ActiveScalar ? rt.activeKey(where) : k);
  const DLMap = class Map extends globalThis.Map {
    get(k) { return super.get(key(k, 'Map.get')); }
    set(k, v) { return super.set(key(k, 'Map key'), v); }
    has(k) { return super.has(key(k, 'Map.has')); }
    delete(k) { return super.delete(key(k, 'Map.delete')); }
  };
  const DLSet = class Set extends globalThis.Set {
    add(k) { return super.add(key(k, 'Set entry')); }
    has(k) { return super.has(key(k, 'Set.has')); }
    delete(k) { return super.delete(key(k, 'Set.delete')); }
  };
  // A number is no weak key (JavaScript throws), but an active scalar is an object and would be accepted.
  const DLWeakMap = class WeakMap extends globalThis.WeakMap {
    set(k, v) { return super.set(key(k, 'WeakMap key'), v); }
  };
  const DLWeakSet = class WeakSet extends globalThis.WeakSet {
    add(k) { return super.add(key(k, 'WeakSet entry')); }
  };`;

/**
 * The source of the realm's fast paths: a function of (runtime, AD Math, AD globals) returning the realm's `__ad`,
 * `Math`, `isFinite` and `isNaN`, each one object literal (so V8 keeps them in fast mode and their methods constant).
 * It runs before the AD globals are installed, so `Math`, `isFinite`, `isNaN` still name the realm's own.
 * `realm` says whose realm it is compiled in: the sandbox's own, or the caller's process (live modules).
 */
export function fastPathSource(runtimeKeys: string[], mathKeys: string[], traced: boolean, realm: 'sandbox' | 'live' = 'sandbox'): string {
  const result = (name: string, params: string, guard: string, native: string) => `${guard} ? ${native} : rt.${name}(${params})`;
  const operators = [
    ...Object.entries(fastOperators).map(([name, [params, guard, native]]) => [
      name,
      params,
      traced ? `const r = ${result(name, params, guard, native)};\n    trace(r);\n    return r;` : `return ${result(name, params, guard, native)};`,
    ]),
    ...Object.entries(memberUpdates).map(([name, [params, body]]) => [name, params, body]),
  ].map(([name, params, body]) => `${name}(${params}) {\n    ${body}\n  },`);
  const forwarded = runtimeKeys.filter((k) => !(k in fastOperators) && !(k in memberUpdates));
  const math = mathKeys.map((k) =>
    hasFastPath(k) ? nativeOrAD(k, (Math as unknown as Record<string, () => unknown>)[k].length, 'nativeMath', 'adMath') : `${k}: adMath.${k},`,
  );
  return `'use strict';
(function (rt, adMath, adGlobals, trace) {
  const nativeMath = Math;
  const ActiveScalar = rt.ADNum;
  const nativeGlobals = { isFinite, isNaN };
  const ad = {
    ${operators.join('\n    ')}
    ${forwarded.map((k) => `${k}: rt.${k},`).join('\n    ')}
  };
  const math = {
    __proto__: Object.getPrototypeOf(nativeMath),
    ${math.join('\n    ')}
    [Symbol.toStringTag]: adMath[Symbol.toStringTag],
  };
  const globals = {
    ${nativeOrAD('isFinite', 1, 'nativeGlobals', 'adGlobals')}
    ${nativeOrAD('isNaN', 1, 'nativeGlobals', 'adGlobals')}
  };
  ${observersSource(realm === 'sandbox')}
  return { __ad: ad, Math: math, isFinite: globals.isFinite, isNaN: globals.isNaN, Boolean: DLBoolean, Map: DLMap, Set: DLSet, WeakMap: DLWeakMap, WeakSet: DLWeakSet };
})`;
}

/** Globals the wrapper must not bind: `eval` (a local would turn direct eval into indirect). */
const unbound = new Set(['eval']);
let cachedParameterNames: string[] | undefined;

/**
 * The wrapper's parameters: `__ad`, the ml-matrix stand-in, and every global a fresh realm has (Math, Number,
 * Float64Array, … and also undefined, NaN, Infinity, Array, Object): reading even `Infinity` through the context's
 * interceptor costs as much as a loop iteration. Each is bound to what its name means as a global of the realm.
 */
function parameterNames(): string[] {
  if (cachedParameterNames === undefined) {
    const own = vm.runInNewContext('Object.getOwnPropertyNames(globalThis)') as string[];
    cachedParameterNames = ['__ad', mlMatrixGlobal, ...own.filter((k) => /^[A-Za-z_$][\w$]*$/.test(k) && !unbound.has(k))];
  }
  return cachedParameterNames;
}

/** The bundle's code as the sandbox runs it: operators rewritten, wrapped; `toInput` maps its positions to the bundle's. */
export function prepareBundle(code: string): Rewritten {
  const rewritten = rewriteOperators(code);
  // On the bundle's first line, so every other line keeps its number; the columns of line 1 shift by its length.
  // Strict, as a TypeScript module is where the user runs it (tsc emits "use strict"; ES modules are strict): an
  // assignment to an undeclared name throws and a plain call has no receiver. esbuild's IIFE would drop that.
  const head = `(function (${parameterNames().join(', ')}) { 'use strict'; `;
  return {
    code: `${head}${rewritten.code}\nreturn ${moduleGlobal};\n})`,
    toInput: (line, column) => rewritten.toInput(line, line === 1 ? Math.max(0, column - head.length) : column),
  };
}

export interface SandboxRealm {
  context: vm.Context;
  /** The in-realm fast paths and the AD globals, installed as globals of the context. */
  globals: { __ad: Record<string, (...args: any[]) => unknown>; Math: Math; isFinite: (x: unknown) => boolean; isNaN: (x: unknown) => boolean; [name: string]: unknown };
  /** The realm's Math.random generator. */
  random: SeededRandom;
  /** Makes arrays and objects of the realm. */
  containers: Containers;
}

/**
 * A fresh context whose `__ad`, `Math`, `isFinite`, `isNaN` are the in-realm fast paths over the AD runtime and
 * globals (`trace`, when given, receives every operator's result). The recording realm (`recording`) also gets a Float32Array that keeps derivatives and integer typed
 * arrays and DataView that refuse active values; the plain realm keeps the native ones, which compute the same values.
 */
export function createRealm(seed?: number, trace?: (result: unknown) => void, recording = false): SandboxRealm {
  const context = vm.createContext({}, { codeGeneration: { strings: false, wasm: false } });
  const ad = createSandboxGlobals(seed, vm.runInContext('Number', context) as NumberConstructor);
  const source = fastPathSource(Object.keys(runtime), Object.getOwnPropertyNames(ad.Math), trace !== undefined);
  const fast = new vm.Script(source, { filename: 'dlens-fast-paths.js' }).runInContext(context)(runtime, ad.Math, ad, trace);
  const typedArrays = recording ? { Float32Array: ad.Float32Array, ...guardedTypedArrays() } : {};
  const globals = { ...fast, Number: ad.Number, Float64Array: ad.Float64Array, ...typedArrays, [mlMatrixGlobal]: mlMatrixModule };
  Object.assign(context, globals);
  return { context, globals, random: ad.random, containers: vm.runInContext(containersSource(), context) as Containers };
}

/**
 * The realm's own arrays and objects, for the arguments the engine builds (the constructor is taken before user code
 * runs). Each realm compiles its own copy (the comment makes the source unique), so the loops that fill arrays of
 * numbers learn only this realm's array maps (see Containers).
 */
let realms = 0;
const containersSource = () => `(() => {
  const NativeArray = Array;
  return {
    array: (length) => new NativeArray(length),
    object: () => ({}),
    numbers(flat, from, to, Active) {
      const out = new NativeArray(to - from);
      if (Active === undefined) for (let k = from; k < to; k++) out[k - from] = flat[k];
      else for (let k = from; k < to; k++) out[k - from] = new Active(k, flat[k]);
      return out;
    },
    rows(flat, from, count, width, Active) {
      const out = new NativeArray(count);
      for (let i = 0; i < count; i++) out[i] = this.numbers(flat, from + i * width, from + (i + 1) * width, Active);
      return out;
    },
  };
})() // realm ${++realms}`;

/** `console` as an object of the realm (its methods forward to the capture), so what user code changes on it stays there. */
const consoleSource = `(methods) => {
  const console = {};
  for (const name of Object.keys(methods)) {
    const method = methods[name];
    console[name] = (...args) => method(...args);
  }
  return console;
}`;

/** Evaluates the prepared bundle in a fresh realm and returns the module's exports; `console`, when given, receives what it prints. */
function runBundle(
  program: Pick<Rewritten, 'code'>,
  console: Console | undefined,
  seed: number,
  recording: boolean,
  trace?: (result: unknown) => void,
): { exports: Record<string, unknown>; random: SeededRandom; containers: Containers } {
  const { context, random, containers } = createRealm(seed, trace, recording);
  if (console) context.console = vm.runInContext(consoleSource, context)(console);
  const wrapper = new vm.Script(program.code, { filename: bundleFileName }).runInContext(context);
  // Called from inside the realm, so each parameter receives exactly what its name means there as a global.
  const call = new vm.Script(`(wrapper) => wrapper(${parameterNames().join(', ')})`).runInContext(context);
  return { exports: call(wrapper) as Record<string, unknown>, random, containers };
}

type Console = Record<string, (...args: unknown[]) => void>;

export interface LoadedBundle {
  /** The module's exports (of the instance that records), and of the plain instance. */
  exports: Record<string, unknown>;
  /** The plain instance's exports (a method's receiver is built by each instance's own class). */
  plain: Record<string, unknown>;
  /** Makes arrays and objects in each instance's realm (the arguments the engine builds). */
  containers: { recording: Containers; plain: Containers };
  /**
   * Export `name` as one function: the recording instance's while a tape records, the plain instance's otherwise.
   * Each call is one evaluation: Math.random restarts from the seed first.
   */
  byMode(name: string): ((...args: unknown[]) => unknown) | undefined;
  /** As byMode, for the function `pick` finds in each instance's exports (a method of its own class or object). */
  byModeOf(pick: (exports: Record<string, unknown>) => unknown): ((...args: unknown[]) => unknown) | undefined;
  /** Export `name` of the recording instance, Math.random restarted before each call (for supplied derivatives). */
  restarting(name: string): ((...args: unknown[]) => unknown) | undefined;
  /** `f`, which calls into the recording instance (a method of its receiver), with Math.random restarted before each call. */
  asEvaluation(f: (...args: unknown[]) => unknown): (...args: unknown[]) => unknown;
  /** Math.random draws: while the module loaded, and the most in one evaluation so far. */
  randomCalls(): { atLoad: number; perEvaluation: number };
  /** A third instance whose every operator reports its result to `trace` (to find where two runs part); loaded on demand. */
  traced(name: string, trace: (result: unknown) => void): ((...args: unknown[]) => unknown) | undefined;
}

/**
 * Loads the prepared bundle twice, each instance in its own realm. One runs while a tape records, the other on plain
 * numbers (finite differences call it hundreds of times): were it one function, V8's type feedback would mix active
 * values into every operation and box every intermediate number (Rosenbrock: 25× slower after one gradient).
 * `console` receives what user code prints; the second instance's top-level output is not repeated.
 */
export function loadBundle(program: Pick<Rewritten, 'code'>, console?: Console, seed = 1): LoadedBundle {
  const recording = runBundle(program, console, seed, true);
  let loaded = false;
  const afterLoad = console && Object.fromEntries(Object.entries(console).map(([k, f]) => [k, (...args: unknown[]) => loaded && f(...args)]));
  const plain = runBundle(program, afterLoad, seed, false);
  loaded = true;
  const atLoad = recording.random.calls;
  let perEvaluation = 0;
  const restarting = (instance: typeof recording, f: unknown) => (...args: unknown[]) => {
    instance.random.restart();
    try {
      return (f as (...a: unknown[]) => unknown)(...args);
    } finally {
      perEvaluation = Math.max(perEvaluation, instance.random.calls);
    }
  };
  return {
    exports: recording.exports,
    plain: plain.exports,
    containers: { recording: recording.containers, plain: plain.containers },
    byMode(name) {
      return this.byModeOf((exports) => exports[name]);
    },
    byModeOf(pick) {
      const [onTape, onNumbers] = [pick(recording.exports), pick(plain.exports)];
      if (typeof onTape !== 'function' || typeof onNumbers !== 'function') return undefined;
      const [a, b] = [restarting(recording, onTape), restarting(plain, onNumbers)];
      return (...args) => (currentTape() === null ? b : a)(...args);
    },
    restarting(name) {
      const f = recording.exports[name];
      return typeof f === 'function' ? restarting(recording, f) : undefined;
    },
    asEvaluation: (f) => restarting(recording, f),
    randomCalls: () => ({ atLoad, perEvaluation }),
    traced(name, trace) {
      let tracing = false;
      const silent = Object.fromEntries(['log', 'info', 'warn', 'error', 'debug', 'trace'].map((k) => [k, () => {}]));
      const instance = runBundle(program, silent, seed, true, (r) => tracing && trace(r));
      const f = instance.exports[name];
      if (typeof f !== 'function') return undefined;
      return (...args) => {
        instance.random.restart();
        tracing = true;
        try {
          return f(...args);
        } finally {
          tracing = false;
        }
      };
    },
  };
}
