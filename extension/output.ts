// The "Derivative Lens" Output channel: one entry per check (verdict, each check's summary) and the console lines the evaluation printed.

import * as vscode from 'vscode';
import type { EngineErrorInfo, Report } from '../engine/types';
import { checkBadge, evaluationErrorMessage, formatMs } from './format';

/** The captured console of one evaluation, when the engine sends it. */
type WithConsole = Report & { console?: string[] };

export class CheckLog implements vscode.Disposable {
  readonly channel = vscode.window.createOutputChannel('Derivative Lens');

  private head(functionName: string, file: string): string {
    return `[${new Date().toLocaleTimeString()}] ${functionName} — ${vscode.workspace.asRelativePath(file)}`;
  }

  report(report: WithConsole): void {
    this.channel.appendLine(`${this.head(report.function, report.file)}: ${report.verdict.toUpperCase()} in ${formatMs(report.timingsMs.total)}`);
    for (const c of report.checks) this.channel.appendLine(`  ${checkBadge(c)} — ${c.summary}`);
    if (report.console?.length) {
      this.channel.appendLine(`  console (${report.console.length} ${report.console.length === 1 ? 'line' : 'lines'}):`);
      for (const line of report.console) this.channel.appendLine(`    ${line}`);
    }
  }

  error(functionName: string, file: string, error: EngineErrorInfo): void {
    const where = error.file && error.line ? ` (${vscode.workspace.asRelativePath(error.file)}:${error.line})` : '';
    this.channel.appendLine(`${this.head(functionName, file)}: could not evaluate${where}: ${evaluationErrorMessage(error)}`);
    for (const frame of error.stack ?? []) this.channel.appendLine(`    at ${frame}`);
  }

  dispose(): void {
    this.channel.dispose();
  }
}
