// Makes the worker's own realm read-only once the engine is warm, so nothing user code is handed can change what the engine computes with.
//
// User code runs in a vm context, but some objects it receives belong to the worker's realm (active numbers, the AD
// runtime's functions, the stand-ins, errors the engine throws); through their prototypes it could reach this realm's
// Array.prototype, Function.prototype or Error, which the engine's own finite differences, comparisons and stack
// reading use. Freezing them turns such a patch into a TypeError where it is attempted.
import { runInNewContext } from 'node:vm';

/**
 * Properties that ordinary code assigns on its own objects although a prototype holds them (`this.name = …` in an
 * Error subclass, `o.toString = …`). Frozen, the inherited property would make those assignments throw (the
 * "override mistake"), so on a frozen prototype they become accessors that define the property on the object assigned
 * to, and refuse only an assignment to the prototype itself.
 */
const overridable = new Set<PropertyKey>(['constructor', 'name', 'message', 'stack', 'cause', 'toString', 'toLocaleString', 'valueOf', 'toJSON', 'then', 'catch', 'finally']);

function allowOverride(obj: object, key: PropertyKey, value: unknown): void {
  Object.defineProperty(obj, key, {
    get: () => value,
    set(this: unknown, v: unknown) {
      if (this === obj) throw new TypeError(`Cannot assign to read only property '${String(key)}' of an object of the engine (checked code cannot change the engine)`);
      Object.defineProperty(this, key, { value: v, writable: true, enumerable: true, configurable: true });
    },
    enumerable: false,
    configurable: false,
  });
}

/** Freezes `obj`, keeping the overridable properties of a prototype assignable on the objects that inherit them. */
function freezeOne(obj: object, isPrototype: boolean): void {
  if (Object.isFrozen(obj)) return;
  if (isPrototype) {
    for (const key of Reflect.ownKeys(obj)) {
      const d = Object.getOwnPropertyDescriptor(obj, key)!;
      if (overridable.has(key) && 'value' in d && d.writable && d.configurable) allowOverride(obj, key, d.value);
    }
  }
  Object.freeze(obj);
}

const isObject = (v: unknown): v is object => (typeof v === 'object' && v !== null) || typeof v === 'function';

/**
 * Freezes each root, its prototype chain and, through own properties (values, getters, setters), everything reachable
 * that `follow` admits. Prototypes (of anything frozen, and functions' `prototype`) are always followed.
 */
function freezeReachable(roots: unknown[], follow: (v: object) => boolean): void {
  const seen = new Set<object>();
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
    freezeOne(obj, isPrototype);
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
 * Freezes this realm's intrinsics (all they reach) and the engine objects handed to user code (`handed`: functions,
 * classes and namespaces of functions; their prototypes and the functions they hold are frozen, not their data).
 * Error.stackTraceLimit is fixed at `stackTraceLimit` first: the engine reads locations from its own stacks.
 */
export function hardenRealm(handed: unknown[], stackTraceLimit: number): void {
  Error.stackTraceLimit = stackTraceLimit;
  freezeReachable(intrinsics(), () => true);
  freezeReachable(handed, (v) => typeof v === 'function');
}
