// Makes the worker's own realm tamper-proof once the engine is warm, so nothing user code is handed can change what the engine computes with.
//
// User code runs in a vm context, but some objects it receives belong to the worker's realm (active numbers, the AD
// runtime's functions, the stand-ins, errors the engine throws); through their prototypes it could reach this realm's
// Function.prototype, Array.prototype or Error, which the engine's own finite differences, comparisons and stack
// reading use. Their properties are made read-only, so a patch fails where it is attempted.
//
// V8 keeps fast paths for arrays, typed arrays and promises behind isolate-wide "protectors" that any change of certain
// properties disables, for every realm of the thread (the user's too): `constructor`, `Symbol.iterator`, `next`,
// `then`, `Symbol.species`, and the elements of Object.prototype and Array.prototype (freezing those two made a t-SNE
// check twice as slow). So those properties stay as they are and those two prototypes stay extensible; instead
// `realmChanges()` compares them with how they were, after the check, and a change stops the check.
import { runInNewContext } from 'node:vm';

/** Properties whose configuration V8's protectors watch: left writable, and compared after the check. */
const watched = new Set<PropertyKey>(['constructor', 'next', 'then', Symbol.iterator, Symbol.species, Symbol.isConcatSpreadable]);

/**
 * Properties that ordinary code assigns on its own objects although a prototype holds them (`this.name = …` in an
 * Error subclass). Read-only on the prototype, the inherited property would make those assignments throw (the
 * "override mistake"), so they become accessors that define the property on the object assigned to, and refuse an
 * assignment to the prototype itself.
 */
const overridable = new Set<PropertyKey>(['name', 'message', 'stack', 'cause', 'toString', 'toLocaleString', 'valueOf', 'toJSON']);

function allowOverride(obj: object, key: PropertyKey, value: unknown, enumerable: boolean | undefined): void {
  Object.defineProperty(obj, key, {
    get: () => value,
    set(this: unknown, v: unknown) {
      if (this === obj) throw new TypeError(`Cannot assign to read only property '${String(key)}' of an object of the engine (checked code cannot change the engine)`);
      Object.defineProperty(this, key, { value: v, writable: true, enumerable: true, configurable: true });
    },
    enumerable,
    configurable: false,
  });
}

/** How a message names an object: a function by its name, a prototype by its constructor's. */
function nameOf(obj: object): string {
  if (typeof obj === 'function') return String((obj as { name?: unknown }).name);
  const ctor = Object.getOwnPropertyDescriptor(obj, 'constructor')?.value as { name?: unknown } | undefined;
  return typeof ctor?.name === 'string' && ctor.name !== '' ? `${ctor.name}.prototype` : Object.prototype.toString.call(obj);
}

/** What `realmChanges` compares: the watched properties' values, and the keys of the prototypes left extensible. */
const watchedValues: { obj: object; name: string; key: PropertyKey; value: unknown }[] = [];
const extensibleKeys: { obj: object; name: string; keys: PropertyKey[] }[] = [];

/** Makes every own property of `obj` read-only and fixed (but the watched ones), and `obj` closed to new properties unless `extensible`. */
function lock(obj: object, isPrototype: boolean, extensible: boolean): void {
  const keys = Reflect.ownKeys(obj);
  // Most are built-in functions with nothing watched: one freeze, where a property at a time took most of the time.
  if (!isPrototype && !extensible && !keys.some((k) => watched.has(k))) {
    Object.freeze(obj);
    return;
  }
  for (const key of keys) {
    const d = Object.getOwnPropertyDescriptor(obj, key)!;
    if (watched.has(key)) {
      watchedValues.push({ obj, name: nameOf(obj), key, value: 'value' in d ? d.value : d.get });
      continue;
    }
    // An array's length (Array.prototype is one) stays as it is: it holds no behaviour.
    if (key === 'length' && Array.isArray(obj)) continue;
    if (isPrototype && overridable.has(key) && 'value' in d && d.writable && d.configurable) allowOverride(obj, key, d.value, d.enumerable);
    else if (d.configurable || d.writable) Object.defineProperty(obj, key, 'value' in d ? { writable: false, configurable: false } : { configurable: false });
  }
  if (!extensible) Object.preventExtensions(obj);
}

const isObject = (v: unknown): v is object => (typeof v === 'object' && v !== null) || typeof v === 'function';

/**
 * Locks each root, its prototype chain and, through own properties (values, getters, setters), everything reachable
 * that `follow` admits. Prototypes (of anything locked, and functions' `prototype`) are always followed.
 */
function lockReachable(roots: unknown[], follow: (v: object) => boolean, extensible: Map<object, string>, seen: Set<object>): void {
  const queue: { obj: object; isPrototype: boolean }[] = roots.filter(isObject).map((obj) => ({ obj, isPrototype: false }));
  const visit = (v: unknown, isPrototype: boolean) => {
    if (isObject(v) && !seen.has(v) && (isPrototype || follow(v))) queue.push({ obj: v, isPrototype });
  };
  while (queue.length > 0) {
    const { obj, isPrototype } = queue.pop()!;
    if (seen.has(obj)) continue;
    seen.add(obj);
    const proto = Object.getPrototypeOf(obj);
    if (proto !== null) visit(proto, true);
    for (const key of Reflect.ownKeys(obj)) {
      const d = Object.getOwnPropertyDescriptor(obj, key)!;
      if (typeof obj === 'function' && key === 'prototype') visit(d.value, true);
      else for (const v of [d.value, d.get, d.set]) visit(v, false);
    }
    lock(obj, isPrototype, extensible.has(obj));
  }
}

/**
 * The realm's intrinsics: every standard global (a fresh realm's global names, read here), and the ones no global
 * names (iterator, generator and async function prototypes, %TypedArray%), reached through instances.
 */
function intrinsics(): unknown[] {
  const names = (runInNewContext('Object.getOwnPropertyNames(globalThis)') as string[]).filter((k) => k !== 'globalThis');
  const here = globalThis as unknown as Record<string, unknown>;
  const hidden = [
    [][Symbol.iterator](),
    new Map().entries(),
    new Set().values(),
    ''[Symbol.iterator](),
    'a'.matchAll(/a/g),
    (function* () {})(),
    (async function* () {})(),
    async function () {},
    Object.getPrototypeOf(Float64Array),
  ];
  return [...names.map((k) => here[k]), ...hidden];
}

/**
 * Locks this realm's intrinsics (all they reach) and the engine objects handed to user code (`handed`: functions,
 * classes and namespaces of functions; their prototypes and the functions they hold, not their data).
 * Error.stackTraceLimit is fixed at `stackTraceLimit` first: the engine reads locations from its own stacks.
 */
export function hardenRealm(handed: unknown[], stackTraceLimit: number): void {
  Error.stackTraceLimit = stackTraceLimit;
  const extensible = new Map<object, string>([
    [Object.prototype, 'Object.prototype'],
    [Array.prototype, 'Array.prototype'],
  ]);
  const seen = new Set<object>();
  lockReachable(intrinsics(), () => true, extensible, seen);
  lockReachable(handed, (v) => typeof v === 'function', extensible, seen);
  for (const [obj, name] of extensible) extensibleKeys.push({ obj, name, keys: Reflect.ownKeys(obj) });
}

/** What user code changed in the hardened realm that locking could not prevent (a watched property, a new property of Object.prototype or Array.prototype), or undefined. */
export function realmChanges(): string | undefined {
  for (const { obj, name, key, value } of watchedValues) {
    const d = Object.getOwnPropertyDescriptor(obj, key);
    if (!d || ('value' in d ? d.value : d.get) !== value) return `${name}.${typeof key === 'symbol' ? `[${key.description}]` : key}`;
  }
  for (const { obj, name, keys } of extensibleKeys) {
    const now = Reflect.ownKeys(obj);
    const added = now.find((k) => !keys.includes(k));
    if (added !== undefined || now.length !== keys.length) return `${name} (${added !== undefined ? `added '${String(added)}'` : 'a property removed'})`;
  }
  return undefined;
}
