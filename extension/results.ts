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

export class Results implements vscode.Disposable {
  private readonly byDocument = new Map<string, Map<string, RunResult>>();
  private latest: RunResult | undefined;
  /** The result the report panel shows (the status bar names the same one). */
  private shownKey: string | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when any result is added, shown, made stale or cleared. */
  readonly onDidChange = this.changed.event;

  record(result: RunResult): void {
    const key = result.uri.toString();
    let fns = this.byDocument.get(key);
    if (!fns) this.byDocument.set(key, (fns = new Map()));
    fns.set(result.functionName, result);
    this.latest = result;
    this.changed.fire();
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
    this.changed.fire();
  }

  /** The result the report shows, else the most recent run. */
  current(): RunResult | undefined {
    if (this.shownKey) {
      for (const fns of this.byDocument.values()) for (const r of fns.values()) if (keyOf(r.uri, r.functionName) === this.shownKey) return r;
    }
    return this.latest;
  }

  /** Marks the document's results stale; true when it had any that were fresh. */
  markStale(uri: vscode.Uri): boolean {
    const fresh = this.forDocument(uri).filter((r) => !r.stale);
    for (const r of fresh) r.stale = true;
    if (fresh.length) this.changed.fire();
    return fresh.length > 0;
  }

  clear(): void {
    this.byDocument.clear();
    this.latest = undefined;
    this.shownKey = undefined;
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
  }
}
