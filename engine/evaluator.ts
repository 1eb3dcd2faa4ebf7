// What the checks need from a function under test, independent of how it was loaded or differentiated.

import type { Kink, SourceLocation } from './types';
import type { LeafSlot } from './tree';

/** The engine's derivatives at the evaluation point, flat and row-major in the wrt parameter's shape. */
export interface Derivatives {
  value: number;
  gradient: Float64Array;
  hessianDiagonal: Float64Array;
  /** Per-entry standard error, only when the diagonal is an estimate. */
  hessianDiagonalStdError?: Float64Array;
  hessianDiagonalMethod: string;
  passes: number;
  kinks: Kink[];
  notes: string[];
  timingsMs: { gradient: number; hessianDiagonal: number };
  /** When a derivative entry is NaN/±Infinity: the first operation whose derivative was, its operands and line. */
  nonFiniteOrigin?: string;
}

/** A hand-written derivative, already called at the evaluation point. */
export interface Supplied {
  /** What the function returned, untouched: number, number[], number[][], Float64Array, Matrix-like (to2DArray), ... */
  result: unknown;
  /** The function's name and place, for messages and diagnostics. */
  name: string;
  location?: SourceLocation;
  /** True when it came from an objective's { grad, hess } (gradient-boosting form: non-positive hess warns). */
  fromObjective: boolean;
}

/** One source line's share of f's value: the contributions it computed on f's linear tail, and their derivatives. */
export interface ContributionGroup {
  location: SourceLocation;
  /** The line's text, trimmed, when the source is at hand. */
  text?: string;
  /** How many tape nodes the line contributed (a loop's iterations). */
  terms: number;
  gradient: Float64Array;
  hessianDiagonal: Float64Array;
}

/** f split by source line, or why it was not split (too many lines, nothing to place, ...). */
export type Contributions = { groups: ContributionGroup[] } | { skipped: string };

export interface Evaluator {
  /** The checked function's name, for messages that name both it and a hand-written derivative. */
  name?: string;
  /**
   * The wrt parameter's name and shape ([] scalar, [n], [r, c]); n = product of shape. For a tree or several paths,
   * `wrt` lists the paths, `shape` is [n], and `leaves` says where each numeric leaf sits in the flat vector.
   */
  wrt: string;
  shape: number[];
  n: number;
  leaves?: LeafSlot[];
  /** The wrt paths in order, when `leaves` is set (a supplied derivative returns one value per path). */
  paths?: string[];
  /** The evaluation point of the wrt parameter, flat. Never mutated. */
  x0: Float64Array;
  /** f with the wrt parameter set to the flat point x (other parameters at their evaluation points), plain numbers. */
  f(x: Float64Array): number;
  /** Value, gradient, exact Hessian diagonal (or the estimate when asked), at x0. */
  derivatives(): Derivatives;
  /** The engine's gradient at another flat point x (one recording and reverse sweep), for differencing the gradient. */
  gradientAt(x: Float64Array): Float64Array;
  /** H·v at x0: one Hessian-vector product (forward over reverse). */
  hvp(v: Float64Array): Float64Array;
  /** The gradient of f at x0 with respect to another parameter, for the "wrong argument" explanation; undefined when not differentiable (not numeric). */
  gradientWrt(param: string): Float64Array | undefined;
  /**
   * f at x0 split into contributions by source line, each group with its gradient and exact Hessian diagonal (one extra
   * recording that places the contributions, then one reverse sweep and one diagonal sweep per group). Only called when
   * a supplied derivative failed; absent when the evaluator cannot split f.
   */
  contributions?(): Contributions;
  /** The other parameters, with their shapes. */
  otherParams: { name: string; shape: number[] }[];
  supplied: { gradient?: Supplied; hessianDiagonal?: Supplied };
}
