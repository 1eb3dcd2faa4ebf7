// The `__ad` object that rewritten user code calls for its operators: JavaScript's semantics, recorded when active.
//
// Every binary operator checks `typeof === 'number'` on both operands first: that is the hot path of every loop in
// plain evaluation. Next, numbers and active scalars go straight to the operation's own recorder; everything else
// (strings, BigInt, objects) goes through one slow path with JavaScript's conversions.

import { ADNum, isAD, plainValue as plain } from './adnum';
import { unsupported } from './context';
import { arithmeticOperators, bitOperators, type ArithmeticName, type BitOperator } from './js/operators';
import { binary, binaryOps, unaryOps, type Scalar } from './ops';

type Arith = ArithmeticName;
type BitOp = BitOperator;


/** JavaScript's operator itself, for operands that hold no active value. */
function native(op: Arith, a: any, b: any): unknown {
  switch (op) {
    case 'add':
      return a + b;
    case 'sub':
      return a - b;
    case 'mul':
      return a * b;
    case 'div':
      return a / b;
    case 'mod':
      return a % b;
    case 'pow':
      return a ** b;
  }
}

function isPrimitive(x: unknown): boolean {
  return x === null || (typeof x !== 'object' && typeof x !== 'function');
}

/** ToPrimitive with the default hint (what `+` does to an object), keeping an active scalar as it is. */
function toPrimitive(x: unknown): unknown {
  if (isPrimitive(x) || isAD(x)) return x;
  const o = x as any;
  const exotic = o[Symbol.toPrimitive];
  if (typeof exotic === 'function') return exotic.call(o, 'default');
  for (const method of ['valueOf', 'toString']) {
    if (typeof o[method] === 'function') {
      const p = o[method]();
      if (isPrimitive(p) || isAD(p)) return p;
    }
  }
  throw new TypeError('Cannot convert object to primitive value');
}

/** ToNumeric: an active scalar stays active, anything else becomes a number as JavaScript would convert it. */
export function num(x: unknown): Scalar {
  if (typeof x === 'number' || isAD(x)) return x;
  const p = toPrimitive(x);
  if (isAD(p)) return p;
  if (typeof p === 'bigint') throw new TypeError('Cannot mix BigInt and other types, use explicit conversions');
  return Number(p);
}

function arith(op: Arith, a: unknown, b: unknown): unknown {
  if (!isAD(a) && !isAD(b)) return native(op, a, b);
  if (op === 'add') {
    const pa = toPrimitive(a);
    const pb = toPrimitive(b);
    if (typeof pa === 'string' || typeof pb === 'string') return String(plain(pa)) + String(plain(pb));
    return binary('add', num(pa), num(pb));
  }
  return binary(op, num(a), num(b));
}

function bit(op: BitOp, a: unknown, b?: unknown): number | bigint {
  if (isAD(a) || isAD(b)) unsupported(`'${op}'`, 'bit operations have no derivative; this operand depends on the differentiated input');
  const x = a as any;
  const y = b as any;
  switch (op) {
    case '|':
      return x | y;
    case '&':
      return x & y;
    case '^':
      return x ^ y;
    case '<<':
      return x << y;
    case '>>':
      return x >> y;
    case '>>>':
      return x >>> y;
    case '~':
      return ~x;
  }
}

function looseEq(a: unknown, b: unknown): boolean {
  return plain(a) == plain(b);
}

function strictEq(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  if (isAD(a) || isAD(b)) {
    // An active scalar is a number: equal to numbers and active scalars of the same value, never to anything else.
    const numeric = (x: unknown) => typeof x === 'number' || isAD(x);
    return numeric(a) && numeric(b) && (a as ADNum | number).valueOf() === (b as ADNum | number).valueOf();
  }
  return a === b;
}

function isScalar(x: unknown): x is Scalar {
  return typeof x === 'number' || x instanceof ADNum;
}

const { add: addScalars, sub: subScalars, mul: mulScalars, div: divScalars, mod: modScalars, pow: powScalars } = binaryOps;

function add(a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  return isScalar(a) && isScalar(b) ? addScalars(a, b) : arith('add', a, b);
}

/**
 * The operator table: name → function; compound assignment (`setOp`) looks operators up here. One literal per
 * operator, each calling its own recorder, so that every call site inside stays monomorphic.
 */
const operators = {
  add,
  sub: (a: unknown, b: unknown) => (typeof a === 'number' && typeof b === 'number' ? a - b : isScalar(a) && isScalar(b) ? subScalars(a, b) : arith('sub', a, b)),
  mul: (a: unknown, b: unknown) => (typeof a === 'number' && typeof b === 'number' ? a * b : isScalar(a) && isScalar(b) ? mulScalars(a, b) : arith('mul', a, b)),
  div: (a: unknown, b: unknown) => (typeof a === 'number' && typeof b === 'number' ? a / b : isScalar(a) && isScalar(b) ? divScalars(a, b) : arith('div', a, b)),
  mod: (a: unknown, b: unknown) => (typeof a === 'number' && typeof b === 'number' ? a % b : isScalar(a) && isScalar(b) ? modScalars(a, b) : arith('mod', a, b)),
  pow: (a: unknown, b: unknown) => (typeof a === 'number' && typeof b === 'number' ? a ** b : isScalar(a) && isScalar(b) ? powScalars(a, b) : arith('pow', a, b)),
} satisfies Record<Arith, (a: unknown, b: unknown) => unknown>;

const bySymbol: Record<string, keyof typeof operators> = arithmeticOperators;
const bitSymbols = new Set<string>(bitOperators);

/** Applies a compound-assignment operator given by name ('add') or symbol ('+', '|'). */
function apply(opName: string, a: unknown, b: unknown): unknown {
  const name = opName in operators ? (opName as keyof typeof operators) : bySymbol[opName];
  if (name !== undefined) return operators[name](a, b);
  if (bitSymbols.has(opName)) return bit(opName as BitOp, a, b);
  throw new Error(`internal: unknown compound operator '${opName}'`);
}

function step(x: unknown, delta: number): unknown {
  return typeof x === 'number' ? x + delta : typeof x === 'bigint' ? x + BigInt(delta) : add(num(x), delta);
}

function numericOld(x: unknown): unknown {
  return typeof x === 'bigint' ? x : num(x);
}

const negScalar = unaryOps.neg;

/** ToBoolean: an active scalar is its value, so an active 0 or NaN is false (an object would always be true). */
function truthy(x: unknown): boolean {
  return isAD(x) ? x.v !== 0 && x.v === x.v : !!x;
}

type SearchMethod = 'includes' | 'indexOf' | 'lastIndexOf';

/**
 * `o.includes(x)`, `o.indexOf(x)`, `o.lastIndexOf(x)`: on an array holding or searched for an active scalar, the native
 * method runs on a copy with values in place of active scalars (holes kept), so matching is JavaScript's by value.
 * Anything else (strings, other arrays, user objects) is called exactly as written.
 */
function search(o: any, name: SearchMethod, ...args: unknown[]): unknown {
  if (!Array.isArray(o) || !(isAD(args[0]) || o.some(isAD))) return o[name](...args);
  const values: unknown[] = [];
  values.length = o.length;
  o.forEach((v, k) => (values[k] = plain(v)));
  return (Array.prototype[name] as (...a: unknown[]) => unknown).apply(values, [plain(args[0]), ...args.slice(1)]);
}

/** A Map or Set key: an active scalar would be keyed by identity, not by value, so it stops the check with its line. */
function activeKey(where: string): never {
  unsupported(where, 'this key depends on the differentiated input; as a key it would be compared by identity, not by value, so the check stops here');
}

export const runtime = {
  ...operators,
  neg: (x: unknown) => (typeof x === 'number' ? -x : isAD(x) ? negScalar(x) : -(x as any)),
  /** Unary +: ToNumber, keeping an active scalar active. */
  pos: (x: unknown) => (typeof x === 'number' ? x : num(x)),
  eq: strictEq,
  neq: (a: unknown, b: unknown) => !strictEq(a, b),
  looseEq,
  looseNeq: (a: unknown, b: unknown) => !looseEq(a, b),
  typeOf: (x: unknown) => (isAD(x) ? 'number' : typeof x),
  truthy,
  /** A switch's discriminant and case values: compared with ===, so by value. */
  caseValue: plain,
  plain,
  search,
  activeKey,
  isAD,
  /** The class of active scalars, for the realm's fast paths (an instanceof test there is inlined). */
  ADNum,
  bit,
  num,
  inc: (x: unknown) => step(x, 1),
  dec: (x: unknown) => step(x, -1),
  /** obj[key] = obj[key] op v, with obj and key evaluated once by the caller; returns the new value. */
  setOp(obj: any, key: PropertyKey, opName: string, v: unknown): unknown {
    return (obj[key] = apply(opName, obj[key], v));
  },
  /** obj[key]++ / obj[key]--: stores old + delta, returns the old value as a number. */
  postUpdate(obj: any, key: PropertyKey, delta: number): unknown {
    const old = numericOld(obj[key]);
    obj[key] = step(old, delta);
    return old;
  },
  /** ++obj[key] / --obj[key]: returns the new value. */
  preUpdate(obj: any, key: PropertyKey, delta: number): unknown {
    return (obj[key] = step(obj[key], delta));
  },
};

export type ADRuntime = typeof runtime;
