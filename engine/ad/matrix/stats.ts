// ml-matrix's statistics on the stand-in (variance, standard deviation, center, scale), recorded, in ml-matrix's order of operations so constant results agree bit for bit.

import { isAD } from '../adnum';
import { binaryRecorders, recorded, unaryRecorders, type Scalar } from '../ops';
import { entry, scalarId, scalarValue, type Entries } from './kernels';

/** The part of the stand-in these functions use. */
export interface StatsTarget extends Entries {
  mean(by?: 'row' | 'column'): Scalar | Scalar[];
}

const { add, sub, mul, div, pow } = binaryRecorders;

type By = 'row' | 'column' | undefined;

/**
 * The flat positions of each line along `by`: each row, each column, or all entries as one line (row by row, or
 * column by column where ml-matrix's getScaleAll walks that way).
 */
function lines(m: StatsTarget, by: By, columnMajor = false): number[][] {
  const { rows, columns } = m;
  const grid = (outer: number, inner: number, at: (o: number, n: number) => number) =>
    Array.from({ length: outer }, (_, o) => Array.from({ length: inner }, (_, n) => at(o, n)));
  if (by === 'row') return grid(rows, columns, (i, j) => i * columns + j);
  if (by === 'column') return grid(columns, rows, (j, i) => i * columns + j);
  const all = columnMajor ? grid(columns, rows, (j, i) => i * columns + j) : grid(rows, columns, (i, j) => i * columns + j);
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
  const { __values: values, __ids: ids } = m;
  const result = lines(m, by).map((line, l) => {
    const mv = scalarValue(means[l]);
    const mid = scalarId(means[l]);
    let s1 = 0;
    let s1id = -1;
    let s2 = 0;
    let s2id = -1;
    for (const k of line) {
      const xid = sub(values[k], ids[k], mv, mid);
      const x = recorded[0];
      s1id = add(s1, s1id, x, xid);
      s1 = recorded[0];
      const sqid = mul(x, xid, x, xid);
      s2id = add(s2, s2id, recorded[0], sqid);
      s2 = recorded[0];
    }
    const n = line.length;
    const squareId = mul(s1, s1id, s1, s1id);
    const shareId = div(recorded[0], squareId, n, -1);
    const spreadId = sub(s2, s2id, recorded[0], shareId);
    const id = div(recorded[0], spreadId, unbiased ? n - 1 : n, -1);
    return entry(recorded[0], id);
  });
  return by === undefined ? result[0] : result;
}

export function standardDeviation(m: StatsTarget, by?: unknown, options?: { unbiased?: unknown; mean?: unknown }): Scalar | Scalar[] {
  const v = variance(m, by, options);
  return Array.isArray(v) ? v.map(sqrt) : sqrt(v);
}

function sqrt(s: Scalar): Scalar {
  const id = unaryRecorders.sqrt(scalarValue(s), scalarId(s));
  return entry(recorded[0], id);
}

/** Entry ← op(entry, the line's value): shared by center (subtract) and scale (divide). */
function applyPerLine(m: StatsTarget, by: By, perLineValues: Scalar[], op: 'sub' | 'div'): void {
  const record = binaryRecorders[op];
  const { __values: values, __ids: ids } = m;
  lines(m, by).forEach((line, l) => {
    const sv = scalarValue(perLineValues[l]);
    const sid = scalarId(perLineValues[l]);
    for (const k of line) {
      ids[k] = record(values[k], ids[k], sv, sid);
      values[k] = recorded[0];
    }
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
    const { __values: values, __ids: ids } = m;
    const rms = lines(m, by, true).map((line) => {
      let sum = 0;
      let sumId = -1;
      for (const k of line) {
        const squareId = pow(values[k], ids[k], 2, -1);
        const termId = div(recorded[0], squareId, line.length - 1, -1);
        sumId = add(sum, sumId, recorded[0], termId);
        sum = recorded[0];
      }
      return sqrt(entry(sum, sumId));
    });
    s = by === undefined ? rms[0] : rms;
  }
  applyPerLine(m, by, perLine(s, by, 'scale'), 'div');
}
