// Where a NaN or an Infinity first appeared: a tape that notes the first operation turning finite operands into a non-finite result, and where it ran.

import { formatNumber } from '../numbers';
import type { SourceLocation } from '../types';
import { captureLocation } from './context';
import { opCode, primitives, type Primitive } from './primitives';
import { Tape } from './tape';

export interface NonFiniteOrigin {
  /** The operation as written: '/', 'Math.log', ... */
  op: string;
  /** 'value': the result went NaN/±Infinity; 'derivative': the result is finite but a partial derivative is not. */
  what: 'value' | 'derivative';
  /** The non-finite number: the result, or the partial derivative. */
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

  /** `what`: look for the first non-finite value, or the first non-finite partial derivative of a finite value. */
  constructor(private readonly what: NonFiniteOrigin['what']) {
    super();
  }

  override unary(op: number, value: number, a: number, da: number, daa: number): number {
    if (this.origin === undefined && Number.isFinite(this.val[a])) this.check(op, value, [this.val[a]], [da, daa]);
    return super.unary(op, value, a, da, daa);
  }

  override binary(op: number, value: number, a: number, b: number, da: number, db: number, daa: number, dab: number, dbb: number): number {
    if (this.origin === undefined && Number.isFinite(this.val[a]) && Number.isFinite(this.val[b])) this.check(op, value, [this.val[a], this.val[b]], [da, db, daa, dab, dbb]);
    return super.binary(op, value, a, b, da, db, daa, dab, dbb);
  }

  private check(op: number, value: number, operands: number[], partials: number[]): void {
    let result: number | undefined;
    if (this.what === 'value') result = Number.isFinite(value) ? undefined : value;
    else if (Number.isFinite(value)) result = partials.find((p) => !Number.isFinite(p));
    if (result === undefined) return;
    const location = captureLocation();
    this.origin = { op: nameOfCode[op] ?? 'an operation', what: this.what, result, operands, ...(location ? { location } : {}) };
  }
}

/** "Math.log gave -Infinity from 0 (line 4)", "Math.sqrt at 0 has derivative Infinity (line 4)". */
export function describeOrigin(o: NonFiniteOrigin): string {
  const values = o.operands.map((v) => formatNumber(v, 6)).join(' and ');
  const line = o.location ? ` (line ${o.location.line})` : '';
  if (o.what === 'derivative') return `${o.op}${values ? ` at ${values}` : ''} has derivative ${o.result}${line}`;
  return `${o.op} gave ${o.result}${values ? ` from ${values}` : ''}${line}`;
}
