// The one store of what the last runs found, per document and function: lenses, diagnostics, the status bar and the report follow it.

import * as vscode from 'vscode';
import type { EngineErrorInfo, Report } from '../engine/types';

export interface RunResult {
  uri: vscode.Uri;
  functionName: string;
  report?: Report;
  error?: EngineErrorInfo;
  stale: boolean;
}

function keyOf(uri: vscode.Uri, functionName: string): string {
  return `${uri.toString()}#${functionName}`;
}

/** What changed: a result recorded, the shown one, a document edited (its results and what touched it go stale), everything cleared. */
export type ResultsChange = { kind: 'recorded'; result: RunResult } | { kind: 'shown' } | { kind: 'edited'; uri: vscode.Uri } | { kind: 'cleared' };

/** Work a recorded result needs before it counts as shown (its diagnostics placed in the document it was checked in). */
export type RecordListener = (result: RunResult, doc: vscode.TextDocument) => Promise<void>;

export class Results implements vscode.Disposable {
  private readonly byDocument = new Map<string, Map<string, RunResult>>();
  private latest: RunResult | undefined;
  /** The result the report panel shows (the status bar names the same one). */
  private shownKey: string | undefined;
  private readonly changed = new vscode.EventEmitter<ResultsChange>();
  private readonly recordListeners: RecordListener[] = [];
  /** Fires when any result is added, shown, made stale or cleared. */
  readonly onDidChange = this.changed.event;

  /** `listener` runs for each recorded result, and `record` waits for it. */
  onRecord(listener: RecordListener): void {
    this.recordListeners.push(listener);
  }

  async record(result: RunResult, doc: vscode.TextDocument): Promise<void> {
    const key = result.uri.toString();
    let fns = this.byDocument.get(key);
    if (!fns) this.byDocument.set(key, (fns = new Map()));
    fns.set(result.functionName, result);
    this.latest = result;
    await Promise.all(this.recordListeners.map((listen) => listen(result, doc)));
    this.changed.fire({ kind: 'recorded', result });
  }

  get(uri: vscode.Uri, functionName: string): RunResult | undefined {
    return this.byDocument.get(uri.toString())?.get(functionName);
  }

  forDocument(uri: vscode.Uri): RunResult[] {
    return [...(this.byDocument.get(uri.toString())?.values() ?? [])];
  }

  /** The most recent run, whatever its outcome. */
  last(): RunResult | undefined {
    return this.latest;
  }

  /** Remembers which result the report shows; undefined when the report is closed. */
  setShown(result: RunResult | undefined): void {
    const key = result && keyOf(result.uri, result.functionName);
    if (key === this.shownKey) return;
    this.shownKey = key;
    this.changed.fire({ kind: 'shown' });
  }

  /** The result the report shows, else the most recent run. */
  current(): RunResult | undefined {
    if (this.shownKey) {
      for (const fns of this.byDocument.values()) for (const r of fns.values()) if (keyOf(r.uri, r.functionName) === this.shownKey) return r;
    }
    return this.latest;
  }

  /**
   * The one place results go stale: `uri` was edited, so its results are stale, and so are those of the documents
   * `touched(uri)` names (runs whose findings sat in it, as the diagnostics know them).
   */
  edited(uri: vscode.Uri, touched: (uri: vscode.Uri) => vscode.Uri[]): void {
    let newlyStale = false;
    for (const doc of [uri, ...touched(uri)]) {
      for (const r of this.forDocument(doc)) {
        newlyStale ||= !r.stale;
        r.stale = true;
      }
    }
    // Only the first edit after a run changes anything: later keystrokes must not refresh every subscriber again.
    if (newlyStale) this.changed.fire({ kind: 'edited', uri });
  }

  clear(): void {
    this.byDocument.clear();
    this.latest = undefined;
    this.shownKey = undefined;
    this.changed.fire({ kind: 'cleared' });
  }

  dispose(): void {
    this.changed.dispose();
  }
}
