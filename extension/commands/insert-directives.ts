// "Insert Check Directives": a directive block above the function at the cursor (or added to its doc comment), as a snippet to tab through.

import * as vscode from 'vscode';
import type { Services } from '../services';
import { directiveBlockSnippet, directiveSnippetLines, functionForComment } from '../directive-text';

export function insertDirectives(s: Services) {
  return async (): Promise<void> => {
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.document.languageId !== 'typescript') {
      void vscode.window.showInformationMessage('Derivative Lens: open a TypeScript file and place the cursor in a function.');
      return;
    }
    const doc = editor.document;
    const offset = doc.offsetAt(editor.selection.active);
    const { functions } = (await s.engine()).analyseFile(doc.getText(), doc.fileName);
    // The supplied-derivative tags offer the file's functions that return arrays, never a made-up name.
    const helpers = functions.filter((f) => f.returns === 'array').map((f) => f.name);
    const fn = functions.find((f) => (f.docStart ?? f.start) <= offset && offset <= f.end) ?? functionForComment(functions, offset);
    if (!fn) {
      void vscode.window.showInformationMessage('Derivative Lens: no function at or below the cursor.');
      return;
    }
    const fnLine = doc.lineAt(doc.positionAt(fn.start).line);
    const indent = fnLine.text.slice(0, fnLine.firstNonWhitespaceCharacterIndex);
    if (fn.docStart === undefined || fn.docEnd === undefined) {
      await editor.insertSnippet(new vscode.SnippetString(directiveBlockSnippet(fn, indent, helpers)), fnLine.range.start);
      return;
    }
    const closing = doc.lineAt(doc.positionAt(fn.docEnd).line);
    if (closing.text.trim() === '*/') {
      // A multi-line comment: the tags go just above its closing line.
      const lines = directiveSnippetLines(fn, `${indent} * `, helpers);
      await editor.insertSnippet(new vscode.SnippetString(lines.join('\n') + '\n'), closing.range.start);
      return;
    }
    // A one-line `/** text */`: open it up into a block that keeps the text.
    const inner = doc.getText(new vscode.Range(doc.positionAt(fn.docStart + 3), doc.positionAt(fn.docEnd - 2))).trim();
    const kept = new vscode.SnippetString().appendText(`/**\n${indent} * ${inner}\n`).value;
    const tags = directiveSnippetLines(fn, `${indent} * `, helpers).join('\n');
    await editor.insertSnippet(new vscode.SnippetString(`${kept}${tags}\n${indent} */`), new vscode.Range(doc.positionAt(fn.docStart), doc.positionAt(fn.docEnd)));
  };
}
