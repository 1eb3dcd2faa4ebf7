// The rest of ml-matrix for the stand-in: features it does not differentiate run on the real library while no entry is active, and are refused otherwise.
//
// A decomposition of a constant matrix, `inverse(T)`, `T.variance()`: none of it touches the tape, so the real
// ml-matrix gives the exact same values. With an active entry the same call would silently drop derivatives,
// so it stops with a message that names the feature instead.

import * as real from 'ml-matrix';
import { isAD } from '../adnum';
import { unsupported } from '../context';

/** What the fallback needs to know about the stand-in (given by class.ts, which owns the class). */
export interface StandIn {
  isStandIn(x: unknown): x is { rows: number; columns: number; __values: Float64Array; __ids: Int32Array };
  make(rows: number, columns: number, values: Float64Array, ids: Int32Array): object;
}

const REFUSAL = 'not supported by Derivative Lens yet on active (differentiated) entries; it works on constant matrices';

function isActive(x: unknown, standIn: StandIn, depth = 0): boolean {
  if (isAD(x)) return true;
  if (standIn.isStandIn(x)) return x.__ids.some((id) => id >= 0);
  if (Array.isArray(x) && depth < 2) return x.some((e) => isActive(e, standIn, depth + 1));
  return false;
}

/** The real Matrix's row storage (public in ml-matrix, absent from its typings). */
function rowsOf(m: real.Matrix): Float64Array[] {
  return (m as unknown as { data: Float64Array[] }).data;
}

function toReal(x: unknown, standIn: StandIn): unknown {
  if (!standIn.isStandIn(x)) return x;
  const m = new real.Matrix(x.rows, x.columns);
  for (let i = 0; i < x.rows; i++) rowsOf(m)[i].set(x.__values.subarray(i * x.columns, (i + 1) * x.columns));
  return m;
}

function fromReal(x: unknown, standIn: StandIn): unknown {
  if (!(x instanceof real.Matrix)) return x;
  const values = new Float64Array(x.rows * x.columns);
  for (let i = 0; i < x.rows; i++) values.set(rowsOf(x)[i], i * x.columns);
  return standIn.make(x.rows, x.columns, values, new Int32Array(values.length).fill(-1));
}

/** Copies the real matrix's (possibly reshaped) entries back into the stand-in `target`: ml-matrix's in-place methods. */
function writeBack(target: { rows: number; columns: number; __values: Float64Array; __ids: Int32Array }, from: real.Matrix): void {
  const values = new Float64Array(from.rows * from.columns);
  for (let i = 0; i < from.rows; i++) values.set(rowsOf(from)[i], i * from.columns);
  target.rows = from.rows;
  target.columns = from.columns;
  target.__values = values;
  target.__ids = new Int32Array(values.length).fill(-1);
}

/** `fn(...args)` on real matrices when nothing is active; results come back as stand-in matrices. */
export function passiveCall(name: string, standIn: StandIn, fn: (...args: unknown[]) => unknown, args: unknown[]): unknown {
  if (args.some((a) => isActive(a, standIn))) unsupported(name, REFUSAL);
  return fromReal(
    fn(...args.map((a) => toReal(a, standIn))),
    standIn,
  );
}

/**
 * Puts every method and static of the real Matrix that `target` lacks onto it, as a passive fallback.
 * Instance methods work in place exactly like ml-matrix's (the real copy's entries are written back).
 */
export function installPassiveFallbacks(target: { prototype: object }, standIn: StandIn): void {
  const classes = [real.AbstractMatrix, real.Matrix] as unknown as { prototype: object }[];
  for (const source of classes) {
    for (const [name, desc] of Object.entries(Object.getOwnPropertyDescriptors(source.prototype))) {
      if (typeof desc.value !== 'function' || name in target.prototype) continue;
      const method = desc.value as (...args: unknown[]) => unknown;
      Object.defineProperty(target.prototype, name, {
        configurable: true,
        writable: true,
        value: function (this: object, ...args: unknown[]) {
          const label = `Matrix.prototype.${name}`;
          if (isActive(this, standIn) || args.some((a) => isActive(a, standIn))) unsupported(label, REFUSAL);
          const self = toReal(this, standIn) as real.Matrix;
          const result = method.apply(self, args.map((a) => toReal(a, standIn)));
          if (standIn.isStandIn(this)) writeBack(this, self);
          return result === self ? this : fromReal(result, standIn);
        },
      });
    }
    for (const [name, desc] of Object.entries(Object.getOwnPropertyDescriptors(source))) {
      if (typeof desc.value !== 'function' || name in target) continue;
      const fn = desc.value as (...args: unknown[]) => unknown;
      Object.defineProperty(target, name, {
        configurable: true,
        writable: true,
        value: (...args: unknown[]) => passiveCall(`Matrix.${name}`, standIn, (...a) => fn.apply(real.Matrix, a), args),
      });
    }
  }
}

/** ml-matrix's free functions (solve, inverse, determinant, ...), each as a passive fallback. */
export function passiveModuleFunctions(standIn: StandIn): Record<string, unknown> {
  const names = ['solve', 'inverse', 'determinant', 'linearDependencies', 'pseudoInverse', 'covariance', 'correlation'] as const;
  const out: Record<string, unknown> = {};
  for (const name of names) {
    const fn = real[name] as (...args: unknown[]) => unknown;
    out[name] = (...args: unknown[]) => passiveCall(name, standIn, fn, args);
  }
  return out;
}

/**
 * ml-matrix's other classes (decompositions, views, wrappers, symmetric and distance matrices): their results are
 * real matrices that would later take stand-in arguments without recording, so they are refused outright.
 */
export function refusedClasses(): Record<string, unknown> {
  const names = [
    'SingularValueDecomposition', 'SVD', 'EigenvalueDecomposition', 'EVD', 'CholeskyDecomposition', 'CHO',
    'LuDecomposition', 'LU', 'QrDecomposition', 'QR', 'Nipals', 'NIPALS', 'SymmetricMatrix', 'DistanceMatrix',
    'MatrixColumnView', 'MatrixColumnSelectionView', 'MatrixFlipColumnView', 'MatrixFlipRowView', 'MatrixRowView',
    'MatrixRowSelectionView', 'MatrixSelectionView', 'MatrixSubView', 'MatrixTransposeView', 'WrapperMatrix1D',
    'WrapperMatrix2D', 'wrap',
  ];
  const out: Record<string, unknown> = {};
  for (const name of names) {
    // A plain function, so that both `new SVD(m)` and `wrap(a)` reach the message.
    out[name] = function refused(): never {
      return unsupported(`ml-matrix ${name}`, 'not supported by Derivative Lens yet; use Matrix methods (mmul, transpose, ...) instead');
    };
  }
  return out;
}
