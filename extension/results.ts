// What the last runs found, per document and function, and whether edits since have made it stale.

import * as vscode from 'vscode';
import type { EngineErrorInfo, Report } from '../engine/types';

export interface RunResult {
  uri: vscode.Uri;
  functionName: string;
  report?: Report;
  error?: EngineErrorInfo;
  stale: boolean;
}

export class Results implements vscode.Disposable {
  private readonly byDocument = new Map<string, Map<string, RunResult>>();
  private latest: RunResult | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when any result is added, made stale or cleared (lenses and the status bar listen). */
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
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
  }
}
