// "Check Derivatives of a Function…": a quick pick of the file's candidate functions.

import * as vscode from 'vscode';
import type { Report } from '../../engine/types';
import type { Services } from '../services';
import { lensTitles } from '../format';
import { ensureTrusted } from '../trust';
import { targetDocument } from './targetDocument';

export function checkFunction(s: Services) {
  return async (uri?: vscode.Uri): Promise<Report | undefined> => {
    if (!ensureTrusted()) return undefined;
    const doc = await targetDocument(uri);
    if (!doc) return undefined;
    const { functions, tooLarge } = (await s.engine()).analyseFile(doc.getText(), doc.fileName);
    if (tooLarge) {
      void vscode.window.showInformationMessage(`${lensTitles.tooLarge(tooLarge.chars, tooLarge.limit)}: check its functions from the command line.`);
      return undefined;
    }
    if (functions.length === 0) {
      void vscode.window.showInformationMessage('Derivative Lens: this file has no top-level functions to check.');
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(
      functions.map((f) => ({
        label: f.name,
        description: `(${f.params.map((p) => (p.type ? `${p.name}: ${p.type}` : p.name)).join(', ')})`,
        detail: `${f.exported ? 'exported ' : ''}${f.form}, line ${doc.positionAt(f.start).line + 1}`,
      })),
      { title: 'Check derivatives of…', placeHolder: 'Pick a function', matchOnDescription: true },
    );
    return pick ? s.runner.run(doc, { functionName: pick.label }) : undefined;
  };
}
