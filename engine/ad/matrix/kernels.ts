// Loops of the ml-matrix stand-in over (values, node ids) typed arrays: elementwise ops and reductions, recorded through the compiled recorders.
//
// Every entry is a pair (value, id) with id = -1 for a constant; nothing here allocates per entry. The order of
// operations in each reduction is ml-matrix's own (start at 0, add left to right), so passive results are
// bit-identical to the real library.

import { ADNum, isAD } from '../adnum';
import { recordKink } from '../context';
import { binaryRecorders, recorded, unaryRecorders, type Scalar } from '../ops';
import type { BinaryOp, UnaryOp } from '../primitives';

/** A stand-in matrix's storage as the kernels read it. */
export interface Entries {
  rows: number;
  columns: number;
  __values: Float64Array;
  __ids: Int32Array;
}

/** Fresh storage a kernel returns, for the stand-in to wrap (the shape of `matrixEntries`). */
export interface Storage {
  rows: number;
  cols: number;
  values: Float64Array;
  ids: Int32Array;
}

export function emptyStorage(rows: number, cols: number): Storage {
  return { rows, cols, values: new Float64Array(rows * cols), ids: new Int32Array(rows * cols).fill(-1) };
}

/** An entry as user code sees it: a plain number when constant, an ADNum when active. */
export function entry(v: number, id: number): Scalar {
  return id < 0 ? v : new ADNum(id, v);
}

/** The value of a scalar argument (number or active scalar), with ToNumber semantics for anything else. */
export function scalarValue(x: unknown): number {
  if (typeof x === 'number') return x;
  return isAD(x) ? x.v : Number(x);
}

/** The tape node of a scalar argument, -1 when it is constant. */
export function scalarId(x: unknown): number {
  return isAD(x) ? x.id : -1;
}

/** values[k], ids[k] ← op(values[k]) for every k. */
export function mapUnary(op: UnaryOp, values: Float64Array, ids: Int32Array): void {
  const record = unaryRecorders[op];
  for (let k = 0; k < values.length; k++) {
    ids[k] = record(values[k], ids[k]);
    values[k] = recorded[0];
  }
}

/** values[k], ids[k] ← op(values[k], s) for every k, with s = (sv, sid). */
export function mapWithScalar(op: BinaryOp, values: Float64Array, ids: Int32Array, sv: number, sid: number): void {
  const record = binaryRecorders[op];
  for (let k = 0; k < values.length; k++) {
    ids[k] = record(values[k], ids[k], sv, sid);
    values[k] = recorded[0];
  }
}

/** values[k], ids[k] ← op(values[k], other[k]) for every k (same length). */
export function mapWithEntries(op: BinaryOp, values: Float64Array, ids: Int32Array, otherValues: Float64Array, otherIds: Int32Array): void {
  const record = binaryRecorders[op];
  for (let k = 0; k < values.length; k++) {
    ids[k] = record(values[k], ids[k], otherValues[k], otherIds[k]);
    values[k] = recorded[0];
  }
}

/**
 * Row or column broadcast: entry (i, j) of a rows × cols matrix is combined with vector[j] (by 'row') or
 * vector[i] (by 'column').
 */
export function mapWithVector(
  op: BinaryOp,
  values: Float64Array,
  ids: Int32Array,
  cols: number,
  vectorValues: Float64Array,
  vectorIds: Int32Array,
  by: 'row' | 'column',
): void {
  const record = binaryRecorders[op];
  for (let k = 0; k < values.length; k++) {
    const v = by === 'row' ? k % cols : (k / cols) | 0;
    ids[k] = record(values[k], ids[k], vectorValues[v], vectorIds[v]);
    values[k] = recorded[0];
  }
}

/** Result of a reduction: its value and node id (-1 when constant). Reused: copy out before the next call. */
export const acc = { v: 0, id: -1 };

/**
 * Folds op over the entries start, start + stride, ... (count of them) from `identity` (0 for add, 1 for mul),
 * left to right, into `acc`. The first step, identity ∘ x, takes its value from the primitive as ml-matrix would
 * compute it but records no node: its derivative is x's own.
 */
export function fold(op: 'add' | 'mul', identity: number, values: Float64Array, ids: Int32Array, start: number, stride: number, count: number): void {
  const record = binaryRecorders[op];
  let v = identity;
  let id = -1;
  for (let t = 0, k = start; t < count; t++, k += stride) {
    if (t === 0) {
      record(identity, -1, values[k], -1);
      id = ids[k];
    } else {
      id = record(v, id, values[k], ids[k]);
    }
    v = recorded[0];
  }
  acc.v = v;
  acc.id = id;
}

/**
 * Σ_t a[aStart + t·aStride] · b[bStart + t·bStride] for t < count, as ml-matrix computes it (s = 0; s += a·b),
 * into `acc`.
 */
export function dotStrided(
  aValues: Float64Array,
  aIds: Int32Array,
  aStart: number,
  aStride: number,
  bValues: Float64Array,
  bIds: Int32Array,
  bStart: number,
  bStride: number,
  count: number,
): void {
  const { mul, add } = binaryRecorders;
  let v = 0;
  let id = -1;
  for (let t = 0, ka = aStart, kb = bStart; t < count; t++, ka += aStride, kb += bStride) {
    const pid = mul(aValues[ka], aIds[ka], bValues[kb], bIds[kb]);
    if (t === 0) {
      // 0 + the first product, as in fold: ml-matrix's value, the product's own node.
      add(0, -1, recorded[0], -1);
      id = pid;
    } else {
      id = add(v, id, recorded[0], pid);
    }
    v = recorded[0];
  }
  acc.v = v;
  acc.id = id;
}

/**
 * Index of the largest (sign 1) or smallest (sign −1) of `count` entries from `start` by `stride`, as ml-matrix
 * scans: strictly better than the first entry (`fromInfinity` false) or than ∓Infinity (then -1 when none is).
 */
export function extremeIndex(m: Entries, sign: 1 | -1, fromInfinity: boolean, start: number, stride: number, count: number, op: string): number {
  const values = m.__values;
  const ids = m.__ids;
  let best = fromInfinity ? -1 : start;
  let bestValue = fromInfinity ? -sign * Infinity : values[start];
  let tied = false;
  for (let t = fromInfinity ? 0 : 1, k = start + (fromInfinity ? 0 : stride); t < count; t++, k += stride) {
    const d = sign * (values[k] - bestValue);
    if (d > 0) {
      best = k;
      bestValue = values[k];
      tied = false;
    } else if (d === 0 && best >= 0 && (ids[k] >= 0 || ids[best] >= 0) && ids[k] !== ids[best]) tied = true;
  }
  if (tied) recordKink(op, `${op} with a tie`, [ids[best]]);
  return best;
}
