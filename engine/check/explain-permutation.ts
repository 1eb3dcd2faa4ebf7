// The "swapped entries" fit: the supplied values on the failing entries are the true values in another order.

import type { Explanation, ExplainInput } from './explain';
import { FIT_RESIDUAL, residual } from './fit';
import { formatEntry, multiIndex } from '../shape';

const MAX_NAMED_CYCLES = 6;

/**
 * Sorting both sides pairs them optimally (for least squares in one dimension, the sorted matching is the best
 * assignment), so one sort decides whether any permutation fits. An entry paired with itself would be right, not
 * moved: such a fit is refused (it means the values are only slightly off).
 */
export function permutation({ truth: t, supplied: s, failing, wrt, shape }: ExplainInput, scale: number): Explanation | undefined {
  if (failing.length < 2) return undefined;
  const bySupplied = [...failing].sort((i, j) => s[i] - s[j]);
  const byTruth = [...failing].sort((i, j) => t[i] - t[j]);
  const holds = new Map<number, number>();
  const model = Float64Array.from(t);
  for (let k = 0; k < bySupplied.length; k++) {
    if (bySupplied[k] === byTruth[k]) return undefined;
    holds.set(bySupplied[k], byTruth[k]);
    model[bySupplied[k]] = t[byTruth[k]];
  }
  const res = residual(s, model, scale);
  if (res > FIT_RESIDUAL) return undefined;

  const name = (i: number) => formatEntry(wrt, multiIndex(shape, i));
  const cycles: number[][] = [];
  const seen = new Set<number>();
  for (const start of [...failing].sort((a, b) => a - b)) {
    if (seen.has(start)) continue;
    const cycle: number[] = [];
    for (let i = start; !seen.has(i); i = holds.get(i)!) (seen.add(i), cycle.push(i));
    cycles.push(cycle);
  }
  const words = cycles.slice(0, MAX_NAMED_CYCLES).map((c) =>
    c.length === 2 ? `${name(c[0])} and ${name(c[1])} are swapped` : `${c.map(name).join(' ← ')} ← ${name(c[0])} are rotated (each holds the next one's value)`,
  );
  const more = cycles.length > MAX_NAMED_CYCLES ? `, and ${cycles.length - MAX_NAMED_CYCLES} more exchanges` : '';
  return {
    explanation: `${words.join(', ')}${more}: the values are right but in the wrong places`,
    evidence: { fit: 'permutation of truth', moved: failing.length, exchanges: cycles.length, residual: res },
  };
}
