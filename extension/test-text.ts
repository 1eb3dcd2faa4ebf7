// Words of the Test Explorer's messages, free of `vscode` so they are unit-tested: the expected and actual sides of a failed check.

import type { Check } from '../engine/types';
import { formatEntry } from '../engine/shape';

/** One `entry = value` line per mismatching entry (worst first), for VS Code's expected/actual diff; full precision, so the diff is exact. */
export function expectedActual(check: Check, wrt: string): { expected: string; actual: string } {
  const line = (index: number[], v: number) => `${formatEntry(wrt, index)} = ${String(v)}`;
  const ms = check.mismatches;
  const more = check.mismatchCount > ms.length ? [`… ${check.mismatchCount - ms.length} more entries differ`] : [];
  return {
    expected: [...ms.map((m) => line(m.index, m.expected)), ...more].join('\n'),
    actual: [...ms.map((m) => line(m.index, m.actual)), ...more].join('\n'),
  };
}
