// What the extension-host suites share: the extension's test API, fixture documents, polling, settings and closed forms.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { EngineErrorInfo, Nested, Report } from '../../engine/types';
import type { RenderedSummary } from '../../extension/protocol';
import type { TestItemSummary } from '../../extension/extension';
import type { TestOutcome } from '../../extension/test-runs';

export type { TestItemSummary };

export const extensionId = 'derivative-lens.derivative-lens';
export const diagnosticSource = 'Derivative Lens';

/** What activate() returns (the extension's contract with its tests). */
export interface DerivativeLensApi {
  lastReport(): Report | undefined;
  lastError(): EngineErrorInfo | undefined;
  webviewState(): RenderedSummary | undefined;
  evaluationsStarted(): number;
  testItems(): TestItemSummary[];
  testOutcomes(): Record<string, TestOutcome>;
  statusBarText(): string;
}

export async function activateApi(): Promise<DerivativeLensApi> {
  const ext = vscode.extensions.getExtension<DerivativeLensApi>(extensionId);
  assert.ok(ext, `extension ${extensionId} is not loaded`);
  const api = await ext.activate();
  assert.ok(api && typeof api.lastReport === 'function', 'activate() did not return the test API');
  return api;
}

export function workspaceUri(file: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the suites need the fixture workspace open');
  return vscode.Uri.joinPath(folder.uri, file);
}

export async function openFixture(file: string): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(workspaceUri(file));
  return vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
}

/** A scratch copy of a fixture, so edits and saves never touch the files other tests read. */
export async function scratchCopy(fixture: string, name: string): Promise<vscode.Uri> {
  const target = workspaceUri(name);
  await vscode.workspace.fs.writeFile(target, await vscode.workspace.fs.readFile(workspaceUri(fixture)));
  return target;
}

export async function removeScratch(uri: vscode.Uri): Promise<void> {
  for (const editor of vscode.window.visibleTextEditors) {
    if (editor.document.uri.toString() === uri.toString() && editor.document.isDirty) {
      await vscode.window.showTextDocument(editor.document);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
  }
  await vscode.workspace.fs.delete(uri, { useTrash: false });
}

/** Polls `probe` until it returns something truthy; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function ourDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === diagnosticSource);
}

export function diagnosticCode(d: vscode.Diagnostic): string | undefined {
  const c = d.code;
  return typeof c === 'object' && c !== null ? String(c.value) : c === undefined ? undefined : String(c);
}

/** The range of the first `name` that follows `after` (e.g. 'function ', 'const ') in the document. */
export function nameRange(doc: vscode.TextDocument, after: string, name: string): vscode.Range {
  const at = doc.getText().indexOf(`${after}${name}`);
  assert.ok(at >= 0, `${after}${name} not found in ${doc.uri.path}`);
  const start = doc.positionAt(at + after.length);
  return new vscode.Range(start, start.translate(0, name.length));
}

/** 0-based line of the first line containing `text`. */
export function lineOf(doc: vscode.TextDocument, text: string): number {
  const at = doc.getText().indexOf(text);
  assert.ok(at >= 0, `${JSON.stringify(text)} not found in ${doc.uri.path}`);
  return doc.positionAt(at).line;
}

export async function check(uri: vscode.Uri, functionName: string): Promise<Report | undefined> {
  return vscode.commands.executeCommand<Report | undefined>('derivativeLens.checkAtCursor', uri, functionName);
}

/** Sets derivativeLens.<key> in user settings for the duration of `body`, then removes it. */
export async function withSetting<T>(key: string, value: unknown, body: () => Promise<T>): Promise<T> {
  const config = () => vscode.workspace.getConfiguration('derivativeLens');
  await config().update(key, value, vscode.ConfigurationTarget.Global);
  await waitFor(`derivativeLens.${key} = ${JSON.stringify(value)}`, () => JSON.stringify(config().get(key)) === JSON.stringify(value));
  try {
    return await body();
  } finally {
    await config().update(key, undefined, vscode.ConfigurationTarget.Global);
  }
}

export async function codeLenses(uri: vscode.Uri): Promise<vscode.CodeLens[]> {
  return (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100)) ?? [];
}

/** Our lenses (those whose command is one of the extension's), by 0-based line. */
export async function lensTitlesByLine(uri: vscode.Uri): Promise<Map<number, string>> {
  const lenses = (await codeLenses(uri)).filter((l) => l.command?.command.startsWith('derivativeLens.'));
  return new Map(lenses.map((l) => [l.range.start.line, l.command!.title]));
}

/** Row-major leaves of a nested array. */
export function flat(x: Nested): number[] {
  return Array.isArray(x) ? x.flatMap(flat) : [x];
}

export function assertClose(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: expected ${expected}, got ${actual} (tolerance ${tol})`);
}

/** The founding loss's closed forms (README "Why"): a_i = Σ_k w_k T_ik / c_k, g = a_i P_ij − w_j T_ij / c_j, h = a_i P_ij (1 − P_ij). */
export function foundingClosedForm(Y: number[][], T: number[][], w: number[]): { value: number; gradient: number[][]; diagonal: number[][] } {
  const K = Y[0].length;
  const counts = Array.from({ length: K }, (_, k) => T.reduce((s, row) => s + row[k], 0));
  let value = 0;
  const gradient: number[][] = [];
  const diagonal: number[][] = [];
  Y.forEach((row, i) => {
    const m = Math.max(...row);
    const e = row.map((y) => Math.exp(y - m));
    const z = e.reduce((s, v) => s + v, 0);
    const P = e.map((v) => v / z);
    const a = T[i].reduce((s, t, k) => s + (w[k] * t) / counts[k], 0);
    T[i].forEach((t, k) => {
      if (t !== 0) value -= ((w[k] * t) / counts[k]) * Math.log(P[k]);
    });
    gradient.push(P.map((p, j) => a * p - (w[j] * T[i][j]) / counts[j]));
    diagonal.push(P.map((p) => a * p * (1 - p)));
  });
  return { value, gradient, diagonal };
}

/** The founding case's point: 7×5 one-hot with hot columns 0, 1, 3, 2, 4, 4, 4, and unit weights. */
export const foundingLabels = [0, 1, 3, 2, 4, 4, 4].map((h) => [0, 1, 2, 3, 4].map((k) => (k === h ? 1 : 0)));
export const foundingWeights = [1, 1, 1, 1, 1];

export async function closeAllEditors(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}
