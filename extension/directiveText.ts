// Reading and writing directive text without `vscode`: where the cursor is in a doc comment, and the directive block for a function.

import type { FunctionInfo, ParamInfo } from '../engine/types';

/** How far back to look for the `/**` that opens the comment a position is in. */
export const commentLookBehind = 20_000;

/** True when `textBefore` ends inside an unclosed `/** … ` comment. */
export function insideDocComment(textBefore: string): boolean {
  const open = textBefore.lastIndexOf('/**');
  return open >= 0 && textBefore.lastIndexOf('*/') < open;
}

/** What a completion at the end of `linePrefix` should offer. */
export type DirectiveSlot =
  | { kind: 'tag'; typed: string }
  | { kind: 'parameter'; tag: string; typed: string }
  | { kind: 'function'; tag: string; typed: string }
  | { kind: 'constant'; tag: string; typed: string };

const parameterTags = new Set(['dlens-at', 'dlens-wrt']);
const functionTags = new Set(['dlens-gradient', 'dlens-hessian-diagonal', 'dlens-objective']);

export function directiveSlot(linePrefix: string): DirectiveSlot | undefined {
  const tag = /@(dlens-[\w-]*|dlens|dlen|dle|dl|d)?$/.exec(linePrefix);
  if (tag && /(^|\s)$/.test(linePrefix.slice(0, tag.index))) return { kind: 'tag', typed: tag[1] ?? '' };
  const arg = /@(dlens-[\w-]+)\s+([\w$]*)$/.exec(linePrefix);
  if (!arg) return undefined;
  if (parameterTags.has(arg[1])) return { kind: 'parameter', tag: arg[1], typed: arg[2] };
  if (functionTags.has(arg[1])) return { kind: 'function', tag: arg[1], typed: arg[2] };
  if (arg[1] === 'dlens-this') return { kind: 'constant', tag: arg[1], typed: arg[2] };
  return undefined;
}

/** The tag name under `column` of `line` ("dlens-at"), for hovers. */
export function tagAt(line: string, column: number): { tag: string; start: number; end: number } | undefined {
  for (const m of line.matchAll(/@(dlens-[\w-]+)/g)) {
    const start = m.index!;
    const end = start + m[0].length;
    if (column >= start && column <= end) return { tag: m[1], start, end };
  }
  return undefined;
}

/** The function a doc comment at `offset` belongs to: the one whose doc comment contains it, else the next one below. */
export function functionForComment(functions: FunctionInfo[], offset: number): FunctionInfo | undefined {
  const owner = functions.find((f) => f.docStart !== undefined && f.docEnd !== undefined && f.docStart <= offset && offset <= f.docEnd);
  return owner ?? functions.filter((f) => f.start >= offset).sort((a, b) => a.start - b.start)[0];
}

/** A seeded default point that suits the parameter's kind, in directive syntax. */
export function defaultPoint(p: ParamInfo): string {
  switch (p.kind) {
    case 'number':
      return '0.5';
    case 'vector':
    case 'float64array':
      return 'normal(5, seed=1)';
    case 'matrix-array':
    case 'matrix':
      return 'normal(4x3, seed=1)';
    default:
      return '[0.5, -1, 2]';
  }
}

/** Snippet syntax treats `$`, `}` and `\` specially; identifiers may contain `$`. */
function escapeSnippet(s: string): string {
  return s.replace(/[$}\\]/g, (c) => `\\${c}`);
}

/**
 * The directive lines for `fn` as snippet text, with tab stops on every value. `prefix` starts each line
 * (" * " inside a comment). The first numeric parameter is the default wrt.
 */
export function directiveSnippetLines(fn: FunctionInfo, prefix: string): string[] {
  const lines: string[] = [];
  let stop = 1;
  for (const p of fn.params) lines.push(`${prefix}@dlens-at ${escapeSnippet(p.name)} = \${${stop++}:${escapeSnippet(defaultPoint(p))}}`);
  const wrt = fn.params.find((p) => p.kind !== 'unknown') ?? fn.params[0];
  if (wrt) lines.push(`${prefix}@dlens-wrt \${${stop++}:${escapeSnippet(wrt.name)}}`);
  const base = escapeSnippet(fn.name);
  lines.push(`${prefix}@dlens-gradient \${${stop++}:${base}Gradient}`);
  lines.push(`${prefix}@dlens-hessian-diagonal \${${stop++}:${base}HessianDiagonal}`);
  return lines;
}

/** A whole doc comment of directives, for a function that has none. */
export function directiveBlockSnippet(fn: FunctionInfo, indent: string): string {
  return [`${indent}/**`, ...directiveSnippetLines(fn, `${indent} * `), `${indent} */`, ''].join('\n');
}
