// Hover help on directive tags in doc comments, from the engine's own tag table.

import * as vscode from 'vscode';
import type { Engine } from './engine';
import { commentLookBehind, insideDocComment, tagAt } from './directive-text';

export class DirectiveHover implements vscode.HoverProvider {
  constructor(private readonly engine: () => Promise<Engine>) {}

  async provideHover(doc: vscode.TextDocument, pos: vscode.Position): Promise<vscode.Hover | undefined> {
    const found = tagAt(doc.lineAt(pos.line).text, pos.character);
    if (!found) return undefined;
    const start = new vscode.Position(pos.line, found.start);
    if (!insideDocComment(doc.getText(new vscode.Range(doc.positionAt(Math.max(0, doc.offsetAt(start) - commentLookBehind)), start)))) return undefined;
    const entry = (await this.engine()).directiveTags.find((t) => t.tag.replace(/^@/, '') === found.tag);
    if (!entry) return undefined;
    const md = new vscode.MarkdownString();
    md.appendCodeblock(entry.syntax, 'text');
    md.appendMarkdown(entry.description);
    return new vscode.Hover(md, new vscode.Range(start, new vscode.Position(pos.line, found.end)));
  }
}
