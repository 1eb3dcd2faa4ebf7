// The sandbox's AD-aware globals: Math whose functions record derivatives (and a seeded Math.random), Number, isFinite, isNaN, and the float typed arrays.

import { isAD, plainValue as plain } from '../adnum';
import { unsupported } from '../context';
import { binaryOps, unaryOps, type Scalar } from '../ops';
import { primitives, type BinaryOp, type UnaryOp } from '../primitives';
import { num } from '../runtime';
import { ADFloat32Array, ADFloat64Array } from './typed-arrays';
import { seededUniform } from '../../random';

export { ADFloat32Array, ADFloat64Array };

/** One-argument Math functions that are primitives under the same name. */
const unaryMath = (Object.keys(primitives) as (keyof typeof primitives)[]).filter(
  (p): p is Exclude<UnaryOp, 'neg'> => p !== 'neg' && primitives[p].name === `Math.${p}` && 'd' in primitives[p],
);

function unaryMathFunction(op: UnaryOp): (x: unknown) => unknown {
  const onScalars = unaryOps[op];
  return (x) => onScalars(typeof x === 'number' ? x : num(x));
}

/**
 * Math.max/min/hypot take any number of arguments: folded pairwise, left to right. `single` is the one-argument
 * case; with more, the fold starts from the first pair (hypot(|a|, b) would lose a's derivative at a = 0).
 */
function variadic(op: BinaryOp, empty: number, single: (x: Scalar) => Scalar): (...args: unknown[]) => unknown {
  const onScalars = binaryOps[op];
  return function (this: unknown, a?: unknown, b?: unknown): unknown {
    const count = arguments.length;
    if (count === 0) return empty;
    if (count === 1) return single(num(a));
    let acc = onScalars(num(a), num(b));
    for (let k = 2; k < count; k++) acc = onScalars(acc, num(arguments[k]));
    return acc;
  };
}

/** Math functions with no derivative (integer bit games): plain on numbers, an error on active values. */
function passiveOnly(name: string, fn: (...args: number[]) => number): (...args: unknown[]) => number {
  return (...args) => {
    if (args.some(isAD)) unsupported(`Math.${name}`, 'has no derivative; its argument depends on the differentiated input');
    return fn(...(args as number[]));
  };
}

/**
 * Math.random for user code: a seeded generator (mulberry32) that the sandbox restarts before every evaluation of the
 * checked function, so the value, the recording and each finite-difference evaluation draw the same numbers.
 */
export class SeededRandom {
  private uniform: () => number;
  /** Draws since the last restart. */
  calls = 0;

  constructor(readonly seed: number) {
    this.uniform = seededUniform(seed);
  }

  restart(): void {
    this.uniform = seededUniform(this.seed);
    this.calls = 0;
  }

  next(): number {
    this.calls++;
    return this.uniform();
  }
}

function createMath(random: SeededRandom): Math {
  const math: Record<string | symbol, unknown> = {};
  for (const key of Object.getOwnPropertyNames(Math)) math[key] = (Math as unknown as Record<string, unknown>)[key];
  math[Symbol.toStringTag] = 'Math';
  for (const op of unaryMath) math[op] = unaryMathFunction(op);
  math.pow = (a: unknown, b: unknown) => binaryOps.pow(num(a), num(b));
  math.atan2 = (a: unknown, b: unknown) => binaryOps.atan2(num(a), num(b));
  math.max = variadic('max', -Infinity, (x) => x);
  math.min = variadic('min', Infinity, (x) => x);
  math.hypot = variadic('hypot', 0, unaryOps.abs);
  math.random = () => random.next();
  math.imul = passiveOnly('imul', Math.imul);
  math.clz32 = passiveOnly('clz32', Math.clz32);
  return math as unknown as Math;
}

/**
 * Number(x) keeps an active scalar (it already is a number); the predicates and parsers look at the value.
 * `Native` is the Number of the realm the code runs in: its prototype is the one that realm's numbers have.
 */
function createNumber(Native: NumberConstructor): NumberConstructor {
  const wrapper = function (this: unknown, ...args: unknown[]): unknown {
    const value = args.length === 0 ? 0 : isAD(args[0]) ? args[0] : Native(args[0]);
    // `new Number(x)` makes a wrapper object of the value, as the native one does.
    return new.target ? new Native(plain(value)) : value;
  } as unknown as Record<string, unknown>;
  for (const key of Object.getOwnPropertyNames(Native)) {
    if (key === 'length' || key === 'name' || key === 'prototype') continue;
    const native = (Native as unknown as Record<string, unknown>)[key];
    wrapper[key] = typeof native === 'function' ? (...args: unknown[]) => native(...args.map(plain)) : native;
  }
  Object.defineProperty(wrapper, 'prototype', { value: Native.prototype });
  return wrapper as unknown as NumberConstructor;
}

export interface SandboxGlobals {
  Math: Math;
  Number: NumberConstructor;
  isFinite: (x: unknown) => boolean;
  isNaN: (x: unknown) => boolean;
  Float64Array: typeof ADFloat64Array;
  Float32Array: typeof ADFloat32Array;
  /** Math.random's generator (not a global: the sandbox restarts it). */
  random: SeededRandom;
}

export function createSandboxGlobals(seed = 1, NativeNumber: NumberConstructor = Number): SandboxGlobals {
  const random = new SeededRandom(seed);
  return {
    random,
    Math: createMath(random),
    Number: createNumber(NativeNumber),
    isFinite: (x) => isFinite(plain(x) as number),
    isNaN: (x) => isNaN(plain(x) as number),
    Float64Array: ADFloat64Array,
    Float32Array: ADFloat32Array,
  };
}
