// ml-matrix's statistics on the stand-in (variance, standard deviation, center, scale), recorded, in ml-matrix's order of operations so constant results agree bit for bit.

import { isAD } from '../adnum';
import { binary, unary, type Scalar } from '../ops';

/** The part of the stand-in these functions use. */
export interface StatsTarget {
  rows: number;
  columns: number;
  get(i: number, j: number): Scalar;
  set(i: number, j: number, value: unknown): unknown;
  mean(by?: 'row' | 'column'): Scalar | Scalar[];
}

type By = 'row' | 'column' | undefined;

/**
 * The entries of each line along `by` as [i, j] pairs: each row, each column, or all entries as one line
 * (row by row, or column by column where ml-matrix's getScaleAll walks that way).
 */
function lines(m: StatsTarget, by: By, columnMajor = false): [number, number][][] {
  const { rows, columns } = m;
  const grid = (outer: number, inner: number, at: (o: number, n: number) => [number, number]) =>
    Array.from({ length: outer }, (_, o) => Array.from({ length: inner }, (_, n) => at(o, n)));
  if (by === 'row') return grid(rows, columns, (i, j) => [i, j]);
  if (by === 'column') return grid(columns, rows, (j, i) => [i, j]);
  const all = columnMajor ? grid(columns, rows, (j, i) => [i, j]) : grid(rows, columns, (i, j) => [i, j]);
  return [all.flat()];
}

function invalidOption(by: unknown): never {
  throw new Error(`invalid option: ${by}`);
}

/** ml-matrix's `(by?, options?)` convention: an object in place of `by` is the options. */
function splitArguments<O>(by: unknown, options: O): [By, O] {
  if (typeof by === 'object' && by !== null) return [undefined, by as O];
  if (by !== undefined && by !== 'row' && by !== 'column') invalidOption(by);
  if (typeof options !== 'object') throw new TypeError('options must be an object');
  return [by as By, options];
}

/** A per-line option: an array for 'row'/'column', a scalar for the whole matrix; checked as ml-matrix does. */
function perLine(value: unknown, by: By, name: string): Scalar[] {
  if (by === undefined) {
    if (typeof value !== 'number' && !isAD(value)) throw new TypeError(`${name} must be a number`);
    return [value];
  }
  if (!Array.isArray(value) && !ArrayBuffer.isView(value)) throw new TypeError(`${name} must be an array`);
  return Array.from(value as ArrayLike<Scalar>);
}

/** Σx and Σx² of the deviations from the mean, then (Σx² − (Σx)²/n) / (n − 1 or n). */
export function variance(m: StatsTarget, byArg?: unknown, optionsArg: { unbiased?: unknown; mean?: unknown } = {}): Scalar | Scalar[] {
  const [by, options] = splitArguments(byArg, optionsArg);
  const { unbiased = true, mean = m.mean(by) } = options;
  if (typeof unbiased !== 'boolean') throw new TypeError('unbiased must be a boolean');
  const means = perLine(mean, by, 'mean');
  const result = lines(m, by).map((line, l) => {
    let sum1: Scalar = 0;
    let sum2: Scalar = 0;
    for (const [i, j] of line) {
      const x = binary('sub', m.get(i, j), means[l]);
      sum1 = binary('add', sum1, x);
      sum2 = binary('add', sum2, binary('mul', x, x));
    }
    const n = line.length;
    return binary('div', binary('sub', sum2, binary('div', binary('mul', sum1, sum1), n)), unbiased ? n - 1 : n);
  });
  return by === undefined ? result[0] : result;
}

export function standardDeviation(m: StatsTarget, by?: unknown, options?: { unbiased?: unknown; mean?: unknown }): Scalar | Scalar[] {
  const v = variance(m, by, options);
  return Array.isArray(v) ? v.map((x) => unary('sqrt', x)) : unary('sqrt', v as Scalar);
}

/** Entry ← op(entry, the line's value): shared by center (subtract) and scale (divide). */
function applyPerLine(m: StatsTarget, by: By, perLineValues: Scalar[], op: 'sub' | 'div'): void {
  lines(m, by).forEach((line, l) => {
    for (const [i, j] of line) m.set(i, j, binary(op, m.get(i, j), perLineValues[l]));
  });
}

export function center(m: StatsTarget, byArg?: unknown, optionsArg: { center?: unknown } = {}): void {
  const [by, options] = splitArguments(byArg, optionsArg);
  const { center: c = m.mean(by) } = options;
  applyPerLine(m, by, perLine(c, by, 'center'), 'sub');
}

/** By default, each line's root mean square with n − 1: √(Σ x² / (n − 1)), summed term by term as ml-matrix does. */
export function scale(m: StatsTarget, byArg?: unknown, optionsArg: { scale?: unknown } = {}): void {
  const [by, options] = splitArguments(byArg, optionsArg);
  let s = options.scale;
  if (s === undefined) {
    const rms = lines(m, by, true).map((line) => {
      let sum: Scalar = 0;
      for (const [i, j] of line) sum = binary('add', sum, binary('div', binary('pow', m.get(i, j), 2), line.length - 1));
      return unary('sqrt', sum);
    });
    s = by === undefined ? rms[0] : rms;
  }
  applyPerLine(m, by, perLine(s, by, 'scale'), 'div');
}
