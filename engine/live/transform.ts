// The load hooks' transform of one user module: TypeScript through esbuild, `ml-matrix` to the stand-in, operators rewritten, bindings in line 1.
import * as acorn from 'acorn';
import * as esbuild from 'esbuild';
import { rewriteOperators, type Rewritten } from '../load/rewrite';
import { EngineError } from '../types';

export type ModuleFormat = 'esm' | 'cjs';

/** The names each rewritten module takes from the live bindings (engine/live/bindings.ts), in its first line. */
export const boundNames = ['__ad', 'Math', 'isFinite', 'isNaN', 'Boolean', 'Map', 'Set', 'WeakMap', 'WeakSet', 'Number', 'Float64Array', 'Float32Array'] as const;

/** Where the rewritten module finds the engine: the library's own entry (so it shares the caller's recording state) and the ml-matrix stand-in. */
export interface EngineEntry {
  /** A specifier of the library API module (exports `__dlensLive`), as the module's format writes it. */
  api: string;
  /** A specifier of the module exporting the ml-matrix stand-in. */
  mlMatrix: string;
}

/** `import … from 'ml-matrix'`, `export … from`, `import('ml-matrix')` and `require('ml-matrix')`: the source literals to replace. */
function mlMatrixSources(program: acorn.Program): { start: number; end: number }[] {
  const found: { start: number; end: number }[] = [];
  const isMlMatrix = (n: any) => n && n.type === 'Literal' && typeof n.value === 'string' && /^ml-matrix(\/.*)?$/.test(n.value);
  const visit = (n: any): void => {
    if (!n || typeof n.type !== 'string') return;
    if (/^(Import|ExportNamed|ExportAll)Declaration$/.test(n.type) || n.type === 'ImportExpression') {
      if (isMlMatrix(n.source)) found.push(n.source);
    } else if (n.type === 'CallExpression' && n.callee.type === 'Identifier' && n.callee.name === 'require' && isMlMatrix(n.arguments[0])) {
      found.push(n.arguments[0]);
    }
    for (const key of Object.keys(n)) {
      const v = n[key];
      if (Array.isArray(v)) v.forEach(visit);
      else if (v && typeof v === 'object' && typeof v.type === 'string') visit(v);
    }
  };
  visit(program);
  return found;
}

/** Names bound in a pattern (`a`, `{ a, b: [c] }`, `...d`, `e = 1`). */
function patternNames(p: any, into: Set<string>): void {
  if (!p) return;
  if (p.type === 'Identifier') into.add(p.name);
  else if (p.type === 'ObjectPattern') p.properties.forEach((q: any) => patternNames(q.type === 'RestElement' ? q.argument : q.value, into));
  else if (p.type === 'ArrayPattern') p.elements.forEach((q: any) => patternNames(q, into));
  else if (p.type === 'RestElement') patternNames(p.argument, into);
  else if (p.type === 'AssignmentPattern') patternNames(p.left, into);
}

/**
 * The names the module declares in its own top-level scope: its imports, functions, classes, `let`/`const` and every
 * `var` outside a function. The bindings' line must not declare these again (that is a SyntaxError), and the module's
 * own declaration is what its code means by them anyway.
 */
function topLevelNames(program: acorn.Program): Set<string> {
  const names = new Set<string>();
  const declare = (d: any, topLevel: boolean): void => {
    if (!d) return;
    if (d.type === 'VariableDeclaration' && (topLevel || d.kind === 'var')) d.declarations.forEach((v: any) => patternNames(v.id, names));
    else if (topLevel && (d.type === 'FunctionDeclaration' || d.type === 'ClassDeclaration') && d.id) names.add(d.id.name);
    else if (topLevel && d.type === 'ImportDeclaration') d.specifiers.forEach((s: any) => names.add(s.local.name));
    else if (topLevel && /^Export(Named|Default)Declaration$/.test(d.type)) declare(d.declaration, true);
  };
  // `var` in blocks, loops and `try` belongs to the top-level scope too; a function starts a scope of its own.
  const visit = (n: any, topLevel: boolean): void => {
    if (!n || typeof n.type !== 'string' || /Function|Class/.test(n.type)) return;
    declare(n, topLevel);
    for (const key of Object.keys(n)) {
      const v = n[key];
      if (Array.isArray(v)) v.forEach((c) => visit(c, false));
      else if (v && typeof v === 'object' && typeof v.type === 'string') visit(v, false);
    }
  };
  for (const statement of program.body) {
    declare(statement, true);
    visit(statement, false);
  }
  return names;
}

function loaderOf(file: string): esbuild.Loader {
  return /\.[mc]?ts$/.test(file) ? 'ts' : 'js';
}

/** TypeScript stripped (and the module format converted), nothing else: for the files a hook does not rewrite. */
export function plainTransform(source: string, file: string, format: ModuleFormat): esbuild.TransformResult {
  try {
    return esbuild.transformSync(source, { loader: loaderOf(file), format, sourcefile: file, sourcemap: 'external', target: 'es2022', logLevel: 'silent' });
  } catch (e) {
    const first = (e as esbuild.TransformFailure).errors?.[0];
    const loc = first?.location;
    throw new EngineError('syntax', first?.text ?? (e as Error).message, loc ? { file, line: loc.line, column: loc.column + 1 } : { file });
  }
}

/** esbuild's result with its source map inline, as Node and the test runners read it. */
export function withInlineMap(code: string, map: string): string {
  return `${code}\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(map).toString('base64')}\n`;
}

/** The rewritten module without its first line, and esbuild's source map of it: what the live locator maps positions through. */
export function rewriteModule(
  source: string,
  file: string,
  format: ModuleFormat,
  mlMatrix: string,
): { rewritten: Rewritten; map: string; declared: Set<string> } {
  const out = plainTransform(source, file, format);
  const sourceType = format === 'esm' ? 'module' : 'script';
  let code = out.code;
  // From the last to the first, so earlier offsets stay valid.
  // One parse for both: replacing the ml-matrix specifiers changes no declaration.
  const program = acorn.parse(code, { ecmaVersion: 'latest', sourceType, allowHashBang: true });
  const declared = topLevelNames(program);
  const sources = /\bml-matrix\b/.test(code) ? mlMatrixSources(program) : [];
  for (const s of sources.reverse()) code = code.slice(0, s.start) + JSON.stringify(mlMatrix) + code.slice(s.end);
  return { rewritten: rewriteOperators(code, sourceType), map: out.map, declared };
}

/**
 * `source` of `file` as the live hooks load it, in `format`: the bindings on a line of their own, then the rewritten
 * module, whose lines are esbuild's, and the source map of that text (esbuild's, shifted by the bindings' line; the
 * rewrite moves columns only). `exactPositions` says the runner executes this text as it is (Node, jest), so the
 * engine may map call sites back to the source itself; vitest transforms it further and maps stacks itself.
 */
export function transformLiveWithMap(source: string, file: string, format: ModuleFormat, engine: EngineEntry, exactPositions = true): { code: string; map: string } {
  const { rewritten, map, declared } = rewriteModule(source, file, format, engine.mlMatrix);
  const names = `{ ${boundNames.filter((n) => n === '__ad' || !declared.has(n)).join(', ')} }`;
  const args = [JSON.stringify(file), ...(exactPositions ? [JSON.stringify(format)] : [])].join(', ');
  const head =
    format === 'esm'
      ? `import { __dlensLive as __dl_live } from ${JSON.stringify(engine.api)}; const ${names} = __dl_live(${args});`
      : `const ${names} = require(${JSON.stringify(engine.api)}).__dlensLive(${args});`;
  const parsed = JSON.parse(map) as { mappings: string };
  return { code: `${head}\n${rewritten.code}`, map: JSON.stringify({ ...parsed, mappings: `;${parsed.mappings}` }) };
}

/** The same with the source map inline, as Node and jest read it. */
export function transformLive(source: string, file: string, format: ModuleFormat, engine: EngineEntry): string {
  const { code, map } = transformLiveWithMap(source, file, format, engine);
  return withInlineMap(code, map);
}
