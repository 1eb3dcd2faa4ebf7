// The founding loss written with ml-matrix, checked through a gradient-boosting objective that returns { grad, hess }.
import { Matrix } from 'ml-matrix';
import { labels, weights } from './founding-data';

/**
 * The same class-weighted softmax cross-entropy as founding-loss.ts, as matrix code.
 *
 * @dlens-at Y = labels
 * @dlens-at T = labels
 * @dlens-at w = weights
 * @dlens-objective softmaxObjective
 */
export function softmaxLossMatrix(Y: Matrix, T: Matrix, w: number[]): number {
  const counts = T.sum('column');
  const E = Matrix.exp(Y);
  const rowSums = E.sum('row');
  let loss = 0;
  for (let i = 0; i < Y.rows; i++) {
    for (let k = 0; k < Y.columns; k++) {
      const t = T.get(i, k);
      if (t !== 0) loss -= ((w[k] * t) / counts[k]) * Math.log(E.get(i, k) / rowSums[i]);
    }
  }
  return loss;
}

/** Gradient-boosting custom objective: per-entry gradient and exact Hessian diagonal. */
export function softmaxObjective(Y: Matrix, T: Matrix, w: number[]): { grad: number[][]; hess: number[][] } {
  const counts = T.sum('column');
  const P = Matrix.exp(Y);
  const rowSums = P.sum('row');
  const grad: number[][] = [];
  const hess: number[][] = [];
  for (let i = 0; i < Y.rows; i++) {
    let a = 0;
    for (let k = 0; k < Y.columns; k++) a += (w[k] * T.get(i, k)) / counts[k];
    grad.push([]);
    hess.push([]);
    for (let j = 0; j < Y.columns; j++) {
      const p = P.get(i, j) / rowSums[i];
      grad[i].push(a * p - (w[j] * T.get(i, j)) / counts[j]);
      hess[i].push(a * p * (1 - p));
    }
  }
  return { grad, hess };
}
