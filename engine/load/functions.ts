// Finds the checkable functions of a TypeScript module (by name or cursor), their parameters and doc comments, and its top-level names.
import ts from 'typescript';
import { EngineError, type FunctionInfo, type ParamInfo } from '../types';

/** What the loader needs from one parse of the module. */
export interface ModuleOutline {
  functions: FunctionInfo[];
  /** Every name declared at the top level (functions, variables, classes, enums, imports). */
  bindings: Set<string>;
}

function parse(text: string, fileName: string): ts.SourceFile {
  return ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, /* setParentNodes */ true, ts.ScriptKind.TS);
}

const vectorTypes = new Set(['number[]', 'Array<number>', 'readonlynumber[]', 'ReadonlyArray<number>']);
const matrixArrayTypes = new Set([
  'number[][]',
  'Array<number[]>',
  'Array<Array<number>>',
  'readonlynumber[][]',
  '(readonlynumber[])[]',
  'readonly(readonlynumber[])[]',
  'ReadonlyArray<ReadonlyArray<number>>',
  'ReadonlyArray<number[]>',
]);

/** Maps a declared type, as written, to what the engine builds for it. */
export function kindOfType(type: string | undefined): ParamInfo['kind'] {
  if (type === undefined) return 'unknown';
  const t = type.replace(/\s+/g, '');
  if (t === 'number') return 'number';
  if (vectorTypes.has(t)) return 'vector';
  if (matrixArrayTypes.has(t)) return 'matrix-array';
  if (t === 'Float64Array') return 'float64array';
  // `Matrix`, `ml.Matrix`, `AbstractMatrix` from ml-matrix.
  if (/^(\w+\.)?(Abstract)?Matrix$/.test(t)) return 'matrix';
  return 'unknown';
}

function paramsOf(fn: ts.SignatureDeclarationBase, sf: ts.SourceFile): ParamInfo[] {
  return fn.parameters.map((p) => {
    const type = p.type ? p.type.getText(sf) : undefined;
    return {
      name: ts.isIdentifier(p.name) ? p.name.text : p.name.getText(sf),
      type,
      kind: kindOfType(type),
      hasDefault: p.initializer !== undefined,
      optional: p.questionToken !== undefined,
    };
  });
}

/** What a declared return type or a returned expression is, as far as the syntax tells without the type checker. */
function returnsOf(fn: ts.SignatureDeclarationBase, sf: ts.SourceFile): FunctionInfo['returns'] {
  if (fn.type) {
    const t = fn.type.getText(sf).replace(/\s+/g, '');
    if (t === 'number') return 'number';
    if (t === 'void' || t === 'undefined') return 'void';
    const kind = kindOfType(t);
    if (kind !== 'unknown' && kind !== 'number') return 'array';
    // A type name (an alias of number, say) needs the checker; literal types, tuples, unions and generics do not.
    return /^[\w.]+$/.test(t) ? 'unknown' : 'other';
  }
  const body = (fn as ts.FunctionLikeDeclarationBase).body;
  if (!body) return 'unknown';
  const returned: ts.Expression[] = [];
  if (!ts.isBlock(body)) returned.push(body as ts.Expression);
  else {
    const visit = (node: ts.Node): void => {
      if (ts.isFunctionLike(node) || ts.isClassLike(node)) return;
      if (ts.isReturnStatement(node) && node.expression) returned.push(node.expression);
      ts.forEachChild(node, visit);
    };
    ts.forEachChild(body, visit);
    if (returned.length === 0) return 'void';
  }
  const kinds = new Set(returned.map((e) => skipParens(e)).map((e) => (ts.isArrayLiteralExpression(e) ? 'array' : ts.isObjectLiteralExpression(e) ? 'other' : 'unknown')));
  return kinds.size === 1 ? [...kinds][0] as FunctionInfo['returns'] : 'unknown';
}

/** The last `/** ... *\/` comment right before the statement, if any. */
function docRange(stmt: ts.Node, text: string): { docStart: number; docEnd: number } | undefined {
  const ranges = ts.getLeadingCommentRanges(text, stmt.getFullStart()) ?? [];
  const last = ranges[ranges.length - 1];
  if (!last || last.kind !== ts.SyntaxKind.MultiLineCommentTrivia || !text.startsWith('/**', last.pos)) return undefined;
  return { docStart: last.pos, docEnd: last.end };
}

function isExported(stmt: ts.Statement): boolean {
  return (ts.canHaveModifiers(stmt) ? ts.getModifiers(stmt) ?? [] : []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

function info(
  stmt: ts.Statement,
  name: ts.Identifier,
  fn: ts.SignatureDeclarationBase,
  form: string,
  sf: ts.SourceFile,
  text: string,
): FunctionInfo {
  return {
    name: name.text,
    form,
    exported: isExported(stmt),
    start: stmt.getStart(sf),
    end: stmt.getEnd(),
    nameStart: name.getStart(sf),
    nameEnd: name.getEnd(),
    params: paramsOf(fn, sf),
    ...(fn.type ? { returnType: fn.type.getText(sf) } : {}),
    returns: returnsOf(fn, sf),
    ...docRange(stmt, text),
  };
}

function bindingNames(name: ts.BindingName, out: Set<string>): void {
  if (ts.isIdentifier(name)) out.add(name.text);
  else for (const el of name.elements) if (!ts.isOmittedExpression(el)) bindingNames(el.name, out);
}

function outlineOf(sf: ts.SourceFile, text: string): ModuleOutline {
  const functions: FunctionInfo[] = [];
  const bindings = new Set<string>();
  for (const stmt of sf.statements) {
    if (ts.isFunctionDeclaration(stmt) && stmt.name) {
      bindings.add(stmt.name.text);
      if (stmt.body) functions.push(info(stmt, stmt.name, stmt, 'declaration', sf, text));
    } else if (ts.isVariableStatement(stmt)) {
      for (const decl of stmt.declarationList.declarations) {
        bindingNames(decl.name, bindings);
        const init = decl.initializer && skipParens(decl.initializer);
        if (!ts.isIdentifier(decl.name) || !init) continue;
        if (ts.isArrowFunction(init)) functions.push(info(stmt, decl.name, init, 'arrow', sf, text));
        else if (ts.isFunctionExpression(init)) functions.push(info(stmt, decl.name, init, 'function-expression', sf, text));
      }
    } else if ((ts.isClassDeclaration(stmt) || ts.isEnumDeclaration(stmt)) && stmt.name) {
      bindings.add(stmt.name.text);
    } else if (ts.isImportDeclaration(stmt) && stmt.importClause && !stmt.importClause.isTypeOnly) {
      const clause = stmt.importClause;
      if (clause.name) bindings.add(clause.name.text);
      const named = clause.namedBindings;
      if (named && ts.isNamespaceImport(named)) bindings.add(named.name.text);
      else if (named) for (const el of named.elements) if (!el.isTypeOnly) bindings.add(el.name.text);
    } else if (ts.isImportEqualsDeclaration(stmt)) {
      bindings.add(stmt.name.text);
    }
  }
  return { functions, bindings };
}

function skipParens(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  return e;
}

export function outlineModule(text: string, fileName: string): ModuleOutline {
  return outlineOf(parse(text, fileName), text);
}

export function listFunctions(text: string, fileName: string): FunctionInfo[] {
  return outlineModule(text, fileName).functions;
}

function candidatesText(functions: FunctionInfo[]): string {
  return functions.length === 0
    ? 'the file has no top-level functions'
    : `candidates: ${functions.map((f) => f.name).join(', ')}`;
}

function lineCol(sf: ts.SourceFile, offset: number): { file: string; line: number; column: number } {
  const lc = sf.getLineAndCharacterOfPosition(offset);
  return { file: sf.fileName, line: lc.line + 1, column: lc.character + 1 };
}

/** The name a function-like node is known by (method name, `const g = () =>`, `function g`), or undefined for an anonymous callback. */
function nameOfFunctionLike(node: ts.Node, sf: ts.SourceFile): string | undefined {
  if ((ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node)) && node.name) return node.name.text;
  if (ts.isMethodDeclaration(node) || ts.isGetAccessor(node) || ts.isSetAccessor(node)) return node.name.getText(sf);
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const parent = node.parent;
  if ((ts.isArrowFunction(node) || ts.isFunctionExpression(node)) && parent) {
    if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
    if ((ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) && parent.initializer === node) return parent.name.getText(sf);
  }
  return undefined;
}

function isMemberLike(node: ts.Node): boolean {
  if (ts.isMethodDeclaration(node) || ts.isGetAccessor(node) || ts.isSetAccessor(node) || ts.isConstructorDeclaration(node)) return true;
  const parent = node.parent;
  return (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) && !!parent && (ts.isPropertyDeclaration(parent) || ts.isPropertyAssignment(parent));
}

/** The function the cursor (0-based offset) is in: a top-level candidate, or a clear error for what is not supported. */
export function functionAt(text: string, fileName: string, offset: number): FunctionInfo {
  const sf = parse(text, fileName);
  const { functions } = outlineOf(sf, text);
  const top = functions.find((f) => offset >= (f.docStart ?? f.start) && offset <= f.end);
  // The innermost named function-like node around the cursor decides: a method or a named nested function is not checkable.
  let innermost: ts.Node | undefined;
  const visit = (node: ts.Node): void => {
    if (offset < node.getStart(sf) || offset > node.getEnd()) return;
    if (ts.isFunctionLike(node) && nameOfFunctionLike(node, sf) !== undefined) innermost = node;
    ts.forEachChild(node, visit);
  };
  visit(sf);
  if (innermost) {
    const name = nameOfFunctionLike(innermost, sf)!;
    const isTop = top && top.name === name && (innermost.parent === sf || innermost.parent?.parent?.parent?.parent === sf);
    if (!isTop) {
      const what = isMemberLike(innermost) ? 'methods are not supported yet' : 'nested functions are not supported yet';
      throw new EngineError('unsupported', `${what}: move \`${name}\` to a top-level function`, lineCol(sf, innermost.getStart(sf)));
    }
  }
  if (top) return top;
  throw new EngineError('not-found', `no function at the cursor (${candidatesText(functions)})`, lineCol(sf, Math.min(offset, text.length)));
}

/** The top-level function named `name`, or a clear error (a method of that name, or the list of candidates). */
export function functionNamed(text: string, fileName: string, name: string): FunctionInfo {
  const sf = parse(text, fileName);
  const { functions } = outlineOf(sf, text);
  const found = functions.find((f) => f.name === name);
  if (found) return found;
  let member: ts.Node | undefined;
  const visit = (node: ts.Node): void => {
    if (member) return;
    if (ts.isFunctionLike(node) && isMemberLike(node) && nameOfFunctionLike(node, sf) === name) member = node;
    else ts.forEachChild(node, visit);
  };
  visit(sf);
  if (member) {
    throw new EngineError('unsupported', `methods are not supported yet: move \`${name}\` to a top-level function`, lineCol(sf, member.getStart(sf)));
  }
  throw new EngineError('not-found', `no top-level function named '${name}' in ${fileName} (${candidatesText(functions)})`, { file: fileName });
}

/** 1-based line and column of a 0-based offset. */
export function locationAt(text: string, file: string, offset: number): { file: string; line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { file, line, column: offset - lineStart + 1 };
}
