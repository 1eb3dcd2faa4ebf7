// Moving between flat row-major values and the wrt parameter's shape: nesting, indices, entry names, supplied results.

import type { Nested } from './types';

/** The flat row-major values in `shape` ([] gives the single number). */
export function unflatten(flat: ArrayLike<number>, shape: number[]): Nested {
  if (shape.length === 0) return flat[0];
  let offset = 0;
  const build = (dim: number): Nested[] => {
    const out: Nested[] = new Array(shape[dim]);
    for (let k = 0; k < shape[dim]; k++) out[k] = dim === shape.length - 1 ? flat[offset++] : build(dim + 1);
    return out;
  };
  return build(0);
}

/** The multi-index of a flat row-major position. */
export function multiIndex(flat: number, shape: number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = flat % shape[d];
    flat = Math.floor(flat / shape[d]);
  }
  return index;
}

/** The flat row-major position of a multi-index. */
export function flatIndex(index: number[], shape: number[]): number {
  let flat = 0;
  for (let d = 0; d < shape.length; d++) flat = flat * shape[d] + index[d];
  return flat;
}

/** How an entry reads in messages: "Y[3][1]", "x[4]", or "x" for a scalar. */
export function formatEntry(param: string, index: number[]): string {
  return param + index.map((i) => `[${i}]`).join('');
}

/** "7×5", "35", or "a scalar". */
export function formatShape(shape: number[]): string {
  return shape.length === 0 ? 'a scalar' : shape.join('×');
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
  if (!Array.isArray(root) && !isArrayLikeOfNumbers(root)) return { error: `returned ${describe(root)}, not numbers` };

  const shape: number[] = [];
  for (let level: unknown = root; Array.isArray(level) || isArrayLikeOfNumbers(level); ) {
    const len = (level as ArrayLike<unknown>).length;
    shape.push(len);
    if (len === 0) break;
    level = (level as ArrayLike<unknown>)[0];
  }
  const values = new Float64Array(shape.reduce((a, b) => a * b, 1));
  let offset = 0;
  const walk = (node: unknown, dim: number, path: number[]): string | undefined => {
    if (dim === shape.length) {
      if (typeof node !== 'number') return `entry ${path.map((i) => `[${i}]`).join('')} is ${describe(node)}, not a number`;
      values[offset++] = node;
      return undefined;
    }
    if (!Array.isArray(node) && !isArrayLikeOfNumbers(node)) {
      return `entry ${path.map((i) => `[${i}]`).join('')} is ${describe(node)} where an array was expected`;
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

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (x === undefined) return 'undefined';
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'object') return 'an object';
  return `a ${typeof x}`;
}
