// Evaluators built from closed forms (f, gradient, H·v, diagonal known analytically), for testing the checks without the AD core.

import type { CheckOptions } from '../../../engine/check/checks';
import { defaultEngineOptions, defaultTolerances, type Kink } from '../../../engine/types';
import type { Contributions, Evaluator, Supplied } from '../../../engine/evaluator';
import { seededUniform } from '../../../engine/random';

/** The checks' options as a default check runs them, seed 1. */
export const defaultCheckOptions: CheckOptions = {
  fd: defaultTolerances.fd,
  supplied: defaultTolerances.supplied,
  sampleThreshold: defaultEngineOptions.fdSampleThreshold,
  sampleSize: defaultEngineOptions.fdSampleSize,
  seed: 1,
};

export interface ClosedForm {
  wrt?: string;
  shape: number[];
  x0: ArrayLike<number>;
  f(x: Float64Array): number;
  grad(x: Float64Array): Float64Array;
  diag(x: Float64Array): Float64Array;
  /** H·v at x0; tests that reach an explanation needing it must give it. */
  hvp?(v: Float64Array): Float64Array;
  kinks?: Kink[];
  others?: { name: string; shape: number[]; gradient?: Float64Array }[];
  supplied?: { gradient?: unknown; hessianDiagonal?: unknown; fromObjective?: boolean };
  /** What the engine reports instead of the true gradient / diagonal at x0 (to test an engine that is wrong). */
  engineGradient?: Float64Array;
  engineDiagonal?: Float64Array;
  stdError?: Float64Array;
  /** The checked function's name (default 'f'). */
  name?: string;
  /** f's terms by source line, with their closed-form derivatives: what `contributions()` reports at x0. */
  lines?: { line: number; text?: string; grad(x: Float64Array): Float64Array; diag(x: Float64Array): Float64Array }[];
}

export function closedFormEvaluator(cf: ClosedForm): Evaluator & { hvpCalls: number } {
  const x0 = Float64Array.from(cf.x0);
  const supplied = (result: unknown, name: string): Supplied => ({
    result,
    name,
    location: { file: '/virtual/derivs.ts', line: 10, column: 1 },
    fromObjective: cf.supplied?.fromObjective ?? false,
  });
  const ev = {
    name: cf.name ?? 'f',
    wrt: cf.wrt ?? 'x',
    shape: cf.shape,
    n: x0.length,
    x0,
    hvpCalls: 0,
    f: (x: Float64Array) => cf.f(x),
    derivatives: () => ({
      value: cf.f(x0),
      gradient: cf.engineGradient ?? cf.grad(x0),
      hessianDiagonal: cf.engineDiagonal ?? cf.diag(x0),
      hessianDiagonalStdError: cf.stdError,
      hessianDiagonalMethod: cf.stdError ? 'estimate: Hutchinson/Bekas' : 'exact: closed form',
      passes: 1,
      kinks: cf.kinks ?? [],
      notes: [],
      timingsMs: { gradient: 0, hessianDiagonal: 0 },
    }),
    gradientAt: (x: Float64Array) => cf.grad(x),
    contributions: (): Contributions =>
      cf.lines
        ? { groups: cf.lines.map((l) => ({ location: { file: '/virtual/loss.ts', line: l.line, column: 3 }, text: l.text, terms: 1, gradient: l.grad(x0), hessianDiagonal: l.diag(x0) })) }
        : { skipped: 'this closed form has no lines' },
    hvp(v: Float64Array) {
      ev.hvpCalls++;
      if (!cf.hvp) throw new Error('this closed form has no H·v');
      return cf.hvp(v);
    },
    gradientWrt: (name: string) => cf.others?.find((o) => o.name === name)?.gradient,
    otherParams: (cf.others ?? []).map(({ name, shape }) => ({ name, shape })),
    supplied: {
      gradient: cf.supplied && 'gradient' in cf.supplied ? supplied(cf.supplied.gradient, 'handGradient') : undefined,
      hessianDiagonal: cf.supplied && 'hessianDiagonal' in cf.supplied ? supplied(cf.supplied.hessianDiagonal, 'handHessianDiagonal') : undefined,
    },
  };
  return ev;
}

/** Standard normal numbers from a seed (Box–Muller over the checks' own uniform generator). */
/**
 * f(x) = (Σ b_i x_i)² + Σ exp(x_i / 2): every pair of coordinates is coupled, H = 2bbᵀ + diag(exp(x/2)/4), with H·v
 * in closed form. `diagonal` replaces the engine's diagonal (given the true one and the row sums H·1);
 * `hvpRowError` makes one row of H·v wrong.
 */
export function coupledQuadraticExp(
  N: number,
  over: { diagonal?: (d: Float64Array, H1: Float64Array) => Float64Array; hvpRowError?: number } = {},
): Evaluator & { hvpCalls: number } {
  const b = Float64Array.from({ length: N }, (_, i) => 0.5 + (i % 3) / 4);
  const x0 = Float64Array.from({ length: N }, (_, i) => Math.sin(i));
  const dot = (x: Float64Array) => x.reduce((s, v, i) => s + b[i] * v, 0);
  const diag = (x: Float64Array) => x.map((v, i) => 2 * b[i] * b[i] + Math.exp(v / 2) / 4);
  const rowSums = x0.map((v, i) => 2 * b[i] * b.reduce((s, bj) => s + bj, 0) + Math.exp(v / 2) / 4);
  return closedFormEvaluator({
    shape: [N],
    x0,
    f: (x) => dot(x) ** 2 + x.reduce((s, v) => s + Math.exp(v / 2), 0),
    grad: (x) => {
      const s = dot(x);
      return x.map((v, i) => 2 * s * b[i] + Math.exp(v / 2) / 2);
    },
    diag,
    hvp: (v) => {
      const s = dot(v);
      const hv = x0.map((x, i) => 2 * b[i] * s + (Math.exp(x / 2) / 4) * v[i]);
      if (over.hvpRowError !== undefined) hv[over.hvpRowError] += 0.5;
      return hv;
    },
    engineDiagonal: over.diagonal?.(diag(x0), rowSums),
  });
}

export function seededNormal(seed: number): () => number {
  const u = seededUniform(seed);
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/**
 * The founding loss (README "Why"): L(Y) = − Σ_k w_k Σ_i (T_ik / c_k) log softmax(Y)_ik, written with plain loops as users
 * write it, with its closed forms: ∂L/∂Y_ij = a_i P_ij − w_j T_ij / c_j, ∂²L/∂Y_ij² = a_i P_ij (1 − P_ij) and, row by
 * row, H_i = a_i (diag(P_i) − P_i P_iᵀ), where a_i = Σ_k w_k T_ik / c_k.
 */
export class FoundingLoss {
  readonly counts: Float64Array;
  readonly a: Float64Array;

  constructor(
    readonly n: number,
    readonly K: number,
    readonly T: Float64Array,
    readonly w: Float64Array,
  ) {
    this.counts = new Float64Array(K);
    for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) this.counts[k] += T[i * K + k];
    this.a = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) this.a[i] += (w[k] * T[i * K + k]) / this.counts[k];
  }

  /** The story's 7×5 case: hot columns 0, 1, 3, 2, 4, 4, 4, w = 1. */
  static reference(): FoundingLoss {
    return FoundingLoss.fromHot([0, 1, 3, 2, 4, 4, 4], 5);
  }

  /** n rows with seeded random classes (every class present), w = 1 + k/K. */
  static random(n: number, K: number, seed: number): FoundingLoss {
    const u = seededUniform(seed);
    return FoundingLoss.fromHot(Array.from({ length: n }, (_, i) => (i < K ? i : Math.floor(u() * K))), K, (k) => 1 + k / K);
  }

  private static fromHot(hot: number[], K: number, weight: (k: number) => number = () => 1): FoundingLoss {
    const T = new Float64Array(hot.length * K);
    hot.forEach((h, i) => (T[i * K + h] = 1));
    return new FoundingLoss(hot.length, K, T, Float64Array.from({ length: K }, (_, k) => weight(k)));
  }

  f = (Y: Float64Array): number => {
    const { n, K, T, w, counts } = this;
    let loss = 0;
    for (let i = 0; i < n; i++) {
      let m = -Infinity;
      for (let k = 0; k < K; k++) m = Math.max(m, Y[i * K + k]);
      let s = 0;
      for (let k = 0; k < K; k++) s += Math.exp(Y[i * K + k] - m);
      const logZ = m + Math.log(s);
      for (let k = 0; k < K; k++) {
        if (T[i * K + k] !== 0) loss -= ((w[k] * T[i * K + k]) / counts[k]) * (Y[i * K + k] - logZ);
      }
    }
    return loss;
  };

  softmax(Y: Float64Array): Float64Array {
    const { n, K } = this;
    const P = new Float64Array(n * K);
    for (let i = 0; i < n; i++) {
      let m = -Infinity;
      for (let k = 0; k < K; k++) m = Math.max(m, Y[i * K + k]);
      let s = 0;
      for (let k = 0; k < K; k++) s += P[i * K + k] = Math.exp(Y[i * K + k] - m);
      for (let k = 0; k < K; k++) P[i * K + k] /= s;
    }
    return P;
  }

  grad = (Y: Float64Array): Float64Array => {
    const { K, T, w, counts, a } = this;
    return this.softmax(Y).map((p, idx) => {
      const i = Math.floor(idx / K), j = idx % K;
      return a[i] * p - (w[j] * T[idx]) / counts[j];
    });
  };

  diag = (Y: Float64Array): Float64Array => {
    const { K, a } = this;
    return this.softmax(Y).map((p, idx) => a[Math.floor(idx / K)] * p * (1 - p));
  };

  hvpAt(Y: Float64Array, v: Float64Array): Float64Array {
    const { n, K, a } = this;
    const P = this.softmax(Y);
    const out = new Float64Array(n * K);
    for (let i = 0; i < n; i++) {
      let pv = 0;
      for (let k = 0; k < K; k++) pv += P[i * K + k] * v[i * K + k];
      for (let k = 0; k < K; k++) out[i * K + k] = a[i] * P[i * K + k] * (v[i * K + k] - pv);
    }
    return out;
  }

  /** The story's "elementwise gradient twice": a_i P_ij (1 − P_ij) − Σ_{l≠j} a_i P_ij P_il, ≈ 1e-17. */
  rowSumsAsWritten(Y: Float64Array): number[][] {
    const { n, K, a } = this;
    const P = this.softmax(Y);
    return Array.from({ length: n }, (_, i) =>
      Array.from({ length: K }, (_, j) => {
        const p = P[i * K + j];
        let off = 0;
        for (let l = 0; l < K; l++) if (l !== j) off += a[i] * p * P[i * K + l];
        return a[i] * p * (1 - p) - off;
      }),
    );
  }

  /** An Evaluator at Y0 (default: Y = T, as in the story). */
  evaluator(Y0: Float64Array = this.T, extra: Partial<ClosedForm> = {}): Evaluator & { hvpCalls: number } {
    return closedFormEvaluator({
      wrt: 'Y',
      shape: [this.n, this.K],
      x0: Y0,
      f: this.f,
      grad: this.grad,
      diag: this.diag,
      hvp: (v) => this.hvpAt(Y0, v),
      others: [{ name: 'T', shape: [this.n, this.K] }],
      ...extra,
    });
  }

  /** Seeded normal predictions, n × K. */
  randomPoint(seed: number, scale = 1): Float64Array {
    const z = seededNormal(seed);
    return Float64Array.from({ length: this.n * this.K }, () => scale * z());
  }
}

/** Row-major nested rows of a flat n × K array. */
export function rows(flat: ArrayLike<number>, n: number, K: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from({ length: K }, (_, k) => flat[i * K + k]));
}
