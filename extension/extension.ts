// Activation: builds the shared services, registers everything, returns the test API; a failure is shown, not swallowed.

import * as vscode from 'vscode';
import type { EngineErrorInfo, Report } from '../engine/types';
import { DerivativeDiagnostics } from './diagnostics';
import { loadEngine } from './engine';
import { ReportPanel } from './panel';
import type { RenderedSummary } from './protocol';
import { registerAll } from './registerAll';
import { Results } from './results';
import { CheckRunner } from './runner';
import { VerdictStatusBar } from './statusBar';

export interface DerivativeLensApi {
  lastReport(): Report | undefined;
  lastError(): EngineErrorInfo | undefined;
  /** What the webview reports it rendered (it posts this after each render). */
  webviewState(): RenderedSummary | undefined;
  evaluationsStarted(): number;
}

async function reveal(location: { file: string; line: number; column: number }): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(location.file));
  const pos = new vscode.Position(Math.max(location.line - 1, 0), Math.max(location.column - 1, 0));
  await vscode.window.showTextDocument(doc, { selection: new vscode.Range(pos, pos), viewColumn: vscode.ViewColumn.One });
}

export function activate(context: vscode.ExtensionContext): DerivativeLensApi {
  try {
    const results = new Results();
    const diagnostics = new DerivativeDiagnostics(loadEngine);
    const statusBar = new VerdictStatusBar();
    const panel = new ReportPanel(context.extensionUri, (loc) => void reveal(loc));
    const runner = new CheckRunner(loadEngine, results, diagnostics, statusBar, panel);
    context.subscriptions.push(results, diagnostics, statusBar, panel);
    context.subscriptions.push(...registerAll({ extensionUri: context.extensionUri, engine: loadEngine, results, diagnostics, statusBar, panel, runner }));
    return {
      lastReport: () => runner.lastReport(),
      lastError: () => runner.lastError(),
      webviewState: () => panel.renderedSummary(),
      evaluationsStarted: () => runner.evaluationsStarted(),
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
