// Runs one check: trust gate, progress, the engine's worker run, then the results store (lenses, status bar follow), diagnostics, log and report.

import * as vscode from 'vscode';
import { overallPercent, progressText } from '../engine/report/progress';
import type { CheckProgress, EngineErrorInfo, Report } from '../engine/types';
import type { Engine } from './engine';
import { evaluationErrorMessage } from './format';
import type { CheckLog } from './output';
import type { ReportPanel } from './panel';
import type { Results, RunResult } from './results';
import { reportPlacement, requestSettings } from './settings';
import type { VerdictStatusBar } from './status-bar';
import { ensureTrusted } from './trust';

export interface CheckTarget {
  functionName?: string;
  /** 0-based offset of the cursor, when no name is given. */
  offset?: number;
  /** A re-run on save: progress in the status bar, and the report is updated only when it shows this function. */
  onSave?: boolean;
}

function errorInfo(e: unknown): EngineErrorInfo {
  const info = (e as { info?: EngineErrorInfo } | undefined)?.info;
  if (info && typeof info.kind === 'string') return info;
  return { kind: 'internal', message: e instanceof Error ? e.message : String(e) };
}

/** The setting that bounds a limit the run hit, for the "Open setting" action. */
const limitSettings: Partial<Record<EngineErrorInfo['kind'], string>> = { timeout: 'derivativeLens.timeoutMs', 'out-of-memory': 'derivativeLens.memoryMb' };

/** How long VS Code's extension host holds back a progress message that follows another. */
const PROGRESS_THROTTLE_MS = 120;

export class CheckRunner {
  private running: AbortController | undefined;
  private started = 0;
  private report: Report | undefined;
  private error: EngineErrorInfo | undefined;

  constructor(
    private readonly engine: () => Promise<Engine>,
    private readonly results: Results,
    private readonly statusBar: VerdictStatusBar,
    private readonly panel: ReportPanel,
    private readonly log: CheckLog,
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

  /**
   * Shows a result in the report and makes it the status bar's. After a run the report opens where the setting says;
   * on save it is updated only when it shows this function; asked for (lens, status bar) it opens even when the
   * setting keeps reports from opening on their own, and takes the focus.
   */
  present(result: RunResult, why: 'run' | 'save' | 'asked'): void {
    if (why === 'save' && !this.panel.showing(result.report?.file ?? result.uri.fsPath, result.functionName)) return;
    const view = result.report
      ? { type: 'report' as const, report: result.report, stale: result.stale }
      : { type: 'error' as const, function: result.functionName, error: result.error! };
    const setting = reportPlacement(result.uri);
    const placement = why === 'save' ? 'never' : why === 'asked' && setting === 'never' ? 'beside' : setting;
    const shown = this.panel.show(view, placement, why !== 'asked');
    this.results.setShown(shown ? result : undefined);
  }

  private async evaluate(
    doc: vscode.TextDocument,
    engine: Engine,
    name: string | undefined,
    target: CheckTarget,
    signal: AbortSignal,
    onProgress?: (p: CheckProgress) => void,
  ): Promise<Report> {
    this.started++;
    return engine.runCheck(
      { file: doc.uri.fsPath, text: doc.getText(), functionName: name, offset: name === undefined ? target.offset : undefined, ...requestSettings(doc.uri) },
      signal,
      onProgress,
    );
  }

  /** The engine, and the name of the function the target means (the cursor's, when it names none). */
  private async resolve(doc: vscode.TextDocument, target: CheckTarget): Promise<{ engine: Engine; name: string | undefined }> {
    const engine = await this.engine();
    let name = target.functionName;
    if (name === undefined && target.offset !== undefined) {
      try {
        name = engine.functionAt(doc.getText(), doc.fileName, target.offset)?.name;
      } catch {
        // The engine's run below explains what is at the cursor.
      }
    }
    return { engine, name };
  }

  /** Resolves to the report, or undefined when the check could not run (untrusted, cancelled, an engine error). */
  async run(doc: vscode.TextDocument, target: CheckTarget): Promise<Report | undefined> {
    if (!ensureTrusted()) return undefined;
    let name = target.functionName;
    // A new check replaces one still running.
    this.running?.abort();
    const controller = new AbortController();
    this.running = controller;
    const version = doc.version;
    const finish = async (report: Report): Promise<Report> => {
      const stale = doc.version !== version;
      this.report = report;
      this.error = undefined;
      const result: RunResult = { uri: doc.uri, functionName: report.function, report, stale };
      await this.results.record(result, doc);
      this.log.report(report);
      this.present(result, target.onSave ? 'save' : 'run');
      return report;
    };
    try {
      if (target.onSave) {
        this.statusBar.setBusy(name);
        try {
          const resolved = await this.resolve(doc, target);
          name = resolved.name;
          return await finish(await this.evaluate(doc, resolved.engine, name, target, controller.signal));
        } finally {
          this.statusBar.setBusy(undefined);
        }
      }
      // The notification comes first, before the engine loads and before the panel (whose webview takes the renderer a
      // while to set up): the user sees at once that the command was heard.
      return await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Derivative Lens', cancellable: true },
        async (progress, token) => {
          token.onCancellationRequested(() => controller.abort());
          let shown = 0;
          const onProgress = (p: CheckProgress) => {
            const percent = overallPercent(p);
            progress.report({ message: `checking ${name ?? 'the function at the cursor'}: ${progressText(p)}`, increment: Math.max(0, percent - shown) });
            shown = Math.max(shown, percent);
          };
          onProgress({ phase: 'starting', done: 0, total: 1 });
          this.panel.prepare(name, reportPlacement(doc.uri));
          const resolved = await this.resolve(doc, target);
          name = resolved.name;
          this.panel.name(name);
          if (controller.signal.aborted) throw Object.assign(new Error('the check was cancelled'), { info: { kind: 'cancelled', message: 'the check was cancelled' } });
          const report = await finish(await this.evaluate(doc, resolved.engine, name, target, controller.signal, onProgress));
          // VS Code keeps a progress notification up a while after its task ends, showing its last message, and drops
          // a message sent within ~100 ms of the previous one if the task ends first: so the report is shown first, and
          // the notification ends on "checked", never on a phase in progress.
          progress.report({ message: `checked ${report.function}`, increment: 100 - shown });
          await new Promise((resolve) => setTimeout(resolve, PROGRESS_THROTTLE_MS));
          return report;
        },
      );
    } catch (e) {
      const info = errorInfo(e);
      if (info.kind === 'cancelled' || controller.signal.aborted) {
        // A check replaced by a newer one leaves the panel to that one.
        if (this.running === controller) this.panel.abandon();
        vscode.window.setStatusBarMessage('Derivative Lens: check cancelled', 3000);
        return undefined;
      }
      this.error = info;
      this.log.error(name ?? 'the function at the cursor', doc.uri.fsPath, info);
      if (name === undefined) {
        this.panel.abandon();
        // Nothing to check at the cursor: there is no function to attach a result to, so say it here.
        void vscode.window.showInformationMessage(`Derivative Lens: ${evaluationErrorMessage(info)}`);
        return undefined;
      }
      const result: RunResult = { uri: doc.uri, functionName: name, error: info, stale: false };
      await this.results.record(result, doc);
      this.present(result, target.onSave ? 'save' : 'run');
      // Only a limit needs the user to act elsewhere; every other error is in the report, the lens and the status bar.
      const setting = limitSettings[info.kind];
      if (setting && !target.onSave) {
        void vscode.window.showWarningMessage(`Derivative Lens: ${evaluationErrorMessage(info)}`, 'Open setting').then((pick) => {
          if (pick) void vscode.commands.executeCommand('workbench.action.openSettings', setting);
        });
      }
      return undefined;
    } finally {
      if (this.running === controller) this.running = undefined;
    }
  }
}
