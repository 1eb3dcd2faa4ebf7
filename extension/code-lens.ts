// Code lenses above every function a check can run on (methods when they look checkable): run a check, then its verdict and time; never evaluates anything itself.

import * as vscode from 'vscode';
import type { Engine } from './engine';
import { CommandId } from './command-ids';
import { errorLensTitle, evaluationErrorMessage, lensTitles, lensWorthy, verdictLensTitle } from './format';
import type { Results } from './results';
import { codeLensEnabled } from './settings';

export class DerivativeCodeLenses implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly engine: () => Promise<Engine>,
    private readonly results: Results,
  ) {
    this.subscriptions = [
      results.onDidChange(() => this.changed.fire()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.changed.fire()),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('derivativeLens.codeLens') && this.changed.fire()),
    ];
  }

  async provideCodeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    if (!codeLensEnabled(doc.uri)) return [];
    let analysis;
    try {
      analysis = (await this.engine()).analyseFile(doc.getText(), doc.fileName);
    } catch {
      // A file the parser cannot read yet (mid-edit) simply has no lenses.
      return [];
    }
    if (analysis.tooLarge) {
      const { chars, limit } = analysis.tooLarge;
      const title = lensTitles.tooLarge(chars, limit);
      return [new vscode.CodeLens(new vscode.Range(0, 0, 0, 0), { title, command: '', tooltip: `${title}: run checks from the command line (derivative-lens check FILE --function NAME)` })];
    }
    // A function that returns an array or an object cannot be checked itself (a gradient helper, say): no lens.
    return analysis.functions.filter((fn) => fn.checkable && lensWorthy(fn)).map((fn) => {
      const range = new vscode.Range(doc.positionAt(fn.start), doc.positionAt(fn.start));
      const run: vscode.Command = { title: lensTitles.run, command: CommandId.checkAtCursor, arguments: [doc.uri, fn.name] };
      if (!vscode.workspace.isTrusted) return new vscode.CodeLens(range, { ...run, title: lensTitles.untrusted });
      const result = this.results.get(doc.uri, fn.name);
      if (!result) return new vscode.CodeLens(range, run);
      if (result.stale) return new vscode.CodeLens(range, { ...run, title: lensTitles.stale });
      if (result.error) return new vscode.CodeLens(range, { ...run, title: errorLensTitle(result.error), tooltip: evaluationErrorMessage(result.error) });
      return new vscode.CodeLens(range, { title: verdictLensTitle(result.report!), command: CommandId.showReport, arguments: [doc.uri, fn.name], tooltip: 'Open the report' });
    });
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.dispose());
    this.changed.dispose();
  }
}
