// Runs one check: trust gate, cancellable progress, the engine's worker run, then results, diagnostics, status bar and report.

import * as vscode from 'vscode';
import { overallPercent, progressText } from '../engine/report/progress';
import type { CheckProgress, EngineErrorInfo, Report } from '../engine/types';
import type { DerivativeDiagnostics } from './diagnostics';
import type { Engine } from './engine';
import { evaluationErrorMessage } from './format';
import type { ReportPanel } from './panel';
import type { Results } from './results';
import { requestSettings } from './settings';
import type { VerdictStatusBar } from './statusBar';
import { ensureTrusted } from './trust';

export interface CheckTarget {
  functionName?: string;
  /** 0-based offset of the cursor, when no name is given. */
  offset?: number;
}

function errorInfo(e: unknown): EngineErrorInfo {
  const info = (e as { info?: EngineErrorInfo } | undefined)?.info;
  if (info && typeof info.kind === 'string') return info;
  return { kind: 'internal', message: e instanceof Error ? e.message : String(e) };
}

export class CheckRunner {
  private running: AbortController | undefined;
  private started = 0;
  private report: Report | undefined;
  private error: EngineErrorInfo | undefined;

  constructor(
    private readonly engine: () => Promise<Engine>,
    private readonly results: Results,
    private readonly diagnostics: DerivativeDiagnostics,
    private readonly statusBar: VerdictStatusBar,
    private readonly panel: ReportPanel,
  ) {}

  evaluationsStarted(): number {
    return this.started;
  }

  lastReport(): Report | undefined {
    return this.report;
  }

  lastError(): EngineErrorInfo | undefined {
    return this.error;
  }

  /** Resolves to the report, or undefined when the check could not run (untrusted, cancelled, an engine error). */
  async run(doc: vscode.TextDocument, target: CheckTarget): Promise<Report | undefined> {
    if (!ensureTrusted()) return undefined;
    const text = doc.getText();
    let name = target.functionName;
    // A new check replaces one still running.
    this.running?.abort();
    const controller = new AbortController();
    this.running = controller;
    const version = doc.version;
    try {
      // The notification comes first, before the engine loads: the user sees at once that the command was heard.
      const report = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Derivative Lens', cancellable: true },
        async (progress, token) => {
          token.onCancellationRequested(() => controller.abort());
          let shown = 0;
          const report = (p: CheckProgress) => {
            const percent = overallPercent(p);
            progress.report({ message: `checking ${name ?? 'the function at the cursor'}: ${progressText(p)}`, increment: Math.max(0, percent - shown) });
            shown = Math.max(shown, percent);
          };
          report({ phase: 'starting', done: 0, total: 1 });
          const engine = await this.engine();
          if (name === undefined && target.offset !== undefined) {
            try {
              name = engine.functionAt(text, doc.fileName, target.offset)?.name;
            } catch {
              // The engine's run below explains what is at the cursor.
            }
          }
          if (controller.signal.aborted) throw Object.assign(new Error('the check was cancelled'), { info: { kind: 'cancelled', message: 'the check was cancelled' } });
          this.started++;
          return engine.runCheck(
            { file: doc.uri.fsPath, text, functionName: name, offset: name === undefined ? target.offset : undefined, ...requestSettings(doc.uri) },
            controller.signal,
            report,
          );
        },
      );
      const stale = doc.version !== version;
      this.report = report;
      this.error = undefined;
      this.results.record({ uri: doc.uri, functionName: report.function, report, stale });
      if (!stale) await this.diagnostics.showReport(doc, report);
      this.statusBar.showReport(report, stale);
      this.panel.show({ type: 'report', report, stale });
      return report;
    } catch (e) {
      const info = errorInfo(e);
      if (info.kind === 'cancelled' || controller.signal.aborted) {
        vscode.window.setStatusBarMessage('Derivative Lens: check cancelled', 3000);
        return undefined;
      }
      this.error = info;
      const fn = name ?? 'function at the cursor';
      if (name !== undefined) this.results.record({ uri: doc.uri, functionName: name, error: info, stale: false });
      this.statusBar.showError(fn, info);
      // "No function here" is about the cursor, not the code: a message is enough.
      if (info.kind !== 'not-found') {
        await this.diagnostics.showError(doc, info, name);
        this.panel.show({ type: 'error', function: fn, error: info });
      }
      void vscode.window.showErrorMessage(`Derivative Lens: ${evaluationErrorMessage(info)}`);
      return undefined;
    } finally {
      if (this.running === controller) this.running = undefined;
    }
  }
}
