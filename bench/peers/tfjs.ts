// The TF.js peer of the benchmark: the same losses as tensor code, gradient by tf.grad, Hessian diagonal by one grad-of-grad·v product per entry.
//
// This file is bundled at run time by bench/peers/load-tfjs.ts (core + every gradient registration + the CPU
// backend in one CommonJS file), because the CommonJS entry of tfjs-core registers no gradients.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';

/** A scalar function of one float32 tensor, fixed at its evaluation point. */
export interface TfProblem {
  n: number;
  f(): number;
  gradient(): Float32Array;
  /** (H·e_i)_i: one Hessian-vector product with the i-th unit vector, read at entry i. */
  hessianDiagonalEntry(i: number): number;
  dispose(): void;
}

/** Inputs are float64 and rounded to float32 here: TF.js computes in float32. */
export interface TfPeer {
  /** Class-weighted softmax cross-entropy written as the ml-matrix example is: log(exp(Y) / row sums of exp(Y)). `coef[i,k]` = w_k T_ik / c_k. */
  foundingLoss(Y: Float64Array, rows: number, K: number, coef: Float64Array): TfProblem;
  /** Σ_i 100 (x_{i+1} − x_i²)² + (1 − x_i)², vectorised with slices. */
  rosenbrock(x: Float64Array): TfProblem;
  /**
   * d²/dx² of Σ exp(x) at x = 0 (exactly 1) by the same grad-of-grad product, or the error TF.js raises: exp's
   * gradient multiplies by its saved output, and a second tf.grad does not see that output depend on x.
   */
  expCurvatureProbe(): string;
  backend(): string;
}

// Without this the CPU backend prints a banner recommending tfjs-node, and debug-mode checks slow every op.
tf.enableProdMode();
tf.setBackend('cpu');

function problem(x0: tf.Tensor, loss: (x: tf.Tensor) => tf.Scalar): TfProblem {
  const n = x0.size;
  const gradOf = tf.grad(loss);
  // The unit vector lives in a variable-like tensor swapped per call, so one closure serves every entry.
  let direction: tf.Tensor = tf.zeros(x0.shape);
  const hvp = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(gradOf(x), direction)) as tf.Scalar);
  return {
    n,
    f: () => tf.tidy(() => loss(x0).dataSync()[0]),
    gradient: () => tf.tidy(() => gradOf(x0).dataSync() as Float32Array),
    hessianDiagonalEntry(i: number): number {
      const unit = new Float32Array(n);
      unit[i] = 1;
      direction.dispose();
      direction = tf.tensor(unit, x0.shape);
      return tf.tidy(() => hvp(x0).dataSync()[i]);
    },
    dispose() {
      direction.dispose();
      x0.dispose();
    },
  };
}

export const peer: TfPeer = {
  foundingLoss(Y, rows, K, coef) {
    const weights = tf.tensor2d(Float32Array.from(coef), [rows, K]);
    const p = problem(tf.tensor2d(Float32Array.from(Y), [rows, K]), (y) => {
      const e = tf.exp(y);
      return tf.neg(tf.sum(tf.mul(weights, tf.log(tf.div(e, tf.sum(e, 1, true)))))) as tf.Scalar;
    });
    return { ...p, dispose: () => (p.dispose(), weights.dispose()) };
  },
  rosenbrock(x) {
    const n = x.length;
    return problem(tf.tensor1d(Float32Array.from(x)), (v) => {
      const head = tf.slice(v, 0, n - 1);
      const tail = tf.slice(v, 1, n - 1);
      const valley = tf.sub(tail, tf.square(head));
      return tf.sum(tf.add(tf.mul(100, tf.square(valley)), tf.square(tf.sub(1, head)))) as tf.Scalar;
    });
  },
  expCurvatureProbe() {
    const p = problem(tf.zeros([1]), (x) => tf.sum(tf.exp(x)) as tf.Scalar);
    try {
      return String(p.hessianDiagonalEntry(0));
    } catch (e) {
      return (e as Error).message.split('.')[0];
    } finally {
      p.dispose();
    }
  },
  backend: () => tf.getBackend(),
};
