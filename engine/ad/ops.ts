// Scalar operations on numbers and active scalars: constant folding, recording on the current tape, kinks and notes.

import { ADNum } from './adnum';
import { currentTape, recordKink, recordNote } from './context';
import { opCode, primitives, type BinaryOp, type UnaryOp } from './primitives';

export type Scalar = number | ADNum;

/** The value of the last raw operation (a live binding: importers see the update). */
export let lastValue = 0;

export function readLastValue(): number {
  return lastValue;
}

/** op(v) where v is node `id` (-1: a constant). Returns the new node id, or -1 when the result is constant. */
export function rawUnary(op: UnaryOp, v: number, id: number): number {
  const rule = primitives[op];
  const y = rule.value(v);
  lastValue = y;
  const tape = currentTape();
  if (id < 0 || tape === null) return -1;
  const kink = rule.kink?.(v);
  if (kink !== undefined) recordKink(rule.name, `${rule.name} ${kink}`, [id]);
  if (rule.piecewiseConstant) recordNote(`${rule.name} on an active value`, 'derivative taken as 0 (piecewise constant)');
  return tape.unary(opCode[op], y, id, rule.d(v, y), rule.dd(v, y));
}

/** op(a, b) on (value, node id or -1) pairs. One constant operand makes a unary node in the other. */
export function rawBinary(op: BinaryOp, av: number, aid: number, bv: number, bid: number): number {
  const rule = primitives[op];
  const y = rule.value(av, bv);
  lastValue = y;
  const tape = currentTape();
  if ((aid < 0 && bid < 0) || tape === null) return -1;
  const kink = rule.kink?.(av, bv, y, bid >= 0);
  if (kink !== undefined) recordKink(rule.name, `${rule.name} ${kink}`, aid < 0 ? [bid] : bid < 0 ? [aid] : [aid, bid]);
  const code = opCode[op];
  if (bid < 0) return tape.unary(code, y, aid, rule.da(av, bv, y), rule.daa(av, bv, y));
  if (aid < 0) return tape.unary(code, y, bid, rule.db(av, bv, y), rule.dbb(av, bv, y));
  return tape.binary(code, y, aid, bid, rule.da(av, bv, y), rule.db(av, bv, y), rule.daa(av, bv, y), rule.dab(av, bv, y), rule.dbb(av, bv, y));
}

/** The tape value of node `id` on the tape being recorded. */
export function valueOf(id: number): number {
  const tape = currentTape();
  if (tape === null || id < 0 || id >= tape.size) throw new RangeError(`no node ${id} on the current tape`);
  return tape.val[id];
}

function wrap(id: number): Scalar {
  return id < 0 ? lastValue : new ADNum(id, lastValue);
}

export function unary(op: UnaryOp, x: Scalar): Scalar {
  if (typeof x === 'number') return primitives[op].value(x);
  return wrap(rawUnary(op, x.v, x.id));
}

export function binary(op: BinaryOp, a: Scalar, b: Scalar): Scalar {
  if (typeof a === 'number') {
    if (typeof b === 'number') return primitives[op].value(a, b);
    return wrap(rawBinary(op, a, -1, b.v, b.id));
  }
  return wrap(typeof b === 'number' ? rawBinary(op, a.v, a.id, b, -1) : rawBinary(op, a.v, a.id, b.v, b.id));
}
