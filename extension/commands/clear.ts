// "Clear Results": diagnostics, lens verdicts, the status bar item and the report go.

import type { Services } from '../services';

export function clear(s: Services) {
  return (): void => {
    s.diagnostics.clear();
    s.results.clear();
    s.panel.close();
  };
}
