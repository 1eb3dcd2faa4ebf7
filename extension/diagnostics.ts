// The "Derivative Lens" diagnostic collection: places what a report or an engine error says at the right names and lines.

import * as vscode from 'vscode';
import type { EngineErrorInfo, FunctionInfo, Report, SourceLocation } from '../engine/types';
import type { Engine } from './engine';
import { diagnosticsFor, errorInCode, evaluationErrorMessage, type DiagnosticSpec } from './format';

const source = 'Derivative Lens';
const severities: Record<DiagnosticSpec['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
};

async function documentFor(file: string, checked: vscode.TextDocument): Promise<vscode.TextDocument | undefined> {
  if (file === checked.uri.fsPath || file === checked.fileName) return checked;
  try {
    return await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  } catch {
    return undefined;
  }
}

function nameRange(doc: vscode.TextDocument, fn: FunctionInfo): vscode.Range {
  return new vscode.Range(doc.positionAt(fn.nameStart), doc.positionAt(fn.nameEnd));
}

/** The line's text without its indentation, or the word at the column when there is one. */
function locationRange(doc: vscode.TextDocument, loc: { line: number; column?: number }): vscode.Range {
  const line = doc.lineAt(Math.min(Math.max(loc.line - 1, 0), doc.lineCount - 1));
  if (loc.column) {
    const word = doc.getWordRangeAtPosition(new vscode.Position(line.lineNumber, Math.max(loc.column - 1, 0)));
    if (word) return word;
  }
  return new vscode.Range(line.lineNumber, line.firstNonWhitespaceCharacterIndex, line.lineNumber, line.text.length);
}

export class DerivativeDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection(source);
  /** (checked document, function) → the diagnostics its last run put on each document: a run replaces only its own. */
  private readonly owned = new Map<string, { checked: string; byUri: Map<string, { uri: vscode.Uri; list: vscode.Diagnostic[] }> }>();

  constructor(private readonly engine: () => Promise<Engine>) {}

  private async functionsOf(doc: vscode.TextDocument): Promise<FunctionInfo[]> {
    try {
      return (await this.engine()).analyseFile(doc.getText(), doc.fileName).functions;
    } catch {
      return [];
    }
  }

  private async checkedName(doc: vscode.TextDocument, name: string): Promise<vscode.Range> {
    const fn = (await this.functionsOf(doc)).find((f) => f.name === name);
    return fn ? nameRange(doc, fn) : new vscode.Range(0, 0, 0, 0);
  }

  /** The supplied function's name: the candidate whose name or body holds the location. */
  private async suppliedName(doc: vscode.TextDocument, loc: SourceLocation): Promise<vscode.Range> {
    const offset = doc.offsetAt(new vscode.Position(loc.line - 1, Math.max(loc.column - 1, 0)));
    const fn = (await this.functionsOf(doc)).find((f) => (f.docStart ?? f.start) <= offset && offset <= f.end);
    return fn ? nameRange(doc, fn) : locationRange(doc, loc);
  }

  private put(checked: vscode.Uri, functionName: string, entries: [vscode.Uri, vscode.Diagnostic][]): void {
    const owner = `${checked.toString()}#${functionName}`;
    this.clearOwner(owner);
    const byUri = new Map<string, { uri: vscode.Uri; list: vscode.Diagnostic[] }>();
    for (const [uri, d] of entries) {
      const k = uri.toString();
      if (!byUri.has(k)) byUri.set(k, { uri, list: [] });
      byUri.get(k)!.list.push(d);
    }
    this.owned.set(owner, { checked: checked.toString(), byUri });
    for (const { uri } of byUri.values()) this.refresh(uri);
  }

  /** A document's diagnostics are the union of what every run put on it. */
  private refresh(uri: vscode.Uri): void {
    const k = uri.toString();
    this.collection.set(uri, [...this.owned.values()].flatMap(({ byUri }) => byUri.get(k)?.list ?? []));
  }

  private diagnostic(range: vscode.Range, spec: Pick<DiagnosticSpec, 'message' | 'severity' | 'code'>): vscode.Diagnostic {
    const d = new vscode.Diagnostic(range, spec.message, severities[spec.severity]);
    d.source = source;
    d.code = spec.code;
    return d;
  }

  async showReport(doc: vscode.TextDocument, report: Report): Promise<void> {
    const checkedRange = await this.checkedName(doc, report.function);
    const entries: [vscode.Uri, vscode.Diagnostic][] = [];
    for (const spec of diagnosticsFor(report)) {
      if (spec.anchor.kind === 'checked') {
        entries.push([doc.uri, this.diagnostic(checkedRange, spec)]);
      } else if (spec.anchor.kind === 'location') {
        const target = await documentFor(spec.anchor.file, doc);
        if (target) entries.push([target.uri, this.diagnostic(locationRange(target, spec.anchor), spec)]);
      } else {
        const loc = spec.anchor.check.location;
        const target = loc ? await documentFor(loc.file, doc) : doc;
        if (!target) continue;
        const d = this.diagnostic(loc ? await this.suppliedName(target, loc) : checkedRange, spec);
        d.relatedInformation = [new vscode.DiagnosticRelatedInformation(new vscode.Location(doc.uri, checkedRange), `checked function ${report.function}`)];
        const tag = spec.code === 'supplied-gradient' ? 'dlens-gradient' : 'dlens-hessian-diagonal';
        const directive = report.directives.find((x) => x.tag === tag) ?? report.directives.find((x) => x.tag === 'dlens-objective');
        const directiveDoc = directive && (await documentFor(directive.location.file, doc));
        const named = spec.anchor.check.explanationLocation;
        const namedDoc = named && (await documentFor(named.file, doc));
        if (named && namedDoc) d.relatedInformation.push(new vscode.DiagnosticRelatedInformation(new vscode.Location(namedDoc.uri, locationRange(namedDoc, { line: named.line })), `line ${named.line}, named by the explanation`));
        if (directive && directiveDoc) {
          d.relatedInformation.push(new vscode.DiagnosticRelatedInformation(new vscode.Location(directiveDoc.uri, locationRange(directiveDoc, { line: directive.location.line })), `@${directive.tag} ${directive.text}`));
        }
        entries.push([target.uri, d]);
      }
    }
    this.put(doc.uri, report.function, entries);
  }

  /**
   * An error in the user's code (a throw, an unsupported operation, NaN returned) is placed where it happened. Setup
   * problems (no evaluation point, a bad argument), syntax errors (TypeScript reports them) and limits (timeout,
   * memory) are not code errors: they only clear the function's old findings, and the lens and the report say them.
   */
  async showError(doc: vscode.TextDocument, error: EngineErrorInfo, functionName: string): Promise<void> {
    if (!errorInCode(error)) {
      this.put(doc.uri, functionName, []);
      return;
    }
    const target = error.file ? await documentFor(error.file, doc) : doc;
    let range: vscode.Range;
    if (target && error.line) range = locationRange(target, { line: error.line, column: error.column });
    else range = await this.checkedName(doc, functionName);
    this.put(doc.uri, functionName, [[(target ?? doc).uri, this.diagnostic(range, { code: 'evaluation-error', severity: 'error', message: evaluationErrorMessage(error) })]]);
  }

  private clearOwner(owner: string): void {
    const entry = this.owned.get(owner);
    this.owned.delete(owner);
    for (const { uri } of entry?.byUri.values() ?? []) this.refresh(uri);
  }

  /** Removes the diagnostics of every run that the changed document took part in; returns those runs' checked documents. */
  clearTouching(changed: vscode.Uri): string[] {
    const key = changed.toString();
    const touched = [...this.owned].filter(([, { checked, byUri }]) => checked === key || byUri.has(key));
    touched.forEach(([owner]) => this.clearOwner(owner));
    return [...new Set(touched.map(([, { checked }]) => checked))];
  }

  clear(): void {
    this.collection.clear();
    this.owned.clear();
  }

  dispose(): void {
    this.collection.dispose();
  }
}
