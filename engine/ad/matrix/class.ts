// The ml-matrix stand-in's class: ml-matrix 6's Matrix API and in-place semantics over (values, tape node ids), so user matrix code records derivatives.
//
// Entries live in `__values: Float64Array` (row-major) and `__ids: Int32Array` (tape node ids, -1 = constant);
// there are no per-entry objects. `get` hands out an ADNum only for an active entry. Whatever ml-matrix offers that
// is not differentiated here runs on the real library when no entry is active (fallback.ts) and is refused with a
// clear message otherwise; the elementwise operations are installed from tables (operations.ts), and module.ts is the
// stand-in as user code imports it.

import { isAD } from '../adnum';
import { unsupported } from '../context';
import { passiveCall, type StandIn } from './fallback';
import * as stats from './stats';
import { acc, dotStrided, entry, extremeIndex, fold, mapUnary, mapWithEntries, mapWithScalar, mapWithVector, scalarId, scalarValue, type Storage } from './kernels';
import { afterInsert, afterRemove, pickEntries, same, transposeEntries } from './layout';
import { kroneckerEntries, mmulEntries, symmetricProductEntries } from './products';
import { binaryRecorders, recorded, unaryRecorders, type Scalar } from '../ops';
import type { BinaryOp } from '../primitives';

type By = 'row' | 'column' | undefined;

function isAnyArray(x: unknown): x is ArrayLike<unknown> {
  return Array.isArray(x) || (ArrayBuffer.isView(x) && !(x instanceof DataView));
}

export function isScalar(x: unknown): boolean {
  return typeof x === 'number' || isAD(x);
}

export function checkIndex(index: number, size: number, what: 'Row' | 'Column', outer = false): void {
  if (index < 0 || index > (outer ? size : size - 1)) throw new RangeError(`${what} index out of range`);
}

function checkNumber(name: string, value: unknown): void {
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number`);
}

function invalidOption(by: unknown): never {
  throw new Error(`invalid option: ${by}`);
}

/** A vector argument (array or matrix) as typed arrays of the expected length, as ml-matrix's checkRowVector/checkColumnVector. */
function vectorEntries(vector: unknown, length: number, by: 'row' | 'column'): { values: Float64Array; ids: Int32Array } {
  let v: { values: Float64Array; ids: Int32Array };
  if (isStandInMatrix(vector)) v = { values: vector.__values, ids: vector.__ids };
  else {
    const array = vector != null && typeof (vector as Matrix).to1DArray === 'function' ? (vector as Matrix).to1DArray() : (vector as ArrayLike<unknown>);
    v = { values: new Float64Array(array.length), ids: new Int32Array(array.length) };
    for (let k = 0; k < array.length; k++) {
      v.values[k] = scalarValue(array[k]);
      v.ids[k] = scalarId(array[k]);
    }
  }
  if (v.values.length !== length) {
    throw new RangeError(by === 'row' ? 'vector size must be the same as the number of columns' : 'vector size must be the same as the number of rows');
  }
  return v;
}

export class Matrix {
  /** Row-major entry values. */
  __values: Float64Array;
  /** Tape node id of each entry, -1 when the entry is constant. */
  __ids: Int32Array;
  rows: number;
  columns: number;

  constructor(nRows?: unknown, nColumns?: unknown) {
    if (Matrix.isMatrix(nRows)) {
      const from = toStandIn(nRows);
      this.rows = from.rows;
      this.columns = from.columns;
      this.__values = from.__values.slice();
      this.__ids = from.__ids.slice();
    } else if (Number.isInteger(nRows) && (nRows as number) >= 0) {
      if (!(Number.isInteger(nColumns) && (nColumns as number) >= 0)) throw new TypeError('nColumns must be a positive integer');
      this.rows = nRows as number;
      this.columns = nColumns as number;
      this.__values = new Float64Array(this.rows * this.columns);
      this.__ids = new Int32Array(this.rows * this.columns).fill(-1);
    } else if (isAnyArray(nRows)) {
      const data = nRows as ArrayLike<ArrayLike<unknown>>;
      const rows = data.length;
      const cols = rows ? data[0].length : 0;
      if (typeof cols !== 'number') throw new TypeError('Data must be a 2D array with at least one element');
      this.rows = rows;
      this.columns = cols;
      this.__values = new Float64Array(rows * cols);
      this.__ids = new Int32Array(rows * cols);
      for (let i = 0; i < rows; i++) {
        const row = data[i];
        if (row.length !== cols) throw new RangeError('Inconsistent array dimensions');
        for (let j = 0; j < cols; j++) {
          if (!isScalar(row[j])) throw new TypeError('Input data contains non-numeric values');
          this.__values[i * cols + j] = scalarValue(row[j]);
          this.__ids[i * cols + j] = scalarId(row[j]);
        }
      }
    } else {
      throw new TypeError('First argument must be a positive number or an array');
    }
  }

  // ---- construction (static) ----

  static from1DArray(newRows: number, newColumns: number, newData: ArrayLike<unknown>): Matrix {
    if (newRows * newColumns !== newData.length) throw new RangeError('data length does not match given dimensions');
    const m = new Matrix(newRows, newColumns);
    for (let k = 0; k < newData.length; k++) m.setFlat(k, newData[k]);
    return m;
  }

  static rowVector(newData: ArrayLike<unknown>): Matrix {
    return Matrix.from1DArray(1, newData.length, newData);
  }

  static columnVector(newData: ArrayLike<unknown>): Matrix {
    return Matrix.from1DArray(newData.length, 1, newData);
  }

  static zeros(rows: number, columns: number): Matrix {
    return new Matrix(rows, columns);
  }

  static ones(rows: number, columns: number): Matrix {
    return new Matrix(rows, columns).fill(1);
  }

  static rand(): never {
    return unsupported('Matrix.rand', 'random matrices are not deterministic, so derivatives cannot be checked; pass the data as an input');
  }

  static randInt(): never {
    return unsupported('Matrix.randInt', 'random matrices are not deterministic, so derivatives cannot be checked; pass the data as an input');
  }

  static eye(rows: number, columns?: number, value: unknown = 1): Matrix {
    if (columns === undefined) columns = rows;
    const m = Matrix.zeros(rows, columns);
    for (let i = 0; i < Math.min(rows, columns); i++) m.set(i, i, value);
    return m;
  }

  static diag(data: ArrayLike<unknown>, rows?: number, columns?: number): Matrix {
    if (rows === undefined) rows = data.length;
    if (columns === undefined) columns = rows;
    const m = Matrix.zeros(rows, columns);
    for (let i = 0; i < Math.min(data.length, rows, columns); i++) m.set(i, i, data[i]);
    return m;
  }

  /** Entrywise minimum of two matrices (Math.min per entry). */
  static min(matrix1: unknown, matrix2: unknown): Matrix {
    return Matrix.entrywise('min', matrix1, matrix2);
  }

  /** Entrywise maximum of two matrices (Math.max per entry). */
  static max(matrix1: unknown, matrix2: unknown): Matrix {
    return Matrix.entrywise('max', matrix1, matrix2);
  }

  private static entrywise(op: BinaryOp, matrix1: unknown, matrix2: unknown): Matrix {
    const a = Matrix.checkMatrix(matrix1);
    const b = Matrix.checkMatrix(matrix2);
    const result = new Matrix(a);
    // ml-matrix reads matrix2 at matrix1's indices: a larger matrix2 is fine, a smaller one reads past its rows.
    const other = b.subMatrix(0, a.rows - 1, 0, a.columns - 1);
    mapWithEntries(op, result.__values, result.__ids, other.__values, other.__ids);
    return result;
  }

  static checkMatrix(value: unknown): Matrix {
    return toStandIn(value);
  }

  static isMatrix(value: unknown): boolean {
    return value != null && (value as { klass?: unknown }).klass === 'Matrix';
  }

  static copy<M extends { set(i: number, j: number, v: unknown): unknown }>(from: Matrix, to: M): M {
    for (const [row, column, value] of from.entries()) to.set(row, column, value);
    return to;
  }

  // ---- entries ----

  get size(): number {
    return this.rows * this.columns;
  }

  get data(): never {
    return unsupported('Matrix.data', 'the stand-in keeps entries with their derivatives; read them with get(i, j), getRow(i) or to2DArray()');
  }

  get(rowIndex: number, columnIndex: number): Scalar {
    const k = this.flatIndex(rowIndex, columnIndex);
    return entry(this.__values[k], this.__ids[k]);
  }

  set(rowIndex: number, columnIndex: number, value: unknown): this {
    this.setFlat(this.flatIndex(rowIndex, columnIndex), value);
    return this;
  }

  private flatIndex(i: number, j: number): number {
    // A flat index would silently read a neighbouring row where ml-matrix fails or returns undefined.
    if (!(i >= 0 && i < this.rows && j >= 0 && j < this.columns)) throw new RangeError(`Matrix index (${i}, ${j}) is outside ${this.rows} × ${this.columns}`);
    return i * this.columns + j;
  }

  private setFlat(k: number, value: unknown): void {
    this.__values[k] = scalarValue(value);
    this.__ids[k] = scalarId(value);
  }

  apply(callback: (this: Matrix, i: number, j: number) => unknown): this {
    if (typeof callback !== 'function') throw new TypeError('callback must be a function');
    for (let i = 0; i < this.rows; i++) for (let j = 0; j < this.columns; j++) callback.call(this, i, j);
    return this;
  }

  applyAlongAxis(callback: (this: Matrix, vector: Scalar[], index: number) => unknown, by: By): unknown[] {
    if (typeof callback !== 'function') throw new TypeError('callback must be a function');
    if (by !== 'row' && by !== 'column') invalidOption(by);
    const result: unknown[] = [];
    const n = by === 'row' ? this.rows : this.columns;
    for (let i = 0; i < n; i++) result.push(callback.call(this, by === 'row' ? this.getRow(i) : this.getColumn(i), i));
    return result;
  }

  to1DArray(): Scalar[] {
    const out: Scalar[] = [];
    for (let k = 0; k < this.__values.length; k++) out.push(entry(this.__values[k], this.__ids[k]));
    return out;
  }

  to2DArray(): Scalar[][] {
    const out: Scalar[][] = [];
    for (let i = 0; i < this.rows; i++) out.push(this.getRow(i));
    return out;
  }

  toJSON(): Scalar[][] {
    return this.to2DArray();
  }

  *entries(): Generator<[number, number, Scalar], void, void> {
    for (let i = 0; i < this.rows; i++) for (let j = 0; j < this.columns; j++) yield [i, j, this.get(i, j)];
  }

  *values(): Generator<Scalar, void, void> {
    for (let k = 0; k < this.__values.length; k++) yield entry(this.__values[k], this.__ids[k]);
  }

  [Symbol.iterator](): Generator<[number, number, Scalar], void, void> {
    return this.entries();
  }

  clone(): Matrix {
    return new Matrix(this);
  }

  fill(value: unknown): this {
    this.__values.fill(scalarValue(value));
    this.__ids.fill(scalarId(value));
    return this;
  }

  // ---- shape predicates ----

  isRowVector(): boolean {
    return this.rows === 1;
  }

  isColumnVector(): boolean {
    return this.columns === 1;
  }

  isVector(): boolean {
    return this.rows === 1 || this.columns === 1;
  }

  isSquare(): boolean {
    return this.rows === this.columns;
  }

  isEmpty(): boolean {
    return this.rows === 0 || this.columns === 0;
  }

  isSymmetric(): boolean {
    if (!this.isSquare()) return false;
    for (let i = 0; i < this.rows; i++) {
      for (let j = 0; j <= i; j++) if (this.__values[i * this.columns + j] !== this.__values[j * this.columns + i]) return false;
    }
    return true;
  }

  // ---- rows and columns ----

  getRow(index: number): Scalar[] {
    checkIndex(index, this.rows, 'Row');
    const row: Scalar[] = [];
    for (let j = 0; j < this.columns; j++) row.push(this.get(index, j));
    return row;
  }

  getRowVector(index: number): Matrix {
    return Matrix.rowVector(this.getRow(index));
  }

  setRow(index: number, array: unknown): this {
    checkIndex(index, this.rows, 'Row');
    const v = vectorEntries(array, this.columns, 'row');
    this.__values.set(v.values, index * this.columns);
    this.__ids.set(v.ids, index * this.columns);
    return this;
  }

  getColumn(index: number): Scalar[] {
    checkIndex(index, this.columns, 'Column');
    const column: Scalar[] = [];
    for (let i = 0; i < this.rows; i++) column.push(this.get(i, index));
    return column;
  }

  getColumnVector(index: number): Matrix {
    return Matrix.columnVector(this.getColumn(index));
  }

  setColumn(index: number, array: unknown): this {
    checkIndex(index, this.columns, 'Column');
    const v = vectorEntries(array, this.rows, 'column');
    for (let i = 0; i < this.rows; i++) {
      this.__values[i * this.columns + index] = v.values[i];
      this.__ids[i * this.columns + index] = v.ids[i];
    }
    return this;
  }

  private swapFlat(k1: number, k2: number): void {
    const v = this.__values[k1];
    const id = this.__ids[k1];
    this.__values[k1] = this.__values[k2];
    this.__ids[k1] = this.__ids[k2];
    this.__values[k2] = v;
    this.__ids[k2] = id;
  }

  swapRows(row1: number, row2: number): this {
    checkIndex(row1, this.rows, 'Row');
    checkIndex(row2, this.rows, 'Row');
    for (let j = 0; j < this.columns; j++) this.swapFlat(row1 * this.columns + j, row2 * this.columns + j);
    return this;
  }

  swapColumns(column1: number, column2: number): this {
    checkIndex(column1, this.columns, 'Column');
    checkIndex(column2, this.columns, 'Column');
    for (let i = 0; i < this.rows; i++) this.swapFlat(i * this.columns + column1, i * this.columns + column2);
    return this;
  }

  flipRows(): this {
    for (let i = 0; i < this.rows; i++) {
      for (let j = 0; j < Math.floor(this.columns / 2); j++) this.swapFlat(i * this.columns + j, i * this.columns + this.columns - 1 - j);
    }
    return this;
  }

  flipColumns(): this {
    for (let j = 0; j < this.columns; j++) {
      for (let i = 0; i < Math.floor(this.rows / 2); i++) this.swapFlat(i * this.columns + j, (this.rows - 1 - i) * this.columns + j);
    }
    return this;
  }

  sortRows(compareFunction: (a: Scalar, b: Scalar) => number = compareNumbers): this {
    for (let i = 0; i < this.rows; i++) this.setRow(i, this.getRow(i).sort(compareFunction));
    return this;
  }

  sortColumns(compareFunction: (a: Scalar, b: Scalar) => number = compareNumbers): this {
    for (let j = 0; j < this.columns; j++) this.setColumn(j, this.getColumn(j).sort(compareFunction));
    return this;
  }

  /** Takes over fresh storage: ml-matrix's in-place shape changes. */
  private adopt(s: Storage): this {
    this.rows = s.rows;
    this.columns = s.cols;
    this.__values = s.values;
    this.__ids = s.ids;
    return this;
  }

  removeRow(index: number): this {
    checkIndex(index, this.rows, 'Row');
    return this.adopt(pickEntries(this, this.rows - 1, this.columns, afterRemove(index), same));
  }

  addRow(index: unknown, array?: unknown): this {
    if (array === undefined) [index, array] = [this.rows, index];
    checkIndex(index as number, this.rows, 'Row', true);
    const v = vectorEntries(array, this.columns, 'row');
    this.adopt(pickEntries(this, this.rows + 1, this.columns, afterInsert(index as number), same));
    return this.setRow(index as number, makeMatrix(1, v.values.length, v.values, v.ids));
  }

  removeColumn(index: number): this {
    checkIndex(index, this.columns, 'Column');
    return this.adopt(pickEntries(this, this.rows, this.columns - 1, same, afterRemove(index)));
  }

  addColumn(index: unknown, array?: unknown): this {
    if (array === undefined) [index, array] = [this.columns, index];
    checkIndex(index as number, this.columns, 'Column', true);
    const v = vectorEntries(array, this.rows, 'column');
    this.adopt(pickEntries(this, this.rows, this.columns + 1, same, afterInsert(index as number)));
    return this.setColumn(index as number, makeMatrix(v.values.length, 1, v.values, v.ids));
  }

  // ---- elementwise with a row or column vector, or a scalar on one row or column ----

  private withVector(op: BinaryOp, vector: unknown, by: 'row' | 'column'): this {
    const v = vectorEntries(vector, by === 'row' ? this.columns : this.rows, by);
    mapWithVector(op, this.__values, this.__ids, this.columns, v.values, v.ids, by);
    return this;
  }

  addRowVector(vector: unknown): this {
    return this.withVector('add', vector, 'row');
  }

  subRowVector(vector: unknown): this {
    return this.withVector('sub', vector, 'row');
  }

  mulRowVector(vector: unknown): this {
    return this.withVector('mul', vector, 'row');
  }

  divRowVector(vector: unknown): this {
    return this.withVector('div', vector, 'row');
  }

  addColumnVector(vector: unknown): this {
    return this.withVector('add', vector, 'column');
  }

  subColumnVector(vector: unknown): this {
    return this.withVector('sub', vector, 'column');
  }

  mulColumnVector(vector: unknown): this {
    return this.withVector('mul', vector, 'column');
  }

  divColumnVector(vector: unknown): this {
    return this.withVector('div', vector, 'column');
  }

  mulRow(index: number, value: unknown): this {
    checkIndex(index, this.rows, 'Row');
    const at = index * this.columns;
    mapWithScalar('mul', this.__values.subarray(at, at + this.columns), this.__ids.subarray(at, at + this.columns), scalarValue(value), scalarId(value));
    return this;
  }

  mulColumn(index: number, value: unknown): this {
    checkIndex(index, this.columns, 'Column');
    const sv = scalarValue(value);
    const sid = scalarId(value);
    for (let k = index; k < this.__values.length; k += this.columns) {
      this.__ids[k] = binaryRecorders.mul(this.__values[k], this.__ids[k], sv, sid);
      this.__values[k] = recorded[0];
    }
    return this;
  }

  neg(): this {
    mapUnary('neg', this.__values, this.__ids);
    return this;
  }

  // ---- reductions ----

  sum(by?: By): Scalar | Scalar[] {
    return this.reduce('add', 0, by);
  }

  product(by?: By): Scalar | Scalar[] {
    return this.reduce('mul', 1, by);
  }

  private reduce(op: 'add' | 'mul', init: number, by: By): Scalar | Scalar[] {
    const { rows, columns } = this;
    switch (by) {
      case 'row': {
        const out: Scalar[] = [];
        for (let i = 0; i < rows; i++) {
          fold(op, init, this.__values, this.__ids, i * columns, 1, columns);
          out.push(entry(acc.v, acc.id));
        }
        return out;
      }
      case 'column': {
        const out: Scalar[] = [];
        for (let j = 0; j < columns; j++) {
          fold(op, init, this.__values, this.__ids, j, columns, rows);
          out.push(entry(acc.v, acc.id));
        }
        return out;
      }
      case undefined:
        fold(op, init, this.__values, this.__ids, 0, 1, rows * columns);
        return entry(acc.v, acc.id);
      default:
        return invalidOption(by);
    }
  }

  mean(by?: By): Scalar | Scalar[] {
    const sum = this.sum(by);
    switch (by) {
      case 'row':
        return (sum as Scalar[]).map((s) => divide(s, this.columns));
      case 'column':
        return (sum as Scalar[]).map((s) => divide(s, this.rows));
      default:
        return divide(sum as Scalar, this.size);
    }
  }

  variance(by?: unknown, options?: object): Scalar | Scalar[] {
    return stats.variance(this, by, options);
  }

  standardDeviation(by?: unknown, options?: object): Scalar | Scalar[] {
    return stats.standardDeviation(this, by, options);
  }

  center(by?: unknown, options?: object): this {
    stats.center(this, by, options);
    return this;
  }

  scale(by?: unknown, options?: object): this {
    stats.scale(this, by, options);
    return this;
  }

  trace(): Scalar {
    fold('add', 0, this.__values, this.__ids, 0, this.columns + 1, Math.min(this.rows, this.columns));
    return entry(acc.v, acc.id);
  }

  cumulativeSum(): this {
    let v = 0;
    let id = -1;
    for (let k = 0; k < this.__values.length; k++) {
      id = binaryRecorders.add(v, id, this.__values[k], this.__ids[k]);
      v = recorded[0];
      this.__values[k] = v;
      this.__ids[k] = id;
    }
    return this;
  }

  dot(vector2: unknown): Scalar {
    const other = isStandInMatrix(vector2) ? vector2 : Matrix.rowVector(Matrix.isMatrix(vector2) ? toStandIn(vector2).to1DArray() : (vector2 as ArrayLike<unknown>));
    if (other.__values.length !== this.__values.length) throw new RangeError('vectors do not have the same size');
    dotStrided(this.__values, this.__ids, 0, 1, other.__values, other.__ids, 0, 1, this.__values.length);
    return entry(acc.v, acc.id);
  }

  norm(type = 'frobenius'): Scalar {
    switch (type) {
      case 'max':
        return new Matrix(this).abs().max() as Scalar;
      case 'frobenius': {
        const d = this.dot(this);
        const id = unaryRecorders.sqrt(scalarValue(d), scalarId(d));
        return entry(recorded[0], id);
      }
      default:
        throw new RangeError(`unknown norm type: ${type}`);
    }
  }

  max(by?: By): Scalar | Scalar[] {
    return this.extreme(1, by);
  }

  min(by?: By): Scalar | Scalar[] {
    return this.extreme(-1, by);
  }

  private extreme(sign: 1 | -1, by: By): Scalar | Scalar[] {
    if (this.isEmpty()) return NaN;
    const op = sign > 0 ? 'Matrix.max' : 'Matrix.min';
    const pick = (k: number): Scalar => (k < 0 ? -sign * Infinity : entry(this.__values[k], this.__ids[k]));
    switch (by) {
      case 'row':
        return Array.from({ length: this.rows }, (_, i) => pick(extremeIndex(this, sign, true, i * this.columns, 1, this.columns, op)));
      case 'column':
        return Array.from({ length: this.columns }, (_, j) => pick(extremeIndex(this, sign, true, j, this.columns, this.rows, op)));
      case undefined:
        return pick(extremeIndex(this, sign, false, 0, 1, this.size, op));
      default:
        return invalidOption(by);
    }
  }

  diag(): Scalar[] {
    const out: Scalar[] = [];
    for (let i = 0; i < Math.min(this.rows, this.columns); i++) out.push(this.get(i, i));
    return out;
  }

  // ---- products ----

  mmul(other: unknown): Matrix {
    return fromStorage(mmulEntries(this, Matrix.checkMatrix(other)));
  }

  /** thisᵀ · this; ml-matrix skips zero entries, which only matters for derivatives, so every product is recorded. */
  gram(): Matrix {
    return this.transpose().mmul(this);
  }

  transposeMultiply(other: unknown): Matrix {
    const b = Matrix.checkMatrix(other);
    if (this.rows !== b.rows) throw new RangeError('the number of rows of the two matrices must be equal');
    return this.transpose().mmul(b);
  }

  /** this · diag(scale) · thisᵀ. */
  mmulByTranspose(scale?: ArrayLike<unknown>): Matrix {
    if (scale !== undefined && scale.length !== this.columns) throw new RangeError('scale must have one value per column');
    return fromStorage(symmetricProductEntries(this, scale === undefined ? this : this.clone().mulRowVector(scale)));
  }

  mpow(scalar: number): Matrix {
    if (!this.isSquare()) throw new RangeError('Matrix must be square');
    if (!Number.isInteger(scalar) || scalar < 0) throw new RangeError('Exponent must be a non-negative integer');
    // Squaring in ml-matrix's order, so passive results agree bit for bit.
    let result = Matrix.eye(this.rows);
    let bb: Matrix = this;
    for (let e = scalar; e >= 1; e /= 2) {
      if ((e & 1) !== 0) result = result.mmul(bb);
      bb = bb.mmul(bb);
    }
    return result;
  }

  kroneckerProduct(other: unknown): Matrix {
    return fromStorage(kroneckerEntries(this, Matrix.checkMatrix(other)));
  }

  kroneckerSum(other: unknown): Matrix {
    const b = Matrix.checkMatrix(other);
    if (!this.isSquare() || !b.isSquare()) throw new Error('Kronecker Sum needs two Square Matrices');
    return this.kroneckerProduct(Matrix.eye(b.rows, b.rows)).add(Matrix.eye(this.rows, this.rows).kroneckerProduct(b));
  }

  // ---- rearrangements (no tape nodes: entries move with their ids) ----

  transpose(): Matrix {
    return fromStorage(transposeEntries(this));
  }

  /** A new matrix whose entry (r, c) is this matrix's entry (rowAt(r), columnAt(c)). */
  private pick(rows: number, columns: number, rowAt: (r: number) => number, columnAt: (c: number) => number): Matrix {
    return fromStorage(pickEntries(this, rows, columns, rowAt, columnAt));
  }

  private checkRange(startRow: number, endRow: number, startColumn: number, endColumn: number): void {
    checkNumber('startRow', startRow);
    checkNumber('endRow', endRow);
    checkNumber('startColumn', startColumn);
    checkNumber('endColumn', endColumn);
    if (
      startRow > endRow ||
      startColumn > endColumn ||
      startRow < 0 ||
      startRow >= this.rows ||
      endRow < 0 ||
      endRow >= this.rows ||
      startColumn < 0 ||
      startColumn >= this.columns ||
      endColumn < 0 ||
      endColumn >= this.columns
    ) {
      throw new RangeError('Submatrix indices are out of range');
    }
  }

  subMatrix(startRow: number, endRow: number, startColumn: number, endColumn: number): Matrix {
    this.checkRange(startRow, endRow, startColumn, endColumn);
    return this.pick(endRow - startRow + 1, endColumn - startColumn + 1, (r) => startRow + r, (c) => startColumn + c);
  }

  subMatrixRow(indices: ArrayLike<number>, startColumn = 0, endColumn = this.columns - 1): Matrix {
    if (startColumn > endColumn || startColumn < 0 || startColumn >= this.columns || endColumn < 0 || endColumn >= this.columns) {
      throw new RangeError('Argument out of range');
    }
    for (let i = 0; i < indices.length; i++) {
      if (indices[i] < 0 || indices[i] >= this.rows) throw new RangeError(`Row index out of range: ${indices[i]}`);
    }
    return this.pick(indices.length, endColumn - startColumn + 1, (r) => indices[r], (c) => startColumn + c);
  }

  subMatrixColumn(indices: ArrayLike<number>, startRow = 0, endRow = this.rows - 1): Matrix {
    if (startRow > endRow || startRow < 0 || startRow >= this.rows || endRow < 0 || endRow >= this.rows) {
      throw new RangeError('Argument out of range');
    }
    for (let i = 0; i < indices.length; i++) {
      if (indices[i] < 0 || indices[i] >= this.columns) throw new RangeError(`Column index out of range: ${indices[i]}`);
    }
    return this.pick(endRow - startRow + 1, indices.length, (r) => startRow + r, (c) => indices[c]);
  }

  selection(rowIndices: ArrayLike<number>, columnIndices: ArrayLike<number>): Matrix {
    if (!isAnyArray(rowIndices)) throw new TypeError('row indices must be an array');
    for (let i = 0; i < rowIndices.length; i++) {
      if (rowIndices[i] < 0 || rowIndices[i] >= this.rows) throw new RangeError('row indices are out of range');
    }
    if (!isAnyArray(columnIndices)) throw new TypeError('column indices must be an array');
    for (let i = 0; i < columnIndices.length; i++) {
      if (columnIndices[i] < 0 || columnIndices[i] >= this.columns) throw new RangeError('column indices are out of range');
    }
    return this.pick(rowIndices.length, columnIndices.length, (r) => rowIndices[r], (c) => columnIndices[c]);
  }

  setSubMatrix(matrix: unknown, startRow: number, startColumn: number): this {
    const m = Matrix.checkMatrix(matrix);
    if (m.isEmpty()) return this;
    this.checkRange(startRow, startRow + m.rows - 1, startColumn, startColumn + m.columns - 1);
    for (let i = 0; i < m.rows; i++) {
      this.__values.set(m.__values.subarray(i * m.columns, (i + 1) * m.columns), (startRow + i) * this.columns + startColumn);
      this.__ids.set(m.__ids.subarray(i * m.columns, (i + 1) * m.columns), (startRow + i) * this.columns + startColumn);
    }
    return this;
  }

  repeat(options: { rows?: number; columns?: number } = {}): Matrix {
    if (typeof options !== 'object') throw new TypeError('options must be an object');
    const { rows = 1, columns = 1 } = options;
    if (!Number.isInteger(rows) || rows <= 0) throw new TypeError('rows must be a positive integer');
    if (!Number.isInteger(columns) || columns <= 0) throw new TypeError('columns must be a positive integer');
    return this.pick(this.rows * rows, this.columns * columns, (r) => r % this.rows, (c) => c % this.columns);
  }

  concat(other: unknown, by: By = 'row'): Matrix {
    const b = Matrix.checkMatrix(other);
    switch (by) {
      case 'row': {
        if (this.columns !== b.columns) throw new RangeError('both matrices must have the same number of columns');
        return new Matrix(this.rows + b.rows, this.columns).setSubMatrix(this, 0, 0).setSubMatrix(b, this.rows, 0);
      }
      case 'column': {
        if (this.rows !== b.rows) throw new RangeError('both matrices must have the same number of rows');
        return new Matrix(this.rows, this.columns + b.columns).setSubMatrix(this, 0, 0).setSubMatrix(b, 0, this.columns);
      }
      default:
        return invalidOption(by);
    }
  }

  toString(options?: object): string {
    // Printing needs values only: the real library formats a constant copy.
    const constant = makeMatrix(this.rows, this.columns, this.__values, new Int32Array(this.size).fill(-1));
    return passiveCall('Matrix.toString', standIn, (m) => (m as { toString(o?: object): string }).toString(options), [constant]) as string;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

// ---- stand-in matrices over storage ----

function fromStorage(s: Storage): Matrix {
  return makeMatrix(s.rows, s.cols, s.values, s.ids);
}

/** A matrix over existing storage (not copied): the evaluator builds its active arguments this way. */
export function makeMatrix(rows: number, cols: number, values: Float64Array, ids: Int32Array): Matrix {
  const m = Object.create(Matrix.prototype) as Matrix;
  m.rows = rows;
  m.columns = cols;
  m.__values = values;
  m.__ids = ids;
  return m;
}

export function isStandInMatrix(x: unknown): x is Matrix {
  return x instanceof Matrix;
}

/** How the fallbacks to the real library recognise and build stand-in matrices. */
export const standIn: StandIn = { isStandIn: isStandInMatrix, make: makeMatrix };

/** The storage of a stand-in matrix (not copied): what the evaluator reads back from a result. */
export function matrixEntries(m: Matrix): { rows: number; cols: number; values: Float64Array; ids: Int32Array } {
  return { rows: m.rows, cols: m.columns, values: m.__values, ids: m.__ids };
}

/** Any matrix ml-matrix would accept (stand-in, real ml-matrix instance, 2D array) as a stand-in matrix. */
function toStandIn(value: unknown): Matrix {
  if (isStandInMatrix(value)) return value;
  if (Matrix.isMatrix(value)) {
    // Another library's matrix (e.g. a real ml-matrix): read it through its own get.
    const other = value as { rows: number; columns: number; get(i: number, j: number): unknown };
    const m = new Matrix(other.rows, other.columns);
    for (let i = 0; i < other.rows; i++) for (let j = 0; j < other.columns; j++) m.set(i, j, other.get(i, j));
    return m;
  }
  return new Matrix(value);
}

Object.defineProperty(Matrix.prototype, 'klass', { value: 'Matrix', writable: true, configurable: true });

function compareNumbers(a: Scalar, b: Scalar): number {
  return scalarValue(a) - scalarValue(b);
}

function divide(s: Scalar, n: number): Scalar {
  const id = binaryRecorders.div(scalarValue(s), scalarId(s), n, -1);
  return entry(recorded[0], id);
}
