// The TypeScript document a command acts on: the one a lens passed, else the active editor's.

import * as vscode from 'vscode';

export async function targetDocument(uri?: vscode.Uri): Promise<vscode.TextDocument | undefined> {
  const doc = uri ? await vscode.workspace.openTextDocument(uri) : vscode.window.activeTextEditor?.document;
  if (!doc || (doc.languageId !== 'typescript' && doc.languageId !== 'typescriptreact')) {
    void vscode.window.showInformationMessage('Derivative Lens: open a TypeScript file and place the cursor in a function to check.');
    return undefined;
  }
  return doc;
}
