// Finds the checkable functions of a TypeScript module (by name or cursor), their parameters and doc comments, and its top-level names.
import ts from 'typescript';
import { EngineError, type FunctionInfo, type MethodInfo, type ParamInfo, type TypeTree } from '../types';

/** What the loader needs from one parse of the module. */
export interface ModuleOutline {
  functions: FunctionInfo[];
  /** Every name declared at the top level (functions, variables, classes, enums, imports). */
  bindings: Set<string>;
}

/** Doc comments are read as text (engine/load/directives.ts): TypeScript's JSDoc parsing was a fifth of the parse. */
const parseOptions: ts.CreateSourceFileOptions = { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone };

function parse(text: string, fileName: string): ts.SourceFile {
  return ts.createSourceFile(fileName, text, parseOptions, /* setParentNodes */ true, ts.ScriptKind.TS);
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

/** The module's own interfaces and type aliases, by name: what a parameter's type may refer to. */
type TypeDecls = Map<string, ts.InterfaceDeclaration | ts.TypeAliasDeclaration>;

/** The numeric fields of a type literal or of a module's interface/type alias (nested ones too); undefined when any field is not numeric. */
function typeTree(node: ts.TypeNode, sf: ts.SourceFile, decls: TypeDecls, depth = 0): TypeTree | undefined {
  if (depth > 8) return undefined;
  const kind = kindOfType(node.getText(sf));
  if (kind !== 'unknown' && kind !== 'tree') return kind;
  let members: ts.NodeArray<ts.TypeElement> | undefined;
  if (ts.isTypeLiteralNode(node)) members = node.members;
  else if (ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName) && !node.typeArguments) {
    const decl = decls.get(node.typeName.text);
    if (decl && ts.isInterfaceDeclaration(decl) && !decl.heritageClauses) members = decl.members;
    else if (decl && ts.isTypeAliasDeclaration(decl)) return typeTree(decl.type, sf, decls, depth + 1);
  }
  if (!members || members.length === 0) return undefined;
  const out: Record<string, TypeTree> = {};
  for (const m of members) {
    if (!ts.isPropertySignature(m) || !m.type || m.questionToken || !(ts.isIdentifier(m.name) || ts.isStringLiteral(m.name))) return undefined;
    const field = typeTree(m.type, sf, decls, depth + 1);
    if (field === undefined) return undefined;
    out[m.name.text] = field;
  }
  return out;
}

function paramsOf(fn: ts.SignatureDeclarationBase, sf: ts.SourceFile, decls: TypeDecls): ParamInfo[] {
  return fn.parameters.map((p) => {
    const type = p.type ? p.type.getText(sf) : undefined;
    let kind = kindOfType(type);
    const tree = kind === 'unknown' && p.type ? typeTree(p.type, sf, decls) : undefined;
    if (tree !== undefined && typeof tree === 'object') kind = 'tree';
    return {
      name: ts.isIdentifier(p.name) ? p.name.text : p.name.getText(sf),
      type,
      kind,
      ...(kind === 'tree' ? { tree } : {}),
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
  stmt: ts.Node,
  name: ts.Identifier,
  fn: ts.SignatureDeclarationBase,
  form: string,
  sf: ts.SourceFile,
  text: string,
  decls: TypeDecls,
): FunctionInfo {
  return {
    name: name.text,
    form,
    exported: ts.isStatement(stmt) && isExported(stmt),
    start: stmt.getStart(sf),
    end: stmt.getEnd(),
    nameStart: name.getStart(sf),
    nameEnd: name.getEnd(),
    params: paramsOf(fn, sf, decls),
    ...(fn.type ? { returnType: fn.type.getText(sf) } : {}),
    returns: returnsOf(fn, sf),
    ...docRange(stmt, text),
  };
}

/** A function written as a member's value: `m(x) {…}`, `m = (x) => …`, `m: function (x) {…}`. */
function memberFunction(member: ts.Node): ts.SignatureDeclarationBase | undefined {
  if (ts.isMethodDeclaration(member)) return member.body ? member : undefined;
  const init = (ts.isPropertyDeclaration(member) || ts.isPropertyAssignment(member)) && member.initializer && skipParens(member.initializer);
  return init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) ? init : undefined;
}

function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return (ts.canHaveModifiers(node) ? ts.getModifiers(node) ?? [] : []).some((m) => m.kind === kind);
}

/** The checkable methods of a top-level class or of an object literal bound to a module constant, named `Owner.member`. */
function methodsOf(owner: ts.Identifier, exportedFrom: ts.Statement, members: readonly ts.Node[], isClass: boolean, sf: ts.SourceFile, text: string, decls: TypeDecls): FunctionInfo[] {
  const ctor = members.find(ts.isConstructorDeclaration);
  const newable = !ctor || ctor.parameters.every((p) => p.initializer !== undefined || p.questionToken !== undefined || p.dotDotDotToken !== undefined);
  const out: FunctionInfo[] = [];
  for (const member of members) {
    const fn = memberFunction(member);
    const name = (member as ts.ClassElement | ts.ObjectLiteralElement).name;
    if (!fn || !name || !ts.isIdentifier(name) || hasModifier(member, ts.SyntaxKind.AbstractKeyword)) continue;
    const isStatic = hasModifier(member, ts.SyntaxKind.StaticKeyword);
    const method: MethodInfo = { owner: owner.text, member: name.text, kind: !isClass ? 'object' : isStatic ? 'static' : 'instance', newable };
    const base = info(member, name, fn, 'method', sf, text, decls);
    out.push({ ...base, name: `${owner.text}.${name.text}`, exported: isExported(exportedFrom), method });
  }
  return out;
}

/** An object literal under `as const`, `satisfies T`, parentheses. */
function objectLiteral(e: ts.Expression): ts.ObjectLiteralExpression | undefined {
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e)) e = e.expression;
  return ts.isObjectLiteralExpression(e) ? e : undefined;
}

function bindingNames(name: ts.BindingName, out: Set<string>): void {
  if (ts.isIdentifier(name)) out.add(name.text);
  else for (const el of name.elements) if (!ts.isOmittedExpression(el)) bindingNames(el.name, out);
}

function outlineOf(sf: ts.SourceFile, text: string): ModuleOutline {
  const functions: FunctionInfo[] = [];
  const bindings = new Set<string>();
  const decls: TypeDecls = new Map();
  for (const stmt of sf.statements) if (ts.isInterfaceDeclaration(stmt) || ts.isTypeAliasDeclaration(stmt)) decls.set(stmt.name.text, stmt);
  for (const stmt of sf.statements) {
    if (ts.isFunctionDeclaration(stmt) && stmt.name) {
      bindings.add(stmt.name.text);
      if (stmt.body) functions.push(info(stmt, stmt.name, stmt, 'declaration', sf, text, decls));
    } else if (ts.isVariableStatement(stmt)) {
      for (const decl of stmt.declarationList.declarations) {
        bindingNames(decl.name, bindings);
        const init = decl.initializer && skipParens(decl.initializer);
        if (!ts.isIdentifier(decl.name) || !init) continue;
        if (ts.isArrowFunction(init)) functions.push(info(stmt, decl.name, init, 'arrow', sf, text, decls));
        else if (ts.isFunctionExpression(init)) functions.push(info(stmt, decl.name, init, 'function-expression', sf, text, decls));
        const object = objectLiteral(init);
        if (object) functions.push(...methodsOf(decl.name, stmt, object.properties, false, sf, text, decls));
      }
    } else if ((ts.isClassDeclaration(stmt) || ts.isEnumDeclaration(stmt)) && stmt.name) {
      bindings.add(stmt.name.text);
      if (ts.isClassDeclaration(stmt)) functions.push(...methodsOf(stmt.name, stmt, stmt.members, true, sf, text, decls));
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
    ? 'the file has no top-level functions or methods'
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

/** What to do about a named function the engine cannot call on its own, inside `container` (a candidate's name) or not. */
function notCallable(node: ts.Node, name: string, container: string | undefined): string {
  if (ts.isGetAccessor(node) || ts.isSetAccessor(node) || ts.isConstructorDeclaration(node)) {
    return `\`${name}\` is a ${ts.isConstructorDeclaration(node) ? 'constructor' : ts.isGetAccessor(node) ? 'getter' : 'setter'}: check a method or function that uses it`;
  }
  const inside = container ? `a function inside \`${container}\`` : 'not at the top level of the module';
  return `\`${name}\` is ${inside}: it cannot be called on its own. To check it, move it to the top level (or make it a method of a top-level class or of an object bound to a module constant)`;
}

/** The function-like nodes from `node` up to the root, innermost first. */
function enclosingFunctions(node: ts.Node): ts.Node[] {
  const out: ts.Node[] = [];
  for (let n: ts.Node | undefined = node; n; n = n.parent) if (ts.isFunctionLike(n)) out.push(n);
  return out;
}

/** The function the cursor (0-based offset) is in: a top-level function or a method, or a clear error for what is not callable. */
export function functionAt(text: string, fileName: string, offset: number): FunctionInfo {
  const sf = parse(text, fileName);
  const { functions } = outlineOf(sf, text);
  // The smallest candidate around the cursor: a method rather than the constant's arrow around it.
  const around = functions
    .filter((f) => offset >= (f.docStart ?? f.start) && offset <= f.end)
    .sort((a, b) => a.end - (a.docStart ?? a.start) - (b.end - (b.docStart ?? b.start)))[0];
  // The innermost named function-like node around the cursor: the candidate's own function, or one nested in it.
  let innermost: ts.Node | undefined;
  const visit = (node: ts.Node): void => {
    if (offset < node.getStart(sf) || offset > node.getEnd()) return;
    if (ts.isFunctionLike(node) && nameOfFunctionLike(node, sf) !== undefined) innermost = node;
    ts.forEachChild(node, visit);
  };
  visit(sf);
  if (innermost) {
    const inCandidate = around ? enclosingFunctions(innermost).filter((n) => n.getStart(sf) >= around.start && n.getEnd() <= around.end) : [];
    if (inCandidate.length !== 1) {
      throw new EngineError('unsupported', notCallable(innermost, nameOfFunctionLike(innermost, sf)!, around?.name), lineCol(sf, innermost.getStart(sf)));
    }
  }
  if (around) return around;
  throw new EngineError('not-found', `no function at the cursor (${candidatesText(functions)})`, lineCol(sf, Math.min(offset, text.length)));
}

/** The function or method named `name` (`f`, `Class.method`, `object.method`), or a clear error (a nested function of that name, or the candidates). */
export function functionNamed(text: string, fileName: string, name: string): FunctionInfo {
  const sf = parse(text, fileName);
  const { functions } = outlineOf(sf, text);
  const found = functions.find((f) => f.name === name);
  if (found) return found;
  const methods = functions.filter((f) => f.method?.member === name).map((f) => f.name);
  if (methods.length > 0) throw new EngineError('not-found', `no function named '${name}' in ${fileName}: name the method with its owner (${methods.join(', ')})`, { file: fileName });
  const bare = name.slice(name.lastIndexOf('.') + 1);
  let nested: ts.Node | undefined;
  const visit = (node: ts.Node): void => {
    if (nested) return;
    if (ts.isFunctionLike(node) && nameOfFunctionLike(node, sf) === bare) nested = node;
    else ts.forEachChild(node, visit);
  };
  visit(sf);
  if (nested) {
    const container = enclosingFunctions(nested.parent).map((n) => nameOfFunctionLike(n, sf)).find((n) => n !== undefined);
    throw new EngineError('unsupported', notCallable(nested, bare, container), lineCol(sf, nested.getStart(sf)));
  }
  throw new EngineError('not-found', `no function named '${name}' in ${fileName} (${candidatesText(functions)})`, { file: fileName });
}

/** The offsets where each line of the last text asked about starts: one pass per text, a binary search per lookup. */
let lineIndex: { text: string; starts: number[] } | undefined;

function lineStarts(text: string): number[] {
  if (lineIndex?.text !== text) {
    const starts = [0];
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    lineIndex = { text, starts };
  }
  return lineIndex.starts;
}

/** 1-based line and column of a 0-based offset. */
export function locationAt(text: string, file: string, offset: number): { file: string; line: number; column: number } {
  const starts = lineStarts(text);
  // The last line start at or before the offset (a newline at the offset itself still ends that line).
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { file, line: lo + 1, column: offset - starts[lo] + 1 };
}
