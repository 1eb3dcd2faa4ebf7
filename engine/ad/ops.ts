// Scalar operations on numbers and active scalars: one recorder per primitive, generated from the table at module load.
//
// Why generated: a recorder shared by every primitive calls `rule.value`, `rule.da`… from call sites that see every
// rule, so V8 can neither inline them nor keep the call sites monomorphic (closures of one function literal share
// that feedback too). Each recorder compiled here from its own source text has its own feedback: its calls into the
// table are monomorphic and inlined, and only rules with kinks carry a kink probe. The formulas stay in the table.

import { ADNum } from './adnum';
import { currentTape, recordKink, recordNote } from './context';
import { opCode, primitives, type BinaryOp, type BinaryRule, type UnaryOp, type UnaryRule } from './primitives';

export type Scalar = number | ADNum;

/** Records op(v) where v is node `id` (-1: a constant); returns the new node id, or -1 when the result is constant. */
export type UnaryRecorder = (v: number, id: number) => number;
/** Records op(a, b) on (value, node id or -1) pairs; one constant operand makes a unary node in the other. */
export type BinaryRecorder = (av: number, aid: number, bv: number, bid: number) => number;

/**
 * Where every recorder leaves the value of its result. Bulk code (the ml-matrix stand-in) records through the
 * recorders and reads the value here: its one way to record, with no object per operation. A typed cell rather
 * than a module-level number: writing a non-integer into a module `let` allocates a heap number each time.
 */
export const recorded = new Float64Array(1);

/** Kinks are rare: the node list is built only when one is hit. */
function kinkAt(name: string, words: string, aid: number, bid: number): void {
  recordKink(name, `${name} ${words}`, aid < 0 ? [bid] : bid < 0 ? [aid] : [aid, bid]);
}

function noteConstant(name: string): void {
  recordNote(`${name} on an active value`, 'derivative taken as 0 (piecewise constant)');
}

/** Compiles `body` (which sees the listed bindings) into its own function: its own code, its own type feedback. */
function compile<T>(body: string, bindings: Record<string, unknown>): T {
  const names = Object.keys(bindings);
  return new Function(...names, `'use strict';\n${body}`)(...names.map((n) => bindings[n])) as T;
}

function unaryRecorder(op: UnaryOp, rule: UnaryRule): UnaryRecorder {
  return compile(
    `return function record_${op}(v, id) {
      const y = rule.value(v);
      recorded[0] = y;
      if (id < 0) return -1;
      const tape = currentTape();
      if (tape === null) return -1;
      ${rule.kink ? 'const kink = rule.kink(v); if (kink !== undefined) kinkAt(rule.name, kink, id, -1);' : ''}
      ${rule.piecewiseConstant ? 'noteConstant(rule.name);' : ''}
      ${rule.convention ? 'recordNote(`${rule.name} on an active value`, rule.convention);' : ''}
      return tape.unary(code, y, id, rule.d(v, y), rule.dd(v, y));
    };`,
    { rule, code: opCode[op], recorded, currentTape, kinkAt, noteConstant, recordNote },
  );
}

function binaryRecorder(op: BinaryOp, rule: BinaryRule): BinaryRecorder {
  return compile(
    `return function record_${op}(av, aid, bv, bid) {
      const y = rule.value(av, bv);
      recorded[0] = y;
      if (aid < 0 && bid < 0) return -1;
      const tape = currentTape();
      if (tape === null) return -1;
      ${rule.kink ? 'const kink = rule.kink(av, bv, y, bid >= 0); if (kink !== undefined) kinkAt(rule.name, kink, aid, bid);' : ''}
      if (bid < 0) return tape.unary(code, y, aid, rule.da(av, bv, y), rule.daa(av, bv, y));
      if (aid < 0) return tape.unary(code, y, bid, rule.db(av, bv, y), rule.dbb(av, bv, y));
      return tape.binary(code, y, aid, bid, rule.da(av, bv, y), rule.db(av, bv, y), rule.daa(av, bv, y), rule.dab(av, bv, y), rule.dbb(av, bv, y));
    };`,
    { rule, code: opCode[op], recorded, currentTape, kinkAt },
  );
}

/** op on a number or an active scalar: plain numbers are folded; an active argument is recorded. */
function unaryOnScalars(op: UnaryOp, rule: UnaryRule, record: UnaryRecorder): (x: Scalar) => Scalar {
  return compile(
    `return function ${op}(x) {
      if (typeof x === 'number') return rule.value(x);
      const id = record(x.v, x.id);
      return id < 0 ? recorded[0] : new ADNum(id, recorded[0]);
    };`,
    { rule, record, recorded, ADNum },
  );
}

function binaryOnScalars(op: BinaryOp, rule: BinaryRule, record: BinaryRecorder): (a: Scalar, b: Scalar) => Scalar {
  return compile(
    `return function ${op}(a, b) {
      let id;
      if (typeof a === 'number') {
        if (typeof b === 'number') return rule.value(a, b);
        id = record(a, -1, b.v, b.id);
      } else id = typeof b === 'number' ? record(a.v, a.id, b, -1) : record(a.v, a.id, b.v, b.id);
      return id < 0 ? recorded[0] : new ADNum(id, recorded[0]);
    };`,
    { rule, record, recorded, ADNum },
  );
}

const unaryNames = Object.keys(primitives).filter((p) => 'd' in primitives[p as keyof typeof primitives]) as UnaryOp[];
const binaryNames = Object.keys(primitives).filter((p) => 'da' in primitives[p as keyof typeof primitives]) as BinaryOp[];

export const unaryRecorders = Object.fromEntries(unaryNames.map((op) => [op, unaryRecorder(op, primitives[op])])) as Record<UnaryOp, UnaryRecorder>;
export const binaryRecorders = Object.fromEntries(binaryNames.map((op) => [op, binaryRecorder(op, primitives[op])])) as Record<BinaryOp, BinaryRecorder>;

/** Per-operation functions on numbers and active scalars, for scalar code (the runtime, Math): callers that know their operation hold one of these. */
export const unaryOps = Object.fromEntries(
  unaryNames.map((op) => [op, unaryOnScalars(op, primitives[op], unaryRecorders[op])]),
) as Record<UnaryOp, (x: Scalar) => Scalar>;
export const binaryOps = Object.fromEntries(
  binaryNames.map((op) => [op, binaryOnScalars(op, primitives[op], binaryRecorders[op])]),
) as Record<BinaryOp, (a: Scalar, b: Scalar) => Scalar>;

export function unary(op: UnaryOp, x: Scalar): Scalar {
  return unaryOps[op](x);
}

export function binary(op: BinaryOp, a: Scalar, b: Scalar): Scalar {
  return binaryOps[op](a, b);
}
