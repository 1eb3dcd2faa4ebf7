// The "Derivative Lens" Test Explorer tree: every @dlens-tagged function of the workspace (file → function), kept current on edits and file changes.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { tagPrefix } from '../engine/directive-tags';
import type { AnnotatedFunction } from '../engine/host-api';
import type { Engine } from './engine';

export const controllerId = 'derivativeLens';
const functionSeparator = '#';

/** The id of a function's item: the file's URI and the name, so the lens's results map onto it. */
export function functionItemId(uri: vscode.Uri, name: string): string {
  return `${uri.toString()}${functionSeparator}${name}`;
}

/** The file's URI and the function name an item stands for (a file item has no name). */
export function itemTarget(item: vscode.TestItem): { uri: vscode.Uri; name?: string } {
  const at = item.id.lastIndexOf(functionSeparator);
  return at < 0 || item.parent === undefined ? { uri: item.uri! } : { uri: item.uri!, name: item.id.slice(at + 1) };
}

function nameRange(f: AnnotatedFunction): vscode.Range {
  const start = new vscode.Position(f.line - 1, f.column - 1);
  return new vscode.Range(start, start.translate(0, f.nameEnd - f.nameStart));
}

export class TestTree implements vscode.Disposable {
  readonly controller = vscode.tests.createTestController(controllerId, 'Derivative Lens');
  private readonly pending = new Map<string, ReturnType<typeof setTimeout>>();
  private discovered: Promise<void> | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires after the tree changed (tests wait on it; the run side re-reads items). */
  readonly onDidChange = this.changed.event;

  constructor(private readonly engine: () => Promise<Engine>) {
    // The workspace is searched when the Test Explorer first asks (opening the view, or a run); open documents at once.
    this.controller.resolveHandler = async (item) => {
      if (!item) await this.discover();
    };
    this.controller.refreshHandler = () => this.rediscover();
  }

  /** What keeps the tree current: file changes on disk, edits of open documents, workspace folders (registerAll registers them). */
  listeners(): vscode.Disposable[] {
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.ts');
    for (const doc of vscode.workspace.textDocuments) void this.refreshDocument(doc);
    return [
      watcher,
      watcher.onDidCreate((uri) => this.refreshFromDisk(uri)),
      watcher.onDidChange((uri) => this.refreshFromDisk(uri)),
      watcher.onDidDelete((uri) => this.remove(uri)),
      vscode.workspace.onDidOpenTextDocument((doc) => this.refreshDocument(doc)),
      vscode.workspace.onDidChangeTextDocument((e) => e.contentChanges.length > 0 && this.refreshSoon(e.document)),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.rediscover()),
    ];
  }

  private rediscover(): Promise<void> {
    this.discovered = undefined;
    this.controller.items.replace([]);
    return this.discover();
  }

  /** Finds the tagged functions of every workspace folder once (what `check --all FOLDER` would check). */
  discover(): Promise<void> {
    this.discovered ??= (async () => {
      const engine = await this.engine();
      const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
      const files = folders.flatMap((f) => engine.collectFiles([f.uri.fsPath]));
      await Promise.all(files.map((file) => this.refreshFromDisk(vscode.Uri.file(file))));
    })();
    return this.discovered;
  }

  /** Every function item, in file and source order. */
  functionItems(within?: readonly vscode.TestItem[]): vscode.TestItem[] {
    const roots = within ?? [...this.itemsOf(this.controller.items)];
    return roots.flatMap((item) => (item.parent ? [item] : this.itemsOf(item.children)));
  }

  itemsOf(collection: vscode.TestItemCollection): vscode.TestItem[] {
    const out: vscode.TestItem[] = [];
    collection.forEach((item) => out.push(item));
    return out.sort((a, b) => (a.range && b.range ? a.range.start.line - b.range.start.line : a.id.localeCompare(b.id)));
  }

  function(uri: vscode.Uri, name: string): vscode.TestItem | undefined {
    return this.controller.items.get(uri.toString())?.children.get(functionItemId(uri, name));
  }

  private openDocument(uri: vscode.Uri): vscode.TextDocument | undefined {
    return vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  }

  private inScope(uri: vscode.Uri, engine: Engine): boolean {
    if (uri.scheme !== 'file') return false;
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    return folder !== undefined && engine.isCollected(uri.fsPath, folder.uri.fsPath);
  }

  private async refreshFromDisk(uri: vscode.Uri): Promise<void> {
    // An open document's text (unsaved edits included) is what the user sees: it wins over the disk.
    const doc = this.openDocument(uri);
    if (doc) return this.refreshDocument(doc);
    const engine = await this.engine();
    if (!this.inScope(uri, engine)) return;
    let text: string;
    try {
      text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    } catch {
      return this.remove(uri);
    }
    this.update(uri, engine.annotatedFunctions(text, uri.fsPath));
  }

  private refreshSoon(doc: vscode.TextDocument): void {
    const key = doc.uri.toString();
    clearTimeout(this.pending.get(key));
    this.pending.set(key, setTimeout(() => {
      this.pending.delete(key);
      void this.refreshDocument(doc);
    }, 250));
  }

  private async refreshDocument(doc: vscode.TextDocument): Promise<void> {
    if (doc.languageId !== 'typescript' || doc.isClosed) return;
    // Cheap before the engine is needed: a file without tags that never had items has nothing to do here.
    if (!doc.getText().includes(tagPrefix) && !this.controller.items.get(doc.uri.toString())) return;
    const engine = await this.engine();
    if (!this.inScope(doc.uri, engine)) return;
    this.update(doc.uri, engine.annotatedFunctions(doc.getText(), doc.uri.fsPath));
  }

  private update(uri: vscode.Uri, functions: AnnotatedFunction[]): void {
    const key = uri.toString();
    if (functions.length === 0) return this.remove(uri);
    let file = this.controller.items.get(key);
    if (!file) {
      const folder = vscode.workspace.getWorkspaceFolder(uri);
      const label = folder ? path.relative(folder.uri.fsPath, uri.fsPath).split(path.sep).join('/') : path.basename(uri.fsPath);
      file = this.controller.createTestItem(key, label, uri);
      this.controller.items.add(file);
    }
    const items = functions.map((f) => {
      const id = functionItemId(uri, f.name);
      const item = file.children.get(id) ?? this.controller.createTestItem(id, f.name, uri);
      item.range = nameRange(f);
      return item;
    });
    file.children.replace(items);
    this.changed.fire();
  }

  private remove(uri: vscode.Uri): void {
    if (!this.controller.items.get(uri.toString())) return;
    this.controller.items.delete(uri.toString());
    this.changed.fire();
  }

  dispose(): void {
    this.pending.forEach((t) => clearTimeout(t));
    this.changed.dispose();
    this.controller.dispose();
  }
}
