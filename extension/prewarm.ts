// Loads the engine and warms its worker in the background once a TypeScript file that may be checked is visible.
import * as vscode from 'vscode';
import { tagPrefix } from '../engine/directive-tags';
import type { Engine } from './engine';
import { codeLensEnabled } from './settings';

/** A file worth warming up for: it has directives, or code lenses (which invite a check) are shown on it. */
function mayBeChecked(doc: vscode.TextDocument): boolean {
  return doc.languageId === 'typescript' && (codeLensEnabled(doc.uri) || doc.getText().includes(tagPrefix));
}

/**
 * Once, on the first such editor (now or later): the first check then costs what a warm one does. Only in trusted
 * workspaces, where checks can run at all.
 */
export function prewarmWhenVisible(engine: () => Promise<Engine>): vscode.Disposable {
  let done = false;
  const consider = (editors: readonly vscode.TextEditor[]) => {
    if (done || !vscode.workspace.isTrusted || !editors.some((e) => mayBeChecked(e.document))) return;
    done = true;
    const memoryMb = vscode.workspace.getConfiguration('derivativeLens').get<number>('memoryMb');
    // After activation's own work, so that the editor's first paint is not delayed.
    setTimeout(() => void engine().then((e) => e.prewarm({ memoryMb })), 0);
  };
  consider(vscode.window.visibleTextEditors);
  return vscode.Disposable.from(vscode.window.onDidChangeVisibleTextEditors(consider), vscode.workspace.onDidGrantWorkspaceTrust(() => consider(vscode.window.visibleTextEditors)));
}
