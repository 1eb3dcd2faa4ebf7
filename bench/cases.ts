// The benchmark's problems: inputs at each size, the plain (unrewritten) function, and the Hessian diagonal in closed form.
import { labels } from '../examples/founding-data';
import { normalSampler } from '../engine/load/inputs';
import type { Nested } from '../engine/types';
import type { PlainModule } from './plain';
import type { TfPeer, TfProblem } from './peers/tfjs';

export type Form = 'ml-matrix' | 'loops' | 'rosenbrock';

export interface BenchCase {
  form: Form;
  /** Entries of the wrt parameter. */
  n: number;
  /** The checked file (relative to the repository) and function, as a user would point the engine at them. */
  file: string;
  functionName: string;
  wrt: string;
  /** Every parameter's evaluation point, for runCheck. */
  at: Record<string, Nested>;
  /** One plain evaluation of `functionName` from the file compiled as it is (bench/plain.ts), on the real ml-matrix package. */
  plain: (mod: PlainModule) => () => number;
  /** ∂²f/∂x_i², flat and row-major. */
  exactDiagonal: Float64Array;
  /** Σ of the absolute values of the closed form's terms per entry: the scale its own rounding error is relative to. */
  exactScale: Float64Array;
  tf: (peer: TfPeer) => TfProblem;
}

export const CLASSES = 5;
/** Class weights away from 1, so that a dropped weight would show in the diagonal. */
const CLASS_WEIGHTS = [1, 2, 0.5, 1.5, 0.75];

/** Seeded standard normals: the same inputs on every run. */
function normals(count: number, seed: number): Float64Array {
  const sample = normalSampler(seed);
  return Float64Array.from({ length: count }, sample);
}

function rowsOf(flat: Float64Array, rows: number, cols: number): number[][] {
  return Array.from({ length: rows }, (_, i) => Array.from(flat.subarray(i * cols, (i + 1) * cols)));
}

/**
 * STORY.md's closed form: with a_i = Σ_k w_k T_ik / c_k and P = row-wise softmax(Y), ∂²L/∂Y_ij² = a_i P_ij (1 − P_ij).
 * Also returns coef_ik = w_k T_ik / c_k for the TF.js peer.
 */
function foundingClosedForm(Y: Float64Array, T: Float64Array, rows: number): { diagonal: Float64Array; coef: Float64Array } {
  const K = CLASSES;
  const counts = new Float64Array(K);
  for (let i = 0; i < rows; i++) for (let k = 0; k < K; k++) counts[k] += T[i * K + k];
  const diagonal = new Float64Array(rows * K);
  const coef = new Float64Array(rows * K);
  for (let i = 0; i < rows; i++) {
    let a = 0;
    let m = -Infinity;
    for (let k = 0; k < K; k++) {
      coef[i * K + k] = (CLASS_WEIGHTS[k] * T[i * K + k]) / counts[k];
      a += coef[i * K + k];
      m = Math.max(m, Y[i * K + k]);
    }
    let s = 0;
    for (let k = 0; k < K; k++) s += Math.exp(Y[i * K + k] - m);
    for (let k = 0; k < K; k++) {
      const p = Math.exp(Y[i * K + k] - m) / s;
      diagonal[i * K + k] = a * p * (1 - p);
    }
  }
  return { diagonal, coef };
}

/** The founding loss at n = `rows` rows: the story's labels tiled (rows is a multiple of 7), Y seeded normal. */
export function foundingCase(form: 'ml-matrix' | 'loops', rows: number): BenchCase {
  const K = CLASSES;
  const T = new Float64Array(rows * K);
  for (let i = 0; i < rows; i++) T.set(labels[i % labels.length], i * K);
  const Y = normals(rows * K, 7 + rows);
  const { diagonal, coef } = foundingClosedForm(Y, T, rows);
  const Yrows = rowsOf(Y, rows, K);
  const Trows = rowsOf(T, rows, K);
  const w = [...CLASS_WEIGHTS];
  const functionName = form === 'ml-matrix' ? 'softmaxLossMatrix' : 'softmaxLoss';
  return {
    form,
    n: rows * K,
    file: form === 'ml-matrix' ? 'examples/founding-loss-matrix.ts' : 'examples/founding-loss.ts',
    functionName,
    wrt: 'Y',
    at: { Y: Yrows, T: Trows, w },
    plain: (mod) => {
      const f = mod[functionName] as (Y: unknown, T: unknown, w: number[]) => number;
      const [Yarg, Targ] = form === 'ml-matrix' ? [new mod.Matrix(Yrows), new mod.Matrix(Trows)] : [Yrows, Trows];
      return () => f(Yarg, Targ, w);
    },
    exactDiagonal: diagonal,
    exactScale: diagonal, // a product of positive factors: no cancellation
    tf: (peer) => peer.foundingLoss(Y, rows, K, coef),
  };
}

/** Rosenbrock at N entries, x_i = 1 + 0.5·normal: around the valley, where the diagonal has both signs. */
export function rosenbrockCase(n: number): BenchCase {
  const x = normals(n, 11 + n).map((z) => 1 + 0.5 * z);
  const xs = Array.from(x);
  // ∂²f/∂x_i² = [i < N−1] (1200 x_i² − 400 x_{i+1} + 2) + [i > 0] 200.
  const diagonal = x.map((xi, i) => (i + 1 < n ? 1200 * xi * xi - 400 * x[i + 1] + 2 : 0) + (i > 0 ? 200 : 0));
  const scale = x.map((xi, i) => (i + 1 < n ? 1200 * xi * xi + 400 * Math.abs(x[i + 1]) + 2 : 0) + (i > 0 ? 200 : 0));
  return {
    form: 'rosenbrock',
    n,
    file: 'bench/fixtures/rosenbrock.ts',
    functionName: 'rosenbrock',
    wrt: 'x',
    at: { x: xs },
    plain: (mod) => {
      const f = mod.rosenbrock as (x: number[]) => number;
      return () => f(xs);
    },
    exactDiagonal: diagonal,
    exactScale: scale,
    tf: (peer) => peer.rosenbrock(x),
  };
}

/**
 * Max over entries of |d_i − e_i| / scale_i: the relative error, measured against the size of the closed form's
 * terms so that an entry where they cancel (Rosenbrock's diagonal changes sign) is judged by what float64 can resolve.
 */
export function relativeError(actual: ArrayLike<number>, exact: ArrayLike<number>, scale: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < exact.length; i++) {
    const err = Math.abs(actual[i] - exact[i]) / Math.abs(scale[i]);
    if (!(err <= worst)) worst = err; // NaN sticks
  }
  return worst;
}
