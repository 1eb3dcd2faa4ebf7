// "Check Derivatives of a Function…": a quick pick of the file's checkable functions, with return type and last verdict.

import * as vscode from 'vscode';
import type { Report } from '../../engine/types';
import { statusMark } from '../format';
import type { RunResult } from '../results';
import type { Services } from '../services';
import { lensTitles } from '../format';
import { ensureTrusted } from '../trust';
import { targetDocument } from './target-document';

function lastVerdict(r: RunResult | undefined): string {
  if (!r) return 'not checked yet';
  const words = r.report ? `${statusMark(r.report.verdict)} ${r.report.verdict}` : `✗ could not evaluate (${r.error!.kind})`;
  return `last run: ${words}${r.stale ? ' (stale)' : ''}`;
}

export function checkFunction(s: Services) {
  return async (uri?: vscode.Uri): Promise<Report | undefined> => {
    if (!ensureTrusted()) return undefined;
    const doc = await targetDocument(uri);
    if (!doc) return undefined;
    const analysis = (await s.engine()).analyseFile(doc.getText(), doc.fileName);
    const { tooLarge } = analysis;
    if (tooLarge) {
      void vscode.window.showInformationMessage(`${lensTitles.tooLarge(tooLarge.chars, tooLarge.limit)}: check its functions from the command line.`);
      return undefined;
    }
    const functions = analysis.functions.filter((f) => f.checkable);
    if (functions.length === 0) {
      void vscode.window.showInformationMessage('Derivative Lens: this file has no top-level function that returns a number.');
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(
      functions.map((f) => ({
        label: f.name,
        description: `(${f.params.map((p) => (p.type ? `${p.name}: ${p.type}` : p.name)).join(', ')})${f.returnType ? `: ${f.returnType}` : ''}`,
        detail: `line ${doc.positionAt(f.start).line + 1} · ${lastVerdict(s.results.get(doc.uri, f.name))}`,
      })),
      { title: 'Check derivatives of…', placeHolder: 'Pick a function', matchOnDescription: true },
    );
    return pick ? s.runner.run(doc, { functionName: pick.label }) : undefined;
  };
}
