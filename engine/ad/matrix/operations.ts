// ml-matrix's elementwise operations, extremes and synonyms, installed on the stand-in from tables: in place on an instance, on a copy as statics (Matrix.exp(m)).

import type { BinaryOp, UnaryOp } from '../primitives';
import type { Scalar } from '../ops';
import { checkIndex, isScalar, Matrix } from './class';
import { entry, extremeIndex, mapUnary, mapWithEntries, mapWithScalar, scalarId, scalarValue } from './kernels';

declare module './class' {
  /** Declarations of the methods installed here from the tables. */
  interface Matrix {
    add(value: unknown): this; addS(value: unknown): this; addM(matrix: unknown): this;
    sub(value: unknown): this; subS(value: unknown): this; subM(matrix: unknown): this;
    mul(value: unknown): this; mulS(value: unknown): this; mulM(matrix: unknown): this;
    div(value: unknown): this; divS(value: unknown): this; divM(matrix: unknown): this;
    mod(value: unknown): this; modS(value: unknown): this; modM(matrix: unknown): this;
    pow(value: unknown): this; powS(value: unknown): this; powM(matrix: unknown): this;
    abs(): this; exp(): this; log(): this; sqrt(): this; sin(): this; atan(): this; tanh(): this;
  }

  /** Declarations of the statics installed here: each works on a copy of its first argument. */
  namespace Matrix {
    function add(matrix: unknown, value: unknown): Matrix;
    function sub(matrix: unknown, value: unknown): Matrix;
    function mul(matrix: unknown, value: unknown): Matrix;
    function div(matrix: unknown, value: unknown): Matrix;
    function mod(matrix: unknown, value: unknown): Matrix;
    function pow(matrix: unknown, value: unknown): Matrix;
    function abs(matrix: unknown): Matrix;
    function exp(matrix: unknown): Matrix;
    function log(matrix: unknown): Matrix;
    function sqrt(matrix: unknown): Matrix;
    function sin(matrix: unknown): Matrix;
    function atan(matrix: unknown): Matrix;
    function tanh(matrix: unknown): Matrix;
  }
}

/** Binary operations ml-matrix offers as `op(x)` (scalar or matrix), `opS(scalar)`, `opM(matrix)`, with their aliases. */
const BINARY: { name: string; op: BinaryOp; aliases: string[] }[] = [
  { name: 'add', op: 'add', aliases: [] },
  { name: 'sub', op: 'sub', aliases: ['subtract'] },
  { name: 'mul', op: 'mul', aliases: ['multiply'] },
  { name: 'div', op: 'div', aliases: ['divide'] },
  { name: 'mod', op: 'mod', aliases: ['modulus'] },
  { name: 'pow', op: 'pow', aliases: [] },
];

/** ml-matrix's elementwise Math functions, named as in ml-matrix and in the primitives table alike. */
const UNARY: UnaryOp[] = [
  'abs', 'acos', 'acosh', 'asin', 'asinh', 'atan', 'atanh', 'cbrt', 'ceil', 'cos', 'cosh', 'exp', 'expm1', 'floor',
  'log', 'log1p', 'log10', 'log2', 'round', 'sign', 'sin', 'sinh', 'sqrt', 'tan', 'tanh', 'trunc',
];

/** Puts every operation of the tables on Matrix and its prototype (once, where the stand-in module is assembled). */
export function installOperations(): void {
  type Methods = Record<string, (this: Matrix, ...args: unknown[]) => unknown>;
  const proto = Matrix.prototype as unknown as Methods;
  const statics = Matrix as unknown as Record<string, (...args: unknown[]) => unknown>;

  for (const { name, op, aliases } of BINARY) {
    const withScalar = function (this: Matrix, value: unknown): Matrix {
      mapWithScalar(op, this.__values, this.__ids, scalarValue(value), scalarId(value));
      return this;
    };
    const withMatrix = function (this: Matrix, matrix: unknown): Matrix {
      const m = Matrix.checkMatrix(matrix);
      if (this.rows !== m.rows || this.columns !== m.columns) throw new RangeError('Matrices dimensions must be equal');
      mapWithEntries(op, this.__values, this.__ids, m.__values, m.__ids);
      return this;
    };
    // An active scalar is a scalar too: ml-matrix tests `typeof value === 'number'`, which an ADNum is not.
    const either = function (this: Matrix, value: unknown): Matrix {
      return isScalar(value) ? withScalar.call(this, value) : withMatrix.call(this, value);
    };
    for (const n of [name, ...aliases]) {
      proto[n] = either;
      proto[`${n}S`] = withScalar;
      proto[`${n}M`] = withMatrix;
      statics[n] = (matrix: unknown, value: unknown) => either.call(new Matrix(matrix), value);
    }
  }

  for (const op of UNARY) {
    const inPlace = function (this: Matrix): Matrix {
      mapUnary(op, this.__values, this.__ids);
      return this;
    };
    proto[op] = inPlace;
    statics[op] = (matrix: unknown) => inPlace.call(new Matrix(matrix));
  }

  /**
   * ml-matrix's maxIndex, maxRow, minColumnIndex, ...: the extreme entry of the whole matrix or of one row or column,
   * as the entry itself or its [row, column]. The first extreme wins, as in ml-matrix's scan.
   */
  const EXTREMES: { name: string; sign: 1 | -1; along: 'all' | 'row' | 'column'; gives: 'entry' | 'index' }[] = [];
  for (const [prefix, sign] of [['max', 1], ['min', -1]] as const) {
    EXTREMES.push({ name: `${prefix}Index`, sign, along: 'all', gives: 'index' });
    for (const along of ['row', 'column'] as const) {
      const name = `${prefix}${along === 'row' ? 'Row' : 'Column'}`;
      EXTREMES.push({ name, sign, along, gives: 'entry' }, { name: `${name}Index`, sign, along, gives: 'index' });
    }
  }

  for (const { name, sign, along, gives } of EXTREMES) {
    proto[name] = function (this: Matrix, index?: unknown): Scalar | [number, number] {
      if (along !== 'all') checkIndex(index as number, along === 'row' ? this.rows : this.columns, along === 'row' ? 'Row' : 'Column');
      if (this.isEmpty()) {
        if (gives === 'entry') return NaN;
        throw new Error('Empty matrix has no elements to index');
      }
      const [start, stride, count] =
        along === 'all' ? [0, 1, this.size] : along === 'row' ? [(index as number) * this.columns, 1, this.columns] : [index as number, this.columns, this.rows];
      const k = extremeIndex(this, sign, false, start, stride, count, sign > 0 ? 'Matrix.max' : 'Matrix.min');
      return gives === 'entry' ? entry(this.__values[k], this.__ids[k]) : [(k / this.columns) | 0, k % this.columns];
    };
  }

  // ml-matrix's synonyms.
  statics.random = Matrix.rand;
  statics.randomInt = Matrix.randInt;
  statics.diagonal = Matrix.diag as (...args: unknown[]) => unknown;
  statics.identity = Matrix.eye as (...args: unknown[]) => unknown;
  proto.diagonal = proto.diag;
  proto.negate = proto.neg;
  proto.tensorProduct = proto.kroneckerProduct;
}
