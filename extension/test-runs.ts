// Runs Test Explorer items through the engine and shows the outcome there, in the lenses and diagnostics (one results store for all).

import * as vscode from 'vscode';
import type { Check, EngineErrorInfo, SourceLocation } from '../engine/types';
import { entryText } from '../engine/report/suite';
import { CommandId } from './command-ids';
import type { Engine } from './engine';
import { diagnosticsFor, evaluationErrorMessage } from './format';
import type { Results, RunResult } from './results';
import { requestSettings } from './settings';
import { itemTarget, type TestTree } from './test-explorer';
import { expectedActual } from './test-text';
import { untrustedMessage } from './trust';

/** What the Test Explorer last showed for an item (the extension's test API reads it). */
export interface TestOutcome {
  state: 'passed' | 'failed' | 'errored' | 'skipped' | 'stale';
  durationMs?: number;
  messages: { text: string; expected?: string; actual?: string; location?: { file: string; line: number } }[];
}

function errorInfo(e: unknown): EngineErrorInfo {
  const info = (e as { info?: EngineErrorInfo } | undefined)?.info;
  if (info && typeof info.kind === 'string') return info;
  return { kind: 'internal', message: e instanceof Error ? e.message : String(e) };
}

function reportLink(uri: vscode.Uri, name: string): string {
  const args = encodeURIComponent(JSON.stringify([uri.toString(), name]));
  return `[Open the report](command:${CommandId.showReport}?${args})`;
}

function markdown(text: string, uri: vscode.Uri, name: string): vscode.MarkdownString {
  const md = new vscode.MarkdownString(`${text}\n\n${reportLink(uri, name)}`);
  md.isTrusted = { enabledCommands: [CommandId.showReport] };
  return md;
}

function locationOf(loc: SourceLocation | { file: string; line?: number; column?: number }): vscode.Location {
  return new vscode.Location(vscode.Uri.file(loc.file), new vscode.Position(Math.max((loc.line ?? 1) - 1, 0), Math.max((loc.column ?? 1) - 1, 0)));
}

export class TestRuns implements vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[] = [];
  /** The result each item last showed, so a result of the lens (or of check-on-save) is shown once, and ours not twice. */
  private readonly shown = new Map<string, { result: RunResult; stale: boolean }>();
  private readonly outcomes = new Map<string, TestOutcome>();
  readonly profile: vscode.TestRunProfile;

  constructor(
    private readonly tree: TestTree,
    private readonly engine: () => Promise<Engine>,
    private readonly results: Results,
  ) {
    this.profile = tree.controller.createRunProfile('Check derivatives', vscode.TestRunProfileKind.Run, (req, token) => this.run(req, token), true, undefined, true);
    this.subscriptions.push(results.onDidChange(() => this.syncFromResults()), tree.onDidChange(() => this.syncFromResults()));
  }

  /** What the Test Explorer shows for each function item, by item id. */
  lastOutcomes(): Record<string, TestOutcome> {
    return Object.fromEntries(this.outcomes);
  }

  private async run(request: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> {
    if (request.continuous) return this.watch(request, token);
    await this.tree.discover();
    await this.runItems(request, this.selected(request), token);
  }

  private selected(request: vscode.TestRunRequest): vscode.TestItem[] {
    const excluded = new Set((request.exclude ?? []).map((i) => i.id));
    return this.tree.functionItems(request.include).filter((i) => !excluded.has(i.id) && !excluded.has(i.parent?.id ?? ''));
  }

  /** Continuous run: a save re-checks the requested functions of the saved file until the user stops watching. */
  private watch(request: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> {
    return new Promise((resolve) => {
      const onSave = vscode.workspace.onDidSaveTextDocument(async (doc) => {
        const items = this.selected(request).filter((i) => i.uri?.toString() === doc.uri.toString());
        if (items.length) await this.runItems(new vscode.TestRunRequest(items, undefined, request.profile, true), items, token);
      });
      token.onCancellationRequested(() => {
        onSave.dispose();
        resolve();
      });
    });
  }

  private async runItems(request: vscode.TestRunRequest, items: vscode.TestItem[], token: vscode.CancellationToken): Promise<void> {
    const run = this.tree.controller.createTestRun(request, 'Derivative Lens');
    items.forEach((i) => run.enqueued(i));
    try {
      for (const item of items) {
        if (token.isCancellationRequested) {
          run.skipped(item);
          continue;
        }
        if (!vscode.workspace.isTrusted) {
          this.publish(run, item, { state: 'errored', messages: [{ text: untrustedMessage }] }, [new vscode.TestMessage(untrustedMessage)]);
          continue;
        }
        run.started(item);
        await this.runOne(run, item, token);
      }
    } finally {
      run.end();
    }
  }

  private async runOne(run: vscode.TestRun, item: vscode.TestItem, token: vscode.CancellationToken): Promise<void> {
    const { uri, name } = itemTarget(item);
    const engine = await this.engine();
    const doc = await vscode.workspace.openTextDocument(uri);
    const controller = new AbortController();
    const cancel = token.onCancellationRequested(() => controller.abort());
    const t0 = Date.now();
    let result: RunResult;
    try {
      const report = await engine.runCheck({ file: uri.fsPath, text: doc.getText(), functionName: name, ...requestSettings(uri) }, controller.signal);
      result = { uri, functionName: name!, report, stale: false };
    } catch (e) {
      const error = errorInfo(e);
      if (error.kind === 'cancelled') return run.skipped(item);
      result = { uri, functionName: name!, error, stale: false };
    } finally {
      cancel.dispose();
    }
    // Ours is shown here; the store's change event must not show it a second time.
    this.shown.set(item.id, { result, stale: false });
    await this.results.record(result, doc);
    const elapsed = Date.now() - t0;
    // The Test Results terminal gets what `check --all` prints for the function.
    const status = result.report?.verdict ?? 'error';
    const line = (item.range?.start.line ?? 0) + 1;
    const folder = vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath;
    const text = entryText({ function: name!, file: uri.fsPath, line, status, ms: elapsed, report: result.report, error: result.error }, false, folder);
    run.appendOutput(text.replace(/\n/g, '\r\n') + '\r\n', undefined, item);
    this.show(run, item, result, elapsed);
  }

  private show(run: vscode.TestRun, item: vscode.TestItem, result: RunResult, elapsedMs: number): void {
    const name = result.functionName;
    if (result.error) {
      const text = evaluationErrorMessage(result.error);
      const message = new vscode.TestMessage(markdown(text, result.uri, name));
      message.location = result.error.file ? locationOf({ ...result.error, file: result.error.file }) : new vscode.Location(result.uri, item.range!);
      const where = message.location.uri.fsPath;
      this.publish(run, item, { state: 'errored', durationMs: elapsedMs, messages: [{ text, location: { file: where, line: message.location.range.start.line + 1 } }] }, [message], elapsedMs);
      return;
    }
    const report = result.report!;
    const duration = report.timingsMs.total;
    const failed = report.checks.filter((c) => c.status === 'fail');
    if (failed.length === 0) return this.publish(run, item, { state: 'passed', durationMs: duration, messages: [] }, [], duration);
    const specs = diagnosticsFor(report);
    const outcome: TestOutcome = { state: 'failed', durationMs: duration, messages: [] };
    const messages = failed.map((check) => {
      const text = specs.find((s) => s.code === check.id)?.message ?? check.summary;
      const { expected, actual } = expectedActual(check, report.wrt);
      const message = vscode.TestMessage.diff(markdown(text, result.uri, name), expected, actual);
      message.location = this.checkLocation(check, item);
      outcome.messages.push({ text, expected, actual, location: { file: message.location.uri.fsPath, line: message.location.range.start.line + 1 } });
      return message;
    });
    this.publish(run, item, outcome, messages, duration);
  }

  /** A wrong hand-written derivative is shown at that function's name (where the fix goes); anything else at the checked one. */
  private checkLocation(check: Check, item: vscode.TestItem): vscode.Location {
    return check.location ? locationOf(check.location) : new vscode.Location(item.uri!, item.range!);
  }

  private publish(run: vscode.TestRun, item: vscode.TestItem, outcome: TestOutcome, messages: vscode.TestMessage[], durationMs?: number): void {
    this.outcomes.set(item.id, outcome);
    if (outcome.state === 'passed') run.passed(item, durationMs);
    else if (outcome.state === 'failed') run.failed(item, messages, durationMs);
    else run.errored(item, messages, durationMs);
  }

  /** Results recorded elsewhere (a lens, a command, check on save) appear here too; stale ones are marked outdated. */
  private syncFromResults(): void {
    for (const item of this.tree.functionItems()) {
      const { uri, name } = itemTarget(item);
      const result = this.results.get(uri, name!);
      const seen = this.shown.get(item.id);
      if (!result) {
        // Cleared ("Clear Results"): what the tree showed no longer stands.
        if (seen) {
          this.shown.delete(item.id);
          this.outcomes.delete(item.id);
          this.tree.controller.invalidateTestResults(item);
        }
        continue;
      }
      if (seen?.result === result && seen.stale === result.stale) continue;
      this.shown.set(item.id, { result, stale: result.stale });
      if (result.stale) {
        this.tree.controller.invalidateTestResults(item);
        this.outcomes.set(item.id, { ...(this.outcomes.get(item.id) ?? { messages: [] }), state: 'stale' });
        continue;
      }
      if (seen?.result === result) continue;
      const run = this.tree.controller.createTestRun(new vscode.TestRunRequest([item]), 'Derivative Lens', false);
      this.show(run, item, result, result.report?.timingsMs.total ?? 0);
      run.end();
    }
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.dispose());
    this.profile.dispose();
  }
}
