// A code action on a function that returns an array: "Use as the gradient of F" adds `@dlens-gradient` to F's doc comment, only when chosen.

import * as vscode from 'vscode';
import { tagText, type DirectiveTag } from '../engine/directive-tags';
import type { Engine } from './engine';
import { addDirectiveEdit } from './directive-text';

/** At most this many target functions per helper: those whose name starts the helper's name come first. */
const MAX_TARGETS = 3;

export class UseAsDerivativeActions implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.RefactorRewrite];

  constructor(private readonly engine: () => Promise<Engine>) {}

  async provideCodeActions(doc: vscode.TextDocument, range: vscode.Range): Promise<vscode.CodeAction[]> {
    let functions;
    try {
      functions = (await this.engine()).analyseFile(doc.getText(), doc.fileName).functions;
    } catch {
      return [];
    }
    const offset = doc.offsetAt(range.start);
    const helper = functions.find((f) => f.returns === 'array' && f.start <= offset && offset <= f.end);
    if (!helper) return [];
    const sameParams = (names: string[]) => names.join() === helper.params.map((p) => p.name).join();
    const targets = functions
      .filter((f) => f.checkable && f.name !== helper.name)
      .map((f) => ({ f, score: (helper.name.startsWith(f.name) ? 2 : 0) + (sameParams(f.params.map((p) => p.name)) ? 1 : 0) }))
      .filter((t) => t.score > 0)
      .sort((a, b) => b.score - a.score)
      .slice(0, MAX_TARGETS);
    const roles: { tag: DirectiveTag; words: string }[] = [{ tag: 'dlens-gradient', words: 'gradient' }];
    if (/hess|diag/i.test(helper.name)) roles.unshift({ tag: 'dlens-hessian-diagonal', words: 'Hessian diagonal' });
    return targets.flatMap(({ f }) =>
      roles
        .filter((r) => !f.directives.some((d) => d.tag === r.tag))
        .map((r) => {
          const action = new vscode.CodeAction(`Use ${helper.name} as the ${r.words} of ${f.name}`, vscode.CodeActionKind.RefactorRewrite);
          const e = addDirectiveEdit(doc.getText(), f, `${tagText(r.tag)} ${helper.name}`);
          action.edit = new vscode.WorkspaceEdit();
          action.edit.replace(doc.uri, new vscode.Range(doc.positionAt(e.start), doc.positionAt(e.end)), e.text);
          return action;
        }),
    );
  }
}
