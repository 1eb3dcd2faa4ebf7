// "Clear Results": the results store empties, and the diagnostics, lens verdicts, status bar item and report that follow it go.

import type { Services } from '../services';

export function clear(s: Services) {
  return (): void => {
    s.results.clear();
  };
}
