// Activation: builds the shared services, registers everything, returns the test API; a failure is shown, not swallowed.

import * as vscode from 'vscode';
import type { EngineErrorInfo, Report } from '../engine/types';
import { DerivativeDiagnostics } from './diagnostics';
import { loadEngine } from './engine';
import { CheckLog } from './output';
import { ReportPanel } from './panel';
import type { RenderedSummary } from './protocol';
import { registerAll } from './register-all';
import { Results } from './results';
import { CheckRunner } from './runner';
import { VerdictStatusBar } from './status-bar';
import { TestTree } from './test-explorer';
import { TestRuns, type TestOutcome } from './test-runs';

export interface DerivativeLensApi {
  lastReport(): Report | undefined;
  lastError(): EngineErrorInfo | undefined;
  /** What the webview reports it rendered (it posts this after each render). */
  webviewState(): RenderedSummary | undefined;
  evaluationsStarted(): number;
  /** The Test Explorer's items (file → functions) and what it last showed for each function, by item id. */
  testItems(): TestItemSummary[];
  testOutcomes(): Record<string, TestOutcome>;
  /** The status bar item's text, to check that it names what the report shows. */
  statusBarText(): string;
}

export interface TestItemSummary {
  id: string;
  label: string;
  file: string;
  /** 0-based line of the function's name. */
  line?: number;
  children: TestItemSummary[];
}

function summary(item: vscode.TestItem, tree: TestTree): TestItemSummary {
  return { id: item.id, label: item.label, file: item.uri!.fsPath, line: item.range?.start.line, children: tree.itemsOf(item.children).map((c) => summary(c, tree)) };
}

async function reveal(location: { file: string; line: number; column: number }): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(location.file));
  const pos = new vscode.Position(Math.max(location.line - 1, 0), Math.max(location.column - 1, 0));
  await vscode.window.showTextDocument(doc, { selection: new vscode.Range(pos, pos), viewColumn: vscode.ViewColumn.One });
}

/** Diagnostics and the report follow the results store (the lenses and the status bar subscribe themselves). */
function followResults(results: Results, diagnostics: DerivativeDiagnostics, panel: ReportPanel): void {
  results.onRecord(async (result, doc) => {
    if (result.report) {
      if (!result.stale) await diagnostics.showReport(doc, result.report);
    } else if (result.error) await diagnostics.showError(doc, result.error, result.functionName);
  });
  results.onDidChange((change) => {
    if (change.kind === 'edited') panel.markStale(change.uri.fsPath);
    if (change.kind === 'cleared') {
      diagnostics.clear();
      panel.close();
    }
  });
}

export function activate(context: vscode.ExtensionContext): DerivativeLensApi {
  try {
    const results = new Results();
    const diagnostics = new DerivativeDiagnostics(loadEngine);
    const statusBar = new VerdictStatusBar(results);
    const panel = new ReportPanel(context.extensionUri, (loc) => void reveal(loc));
    const log = new CheckLog();
    const runner = new CheckRunner(loadEngine, results, statusBar, panel, log);
    const tree = new TestTree(loadEngine);
    const testRuns = new TestRuns(tree, loadEngine, results);
    followResults(results, diagnostics, panel);
    context.subscriptions.push(results, diagnostics, statusBar, panel, log, testRuns, tree, panel.onDidClose(() => results.setShown(undefined)));
    const tests = { tree, runs: testRuns };
    context.subscriptions.push(...registerAll({ extensionUri: context.extensionUri, engine: loadEngine, results, diagnostics, statusBar, panel, runner, tests }));
    return {
      lastReport: () => runner.lastReport(),
      lastError: () => runner.lastError(),
      webviewState: () => panel.renderedSummary(),
      evaluationsStarted: () => runner.evaluationsStarted(),
      testItems: () => tree.itemsOf(tree.controller.items).map((i) => summary(i, tree)),
      testOutcomes: () => testRuns.lastOutcomes(),
      statusBarText: () => statusBar.text(),
    };
  } catch (e) {
    // VS Code only logs activation failures; say it where the user looks.
    void vscode.window.showErrorMessage(`Derivative Lens failed to start: ${e instanceof Error ? e.message : String(e)}`);
    throw e;
  }
}

export function deactivate(): void {
  // Everything is in context.subscriptions; running worker checks end with their abort signals.
}
