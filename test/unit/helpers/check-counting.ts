// An Evaluator wrapper that counts how often the checks call f, the engine's gradient and H·v: the cost of a check.

import type { Evaluator } from '../../../engine/evaluator';

export interface EvaluationCounts {
  f: number;
  gradientAt: number;
  hvp: number;
}

/** The same Evaluator, with `counts` of the calls made through it since creation or the last `reset()`. */
export function countingEvaluator<E extends Evaluator>(ev: E): E & { counts: EvaluationCounts; reset(): void } {
  const counts: EvaluationCounts = { f: 0, gradientAt: 0, hvp: 0 };
  return Object.assign(Object.create(ev) as E, {
    counts,
    reset: () => Object.assign(counts, { f: 0, gradientAt: 0, hvp: 0 }),
    f: (x: Float64Array) => (counts.f++, ev.f(x)),
    gradientAt: (x: Float64Array) => (counts.gradientAt++, ev.gradientAt(x)),
    hvp: (v: Float64Array) => (counts.hvp++, ev.hvp(v)),
  });
}
