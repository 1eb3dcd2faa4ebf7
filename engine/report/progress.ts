// The CLI's progress line: one line on a terminal's stderr, redrawn in place, erased when the check ends.
import type { CheckProgress } from '../types';

const PHASES: Record<CheckProgress['phase'], string> = {
  starting: 'starting',
  bundling: 'bundling the module',
  loading: 'loading the module',
  evaluating: 'evaluating f',
  differentiating: 'gradient and Hessian diagonal',
  'finite-differences': 'finite differences',
  supplied: 'supplied derivatives',
};

/** "finite differences (fast mode) 12/44 27%": the phase, and done/total when the phase counts evaluations. */
export function progressText(p: CheckProgress): string {
  const phase = PHASES[p.phase] + (p.mode ? ` (${p.mode} mode)` : '');
  if (p.total <= 1) return `${phase}…`;
  return `${phase} ${p.done}/${p.total} ${Math.round((100 * p.done) / p.total)}%`;
}

/** Where a phase sits in the whole check, 0–100, for a progress bar: finite differences take most of a slow check. */
const SPANS: Record<CheckProgress['phase'], [number, number]> = {
  starting: [0, 5],
  bundling: [5, 10],
  loading: [10, 15],
  evaluating: [15, 20],
  differentiating: [20, 35],
  'finite-differences': [35, 95],
  supplied: [95, 100],
};

export function overallPercent(p: CheckProgress): number {
  const [from, to] = SPANS[p.phase];
  return from + ((to - from) * Math.min(p.done, p.total)) / Math.max(p.total, 1);
}

/** A progress display on `stream` when wanted and a terminal; otherwise (a pipe, a file, a CI log) nothing at all. */
export function progressLine(stream: NodeJS.WriteStream, wanted: boolean): { update(p: CheckProgress): void; clear(): void } {
  if (!wanted || !stream.isTTY) return { update() {}, clear() {} };
  let shown = false;
  return {
    update(p) {
      // \r + erase-line: redraw in place, never scroll the terminal.
      stream.write(`\r\x1b[2K${progressText(p)}`);
      shown = true;
    },
    clear() {
      if (shown) stream.write('\r\x1b[2K');
      shown = false;
    },
  };
}
