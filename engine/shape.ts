// Moving between flat row-major values and a shape — always shape first: nesting, indices, sizes, entry and value words.

import type { Nested } from './types';

/** How many entries a shape holds ([] holds one). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** The flat row-major values in `shape` as nested arrays ([] gives the single number). */
export function nest(shape: readonly number[], flat: ArrayLike<number>): Nested {
  if (shape.length === 0) return flat[0];
  let offset = 0;
  const build = (dim: number): Nested[] => {
    const out: Nested[] = new Array(shape[dim]);
    for (let k = 0; k < shape[dim]; k++) out[k] = dim === shape.length - 1 ? flat[offset++] : build(dim + 1);
    return out;
  };
  return build(0);
}

/** The numbers of a nested value in row-major order (nothing for undefined). */
export function flatValues(nested: Nested | undefined, out: number[] = []): number[] {
  if (typeof nested === 'number') out.push(nested);
  else if (nested !== undefined) for (const x of nested) flatValues(x, out);
  return out;
}

/** The multi-index of flat row-major position `k` in `shape`. */
export function multiIndex(shape: readonly number[], k: number): number[] {
  const index = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = k % shape[d];
    k = Math.floor(k / shape[d]);
  }
  return index;
}

/** The flat row-major position of a multi-index in `shape`. */
export function flatIndex(shape: readonly number[], index: readonly number[]): number {
  let flat = 0;
  for (let d = 0; d < shape.length; d++) flat = flat * shape[d] + index[d];
  return flat;
}

/** How an entry reads in messages: "Y[3][1]", "x[4]", or "x" for a scalar. */
export function formatEntry(param: string, index: readonly number[]): string {
  return param + index.map((i) => `[${i}]`).join('');
}

/** "7×5", "35", or "a scalar" in a sentence (`scalar`: the words for [], "scalar" as a label in a table). */
export function formatShape(shape: readonly number[], scalar = 'a scalar'): string {
  return shape.length === 0 ? scalar : shape.join('×');
}

/** What kind of value something is, for "expected …, got …": "a number", "an empty array", "a nested array", "null". */
export function describeKind(x: unknown): string {
  if (x === null || x === undefined) return String(x);
  if (Array.isArray(x)) return x.length === 0 ? 'an empty array' : Array.isArray(x[0]) ? 'a nested array' : 'an array';
  if (typeof x === 'number' && Number.isNaN(x)) return 'NaN';
  if (typeof x === 'object') return 'an object';
  return `a ${typeof x}`;
}

/** What a function returned, in a few words: "an array of 3 entries", "a 2×3 matrix", "the string \"a\"", "undefined". */
export function describeReturned(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x) || ArrayBuffer.isView(x)) return `an array of ${(x as ArrayLike<unknown>).length} entries`;
  if (typeof x === 'object') {
    const m = x as { rows?: unknown; columns?: unknown };
    if (typeof m.rows === 'number' && typeof m.columns === 'number') return `a ${m.rows}×${m.columns} matrix`;
    return 'an object';
  }
  if (typeof x === 'function') return 'a function';
  return typeof x === 'string' ? `the string ${JSON.stringify(x.slice(0, 40))}` : String(x);
}

interface MatrixLike {
  to2DArray(): number[][];
}

function isMatrixLike(x: unknown): x is MatrixLike {
  return typeof x === 'object' && x !== null && typeof (x as MatrixLike).to2DArray === 'function';
}

function isArrayLikeOfNumbers(x: unknown): x is ArrayLike<number> {
  return ArrayBuffer.isView(x) && !(x instanceof DataView);
}

/**
 * What a hand-written derivative returned, as flat row-major values and a shape. Accepts a number, nested arrays
 * (number[], number[][], deeper), typed arrays (also as rows), and ml-matrix-like objects (to2DArray()).
 * Ragged arrays and non-numeric entries are errors that say where.
 */
export function flattenSupplied(result: unknown): { shape: number[]; values: Float64Array } | { error: string } {
  if (typeof result === 'number') return { shape: [], values: Float64Array.of(result) };
  const root = isMatrixLike(result) ? result.to2DArray() : result;
  if (!Array.isArray(root) && !isArrayLikeOfNumbers(root)) return { error: `returned ${describeKind(root)}, not numbers` };

  const shape: number[] = [];
  for (let level: unknown = root; Array.isArray(level) || isArrayLikeOfNumbers(level); ) {
    const len = (level as ArrayLike<unknown>).length;
    shape.push(len);
    if (len === 0) break;
    level = (level as ArrayLike<unknown>)[0];
  }
  const values = new Float64Array(sizeOf(shape));
  let offset = 0;
  const walk = (node: unknown, dim: number, path: number[]): string | undefined => {
    if (dim === shape.length) {
      if (typeof node !== 'number') return `entry ${path.map((i) => `[${i}]`).join('')} is ${describeKind(node)}, not a number`;
      values[offset++] = node;
      return undefined;
    }
    if (!Array.isArray(node) && !isArrayLikeOfNumbers(node)) {
      return `entry ${path.map((i) => `[${i}]`).join('')} is ${describeKind(node)} where an array was expected`;
    }
    const arr = node as ArrayLike<unknown>;
    if (arr.length !== shape[dim]) {
      return `ragged result: entry ${path.map((i) => `[${i}]`).join('')} has length ${arr.length}, expected ${shape[dim]}`;
    }
    for (let k = 0; k < arr.length; k++) {
      const problem = walk(arr[k], dim + 1, [...path, k]);
      if (problem) return problem;
    }
    return undefined;
  };
  const problem = walk(root, 0, []);
  return problem ? { error: problem } : { shape, values };
}
