// The status bar item: the verdict of the result the report shows (else the last run), and check-on-save progress; clicking opens the report.

import * as vscode from 'vscode';
import { CommandId } from './command-ids';
import { evaluationErrorMessage, isSetupError, statusBarText } from './format';
import type { Results } from './results';

export class VerdictStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('derivativeLens.verdict', vscode.StatusBarAlignment.Left, 50);
  private readonly subscription: vscode.Disposable;
  private busy: string | undefined;

  constructor(private readonly results: Results) {
    this.item.name = 'Derivative Lens';
    this.item.command = CommandId.showReport;
    this.subscription = results.onDidChange(() => this.render());
  }

  /** While set, the item says what is being checked (check on save runs without a notification). */
  setBusy(functionName: string | undefined): void {
    this.busy = functionName;
    this.render();
  }

  text(): string {
    return this.item.text;
  }

  private render(): void {
    if (this.busy) {
      this.item.text = `$(sync~spin) checking ${this.busy}…`;
      this.item.tooltip = 'Derivative Lens: checking on save';
      this.item.backgroundColor = undefined;
      this.item.show();
      return;
    }
    const r = this.results.current();
    if (!r) {
      this.item.text = '';
      this.item.hide();
      return;
    }
    if (r.report) {
      this.item.text = statusBarText(r.report) + (r.stale ? ' (stale)' : '');
      this.item.tooltip = `Derivative Lens: ${r.report.checks.map((c) => c.summary).join('\n') || 'no checks ran'}\nClick to open the report.`;
      this.item.backgroundColor = r.report.verdict === 'fail' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    } else if (r.error) {
      // Setup and syntax problems are not failures of the code's derivatives: a warning, not red.
      const setup = isSetupError(r.error) || r.error.kind === 'syntax';
      const words = r.error.kind === 'syntax' ? 'fix the syntax error first' : setup ? 'needs setup' : 'could not evaluate';
      this.item.text = `${setup ? '$(warning)' : '$(error)'} ${r.functionName}: ${words}`;
      this.item.tooltip = `${evaluationErrorMessage(r.error)}\nClick to open the report.`;
      this.item.backgroundColor = new vscode.ThemeColor(setup ? 'statusBarItem.warningBackground' : 'statusBarItem.errorBackground');
    }
    this.item.show();
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}
