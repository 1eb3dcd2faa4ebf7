// "Clear Results": diagnostics, lens verdicts and the status bar item go.

import type { Services } from '../services';

export function clear(s: Services) {
  return (): void => {
    s.diagnostics.clear();
    s.results.clear();
    s.statusBar.hide();
  };
}
