// The founding loss, written with plain loops: class-weighted softmax cross-entropy, with hand-written derivatives.
import { labels, weights } from './founding-data';

/**
 * L(Y) = − Σ_k w_k Σ_i (T_ik / c_k) · log softmax(Y)_ik, with c_k the number of rows of class k.
 *
 * The "Hessian diagonal" below is the one from the story: an elementwise gradient applied twice,
 * which gives the Hessian's row sums. Derivative Lens flags it.
 *
 * @dlens-at Y = labels
 * @dlens-at T = labels
 * @dlens-at w = weights
 * @dlens-wrt Y
 * @dlens-gradient softmaxLossGradient
 * @dlens-hessian-diagonal softmaxLossHessianRowSums
 */
export function softmaxLoss(Y: number[][], T: number[][], w: number[]): number {
  const n = Y.length;
  const K = Y[0].length;
  const counts = new Array(K).fill(0);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < K; k++) counts[k] += T[i][k];
  }
  let loss = 0;
  for (let i = 0; i < n; i++) {
    let m = -Infinity;
    for (let k = 0; k < K; k++) m = Math.max(m, Y[i][k]);
    let s = 0;
    for (let k = 0; k < K; k++) s += Math.exp(Y[i][k] - m);
    const logZ = m + Math.log(s);
    for (let k = 0; k < K; k++) {
      if (T[i][k] !== 0) loss -= ((w[k] * T[i][k]) / counts[k]) * (Y[i][k] - logZ);
    }
  }
  return loss;
}

/** Row-wise softmax and a_i = Σ_k w_k T_ik / c_k, shared by the hand-written derivatives. */
function softmaxAndRowWeights(Y: number[][], T: number[][], w: number[]): { P: number[][]; a: number[]; counts: number[] } {
  const K = Y[0].length;
  const counts = new Array(K).fill(0);
  for (const row of T) row.forEach((t, k) => (counts[k] += t));
  const P = Y.map((row) => {
    const m = Math.max(...row);
    const e = row.map((y) => Math.exp(y - m));
    const s = e.reduce((x, y) => x + y, 0);
    return e.map((v) => v / s);
  });
  const a = T.map((row) => row.reduce((acc, t, k) => acc + (w[k] * t) / counts[k], 0));
  return { P, a, counts };
}

/** ∂L/∂Y_ij = a_i P_ij − w_j T_ij / c_j. */
export function softmaxLossGradient(Y: number[][], T: number[][], w: number[]): number[][] {
  const { P, a, counts } = softmaxAndRowWeights(Y, T, w);
  return P.map((row, i) => row.map((p, j) => a[i] * p - (w[j] * T[i][j]) / counts[j]));
}

/** ∂²L/∂Y_ij² = a_i P_ij (1 − P_ij): the exact diagonal. */
export function softmaxLossHessianDiagonal(Y: number[][], T: number[][], w: number[]): number[][] {
  const { P, a } = softmaxAndRowWeights(Y, T, w);
  return P.map((row, i) => row.map((p) => a[i] * p * (1 - p)));
}

/**
 * The story's pitfall: differentiate the gradient "elementwise" — Σ_l ∂g_ij/∂Y_il, the Hessian's row
 * sums. For softmax they vanish (a_i P_ij (1 − P_ij) − Σ_{l≠j} a_i P_ij P_il = 0), up to rounding.
 */
export function softmaxLossHessianRowSums(Y: number[][], T: number[][], w: number[]): number[][] {
  const { P, a } = softmaxAndRowWeights(Y, T, w);
  return P.map((row, i) =>
    row.map((p, j) => a[i] * p * (1 - p) - row.reduce((acc, q, l) => (l === j ? acc : acc + a[i] * p * q), 0)),
  );
}
