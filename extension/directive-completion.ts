// Completion inside doc comments: directive tags after "@", parameter names after @dlens-at/@dlens-wrt, the file's functions after @dlens-gradient etc.

import * as vscode from 'vscode';
import type { Engine } from './engine';
import { commentLookBehind, directiveSlot, functionForComment, insideDocComment } from './directive-text';

export class DirectiveCompletion implements vscode.CompletionItemProvider {
  static readonly triggers = ['@', ' ', '-'];

  constructor(private readonly engine: () => Promise<Engine>) {}

  async provideCompletionItems(doc: vscode.TextDocument, pos: vscode.Position): Promise<vscode.CompletionItem[]> {
    const offset = doc.offsetAt(pos);
    if (!insideDocComment(doc.getText(new vscode.Range(doc.positionAt(Math.max(0, offset - commentLookBehind)), pos)))) return [];
    const slot = directiveSlot(doc.lineAt(pos.line).text.slice(0, pos.character));
    if (!slot) return [];
    const engine = await this.engine();
    const replace = new vscode.Range(pos.translate(0, -slot.typed.length), pos);
    if (slot.kind === 'tag') {
      return engine.directiveTags.map((t) => {
        const name = t.tag.replace(/^@/, '');
        const item = new vscode.CompletionItem(name, vscode.CompletionItemKind.Keyword);
        item.range = replace;
        item.insertText = `${name} `;
        item.detail = t.syntax;
        item.documentation = new vscode.MarkdownString(t.description);
        // Offer the next slot (a parameter or a function name) straight away.
        item.command = { title: 'Suggest', command: 'editor.action.triggerSuggest' };
        return item;
      });
    }
    let functions;
    let names: string[];
    try {
      ({ functions, names } = engine.analyseFile(doc.getText(), doc.fileName));
    } catch {
      return [];
    }
    if (slot.kind === 'constant') {
      // A receiver is a module constant: every top-level name that is not a function or a class.
      const fnNames = new Set(functions.flatMap((f) => [f.name, ...(f.method && f.method.kind !== 'object' ? [f.method.owner] : [])]));
      return names.filter((n) => !fnNames.has(n)).map((n) => Object.assign(new vscode.CompletionItem(n, vscode.CompletionItemKind.Constant), { range: replace }));
    }
    if (slot.kind === 'parameter') {
      const fn = functionForComment(functions, offset);
      // A method's receiver is a root of wrt paths too (`@dlens-wrt this.w`).
      const receiver = slot.tag === 'dlens-wrt' && fn?.method && fn.method.kind !== 'static' ? [{ name: 'this', type: fn.method.owner }] : [];
      return [...(fn?.params ?? []), ...receiver].map((p) => {
        const item = new vscode.CompletionItem(p.name, vscode.CompletionItemKind.Variable);
        item.range = replace;
        item.detail = p.type ? `${p.name}: ${p.type}` : p.name;
        if (slot.tag === 'dlens-at') item.insertText = `${p.name} = `;
        return item;
      });
    }
    const checked = functionForComment(functions, offset);
    return functions
      .filter((f) => f.name !== checked?.name)
      .map((f) => {
        const item = new vscode.CompletionItem(f.name, vscode.CompletionItemKind.Function);
        item.range = replace;
        item.detail = `(${f.params.map((p) => (p.type ? `${p.name}: ${p.type}` : p.name)).join(', ')})`;
        return item;
      });
  }
}
