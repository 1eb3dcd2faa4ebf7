// The long-lived pieces the commands and providers share, created once in activate.

import type * as vscode from 'vscode';
import type { DerivativeDiagnostics } from './diagnostics';
import type { Engine } from './engine';
import type { ReportPanel } from './panel';
import type { Results } from './results';
import type { CheckRunner } from './runner';
import type { VerdictStatusBar } from './status-bar';
import type { TestTree } from './test-explorer';
import type { TestRuns } from './test-runs';

export interface Services {
  extensionUri: vscode.Uri;
  engine: () => Promise<Engine>;
  results: Results;
  diagnostics: DerivativeDiagnostics;
  statusBar: VerdictStatusBar;
  panel: ReportPanel;
  runner: CheckRunner;
  /** The Test Explorer's tree of tagged functions and its runs. */
  tests: { tree: TestTree; runs: TestRuns };
}
