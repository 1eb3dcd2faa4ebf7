// The founding loss (examples/founding-loss.ts) as the rewriter emits it — operators through __ad, Math the sandbox's — and its closed forms.

import { createSandboxGlobals } from '../../../engine/ad/js/globals';
import { runtime as __ad } from '../../../engine/ad/runtime';

const Math = createSandboxGlobals().Math;

/** L(Y) = − Σ_k w_k Σ_i (T_ik / c_k) · log softmax(Y)_ik, operator for operator as in the example. */
export function softmaxLoss(Y: unknown[][], T: number[][], w: number[]): unknown {
  const n = Y.length;
  const K = Y[0].length;
  const counts = new Array(K).fill(0);
  for (let i = 0; i < n; i = __ad.inc(i) as number) {
    for (let k = 0; k < K; k = __ad.inc(k) as number) __ad.setOp(counts, k, 'add', T[i][k]);
  }
  let loss: unknown = 0;
  for (let i = 0; i < n; i = __ad.inc(i) as number) {
    let m: unknown = -Infinity;
    for (let k = 0; k < K; k = __ad.inc(k) as number) m = Math.max(m as number, Y[i][k] as number);
    let s: unknown = 0;
    for (let k = 0; k < K; k = __ad.inc(k) as number) s = __ad.add(s, Math.exp(__ad.sub(Y[i][k], m) as number));
    const logZ = __ad.add(m, Math.log(s as number));
    for (let k = 0; k < K; k = __ad.inc(k) as number) {
      if (__ad.neq(T[i][k], 0)) loss = __ad.sub(loss, __ad.mul(__ad.div(__ad.mul(w[k], T[i][k]), counts[k]), __ad.sub(Y[i][k], logZ)));
    }
  }
  return loss;
}

/** One-hot labels with the given hot column per row. */
export function oneHot(hot: number[], K: number): number[][] {
  return hot.map((h) => Array.from({ length: K }, (_v, k) => (k === h ? 1 : 0)));
}

/** The founding loss (README "Why"): ∂L/∂Y_ij = a_i P_ij − w_j T_ij / c_j and ∂²L/∂Y_ij² = a_i P_ij (1 − P_ij), a_i = Σ_k w_k T_ik / c_k. */
export function closedForm(Y: number[][], T: number[][], w: number[]): { gradient: number[]; diagonal: number[] } {
  const K = Y[0].length;
  const counts = Array.from({ length: K }, (_v, k) => T.reduce((acc, row) => acc + row[k], 0));
  const gradient: number[] = [];
  const diagonal: number[] = [];
  Y.forEach((row, i) => {
    const m = globalThis.Math.max(...row);
    const e = row.map((y) => globalThis.Math.exp(y - m));
    const z = e.reduce((x, y) => x + y, 0);
    const a = T[i].reduce((acc, t, k) => acc + (w[k] * t) / counts[k], 0);
    e.forEach((ej, j) => {
      const p = ej / z;
      gradient.push(a * p - (w[j] * T[i][j]) / counts[j]);
      diagonal.push(a * p * (1 - p));
    });
  });
  return { gradient, diagonal };
}
