// The status bar item with the last verdict; clicking it opens the report.

import * as vscode from 'vscode';
import type { EngineErrorInfo, Report } from '../engine/types';
import { CommandId } from './commandIds';
import { statusBarText } from './format';

export class VerdictStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('derivativeLens.verdict', vscode.StatusBarAlignment.Left, 50);

  constructor() {
    this.item.name = 'Derivative Lens';
    this.item.command = CommandId.showReport;
  }

  showReport(report: Report, stale: boolean): void {
    this.item.text = statusBarText(report) + (stale ? ' (stale)' : '');
    this.item.tooltip = `Derivative Lens: ${report.checks.map((c) => c.summary).join('\n') || 'no checks ran'}\nClick to open the report.`;
    this.item.backgroundColor = report.verdict === 'fail' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.item.show();
  }

  showError(functionName: string, error: EngineErrorInfo): void {
    this.item.text = `$(error) ${functionName}: could not evaluate`;
    this.item.tooltip = error.message;
    this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
    this.item.show();
  }

  hide(): void {
    this.item.hide();
  }

  dispose(): void {
    this.item.dispose();
  }
}
