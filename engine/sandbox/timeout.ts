// The words of a timeout: which step of the check went silent, with the numbers the worker last reported.
import type { CheckProgress } from '../types';
import { count, num } from '../check/words';

/** `limit` is already in words ("10 s"); `last` is the worker's last progress report, if any. */
export function timeoutMessage(fn: string, limit: string, last: CheckProgress | undefined): string {
  if (last === undefined || last.phase === 'loading') return `loading the module of ${fn} did not finish within ${limit} (a runaway loop in its top-level code?)`;
  const each = last.evaluationMs !== undefined ? ` (one evaluation takes ${num(last.evaluationMs)} ms)` : '';
  switch (last.phase) {
    case 'evaluating':
      return `one evaluation of ${fn} did not finish within ${limit} (a runaway loop?)`;
    case 'differentiating':
      return `recording ${fn} and computing its gradient and Hessian diagonal made no progress for ${limit}${each}`;
    case 'finite-differences':
      return (
        `an evaluation of ${fn} during the finite-difference checks (${last.mode ? `${last.mode} mode, ` : ''}after ${count(last.done)} of ~${count(last.total)} evaluations) ` +
        `did not finish within ${limit}${each}: a runaway loop at a perturbed point?`
      );
    default:
      return `${fn}: the ${last.phase} step made no progress for ${limit}${each}`;
  }
}
