// The hand-written derivatives, called at the evaluation point: a gradient, a Hessian diagonal, or an objective's { grad, hess }.

import type { Evaluator, Supplied } from '../evaluator';
import { describeReturned } from '../shape';
import { EngineError, type SourceLocation } from '../types';

export interface SuppliedSpec {
  fn: (...args: unknown[]) => unknown;
  name: string;
  location?: SourceLocation;
}

export interface SuppliedSpecs {
  gradient?: SuppliedSpec;
  hessianDiagonal?: SuppliedSpec;
  objective?: SuppliedSpec;
}

/**
 * What each supplied function returns when `callAtPoint` calls it with the checked function's arguments (fresh,
 * passive). A gradient or Hessian diagonal given on its own wins over the objective's half.
 */
export function callSupplied(given: SuppliedSpecs, callAtPoint: (fn: SuppliedSpec['fn']) => unknown): Evaluator['supplied'] {
  const result: Evaluator['supplied'] = {};
  const make = (s: SuppliedSpec, r: unknown, fromObjective: boolean): Supplied => ({ result: r, name: s.name, fromObjective, ...(s.location ? { location: s.location } : {}) });
  if (given.gradient) result.gradient = make(given.gradient, callAtPoint(given.gradient.fn), false);
  if (given.hessianDiagonal) result.hessianDiagonal = make(given.hessianDiagonal, callAtPoint(given.hessianDiagonal.fn), false);
  if (given.objective) {
    const r = callAtPoint(given.objective.fn) as { grad?: unknown; hess?: unknown } | null;
    if (typeof r !== 'object' || r === null || !('grad' in r) || !('hess' in r)) {
      throw new EngineError('bad-return', `${given.objective.name} returned ${describeReturned(r)} — expected an object { grad, hess }`);
    }
    result.gradient ??= make(given.objective, r.grad, true);
    result.hessianDiagonal ??= make(given.objective, r.hess, true);
  }
  return result;
}
