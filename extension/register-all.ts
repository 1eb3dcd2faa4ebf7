// Registers every command, provider, serializer and document listener in one place, and returns their disposables.

import * as vscode from 'vscode';
import { CommandId } from './command-ids';
import { checkAtCursor } from './commands/check-at-cursor';
import { checkFunction } from './commands/check-function';
import { clear } from './commands/clear';
import { insertDirectives } from './commands/insert-directives';
import { rerun } from './commands/rerun';
import { showReport } from './commands/show-report';
import { DerivativeCodeLenses } from './code-lens';
import { DirectiveCompletion } from './directive-completion';
import { DirectiveHover } from './directive-hover';
import { reportViewType } from './panel';
import { prewarmWhenVisible } from './prewarm';
import type { WebviewState } from './protocol';
import type { Services } from './services';
import { checkOnSave } from './settings';
import { UseAsDerivativeActions } from './use-as-derivative';

const commandFactories: Record<CommandId, (s: Services) => (...args: never[]) => unknown> = {
  [CommandId.checkAtCursor]: checkAtCursor,
  [CommandId.checkFunction]: checkFunction,
  [CommandId.rerun]: rerun,
  [CommandId.showReport]: showReport,
  [CommandId.clear]: clear,
  [CommandId.insertDirectives]: insertDirectives,
};

const typescript: vscode.DocumentSelector = [
  { language: 'typescript', scheme: 'file' },
  { language: 'typescript', scheme: 'untitled' },
];

/** Edits make results stale and remove their diagnostics; a save re-runs them when the user asked for that. */
function documentListeners(s: Services): vscode.Disposable[] {
  return [
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.contentChanges.length === 0) return;
      s.results.edited(e.document.uri, (uri) => s.diagnostics.clearTouching(uri).map((owner) => vscode.Uri.parse(owner)));
    }),
    vscode.workspace.onDidSaveTextDocument(async (doc) => {
      if (!checkOnSave(doc.uri) || !vscode.workspace.isTrusted) return;
      for (const r of s.results.forDocument(doc.uri)) await s.runner.run(doc, { functionName: r.functionName, onSave: true });
    }),
  ];
}

export function registerAll(s: Services): vscode.Disposable[] {
  const lenses = new DerivativeCodeLenses(s.engine, s.results);
  return [
    ...Object.entries(commandFactories).map(([id, factory]) => vscode.commands.registerCommand(id, factory(s))),
    lenses,
    prewarmWhenVisible(s.engine),
    vscode.languages.registerCodeLensProvider(typescript, lenses),
    vscode.languages.registerCompletionItemProvider(typescript, new DirectiveCompletion(s.engine), ...DirectiveCompletion.triggers),
    vscode.languages.registerHoverProvider(typescript, new DirectiveHover(s.engine)),
    vscode.languages.registerCodeActionsProvider(typescript, new UseAsDerivativeActions(s.engine), { providedCodeActionKinds: UseAsDerivativeActions.kinds }),
    vscode.window.registerWebviewPanelSerializer(reportViewType, {
      deserializeWebviewPanel: async (panel, state: WebviewState | undefined) => s.panel.restore(panel, state),
    }),
    ...documentListeners(s),
    ...s.tests.tree.listeners(),
  ];
}
