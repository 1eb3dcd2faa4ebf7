// Where a NaN or an Infinity first appeared: a tape that notes the first operation turning finite operands into a non-finite result, and where it ran.

import type { SourceLocation } from '../types';
import { captureLocation } from './context';
import { opCode, primitives, type Primitive } from './primitives';
import { Tape } from './tape';

export interface NonFiniteOrigin {
  /** The operation as written: '/', 'Math.log', ... */
  op: string;
  result: number;
  /** The values of its active operands (a constant operand is not on the tape). */
  operands: number[];
  location?: SourceLocation;
}

const nameOfCode: string[] = [];
for (const [op, code] of Object.entries(opCode)) nameOfCode[code] = primitives[op as Primitive].name;

/** Used only to re-record a failed evaluation, so the recorders' usual tape keeps its monomorphic call sites until then. */
export class OriginTape extends Tape {
  origin: NonFiniteOrigin | undefined;

  override unary(op: number, value: number, a: number, da: number, daa: number): number {
    if (this.origin === undefined && !Number.isFinite(value) && Number.isFinite(this.val[a])) this.note(op, value, [this.val[a]]);
    return super.unary(op, value, a, da, daa);
  }

  override binary(op: number, value: number, a: number, b: number, da: number, db: number, daa: number, dab: number, dbb: number): number {
    if (this.origin === undefined && !Number.isFinite(value) && Number.isFinite(this.val[a]) && Number.isFinite(this.val[b])) this.note(op, value, [this.val[a], this.val[b]]);
    return super.binary(op, value, a, b, da, db, daa, dab, dbb);
  }

  private note(op: number, result: number, operands: number[]): void {
    const location = captureLocation();
    this.origin = { op: nameOfCode[op] ?? 'an operation', result, operands, ...(location ? { location } : {}) };
  }
}

/** "Math.log gave -Infinity from 0 (line 4)". */
export function describeOrigin(o: NonFiniteOrigin): string {
  const from = o.operands.length ? ` from ${o.operands.map((v) => String(Number(v.toPrecision(6)))).join(' and ')}` : '';
  return `${o.op} gave ${o.result}${from}${o.location ? ` (line ${o.location.line})` : ''}`;
}
