// Reading and writing directive text without `vscode`: where the cursor is in a doc comment, and the directive block for a function.

import { tagText, type DirectiveTag } from '../engine/directive-tags';
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

const parameterTags = new Set<string>(['dlens-at', 'dlens-wrt'] satisfies DirectiveTag[]);
const functionTags = new Set<string>(['dlens-gradient', 'dlens-hessian-diagonal', 'dlens-objective'] satisfies DirectiveTag[]);

export function directiveSlot(linePrefix: string): DirectiveSlot | undefined {
  const tag = /@(dlens-[\w-]*|dlens|dlen|dle|dl|d)?$/.exec(linePrefix);
  if (tag && /(^|\s)$/.test(linePrefix.slice(0, tag.index))) return { kind: 'tag', typed: tag[1] ?? '' };
  const arg = /@(dlens-[\w-]+)\s+([\w$]*)$/.exec(linePrefix);
  if (!arg) return undefined;
  if (parameterTags.has(arg[1])) return { kind: 'parameter', tag: arg[1], typed: arg[2] };
  if (functionTags.has(arg[1])) return { kind: 'function', tag: arg[1], typed: arg[2] };
  if (arg[1] === ('dlens-this' satisfies DirectiveTag)) return { kind: 'constant', tag: arg[1], typed: arg[2] };
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

/** Helpers whose name suits `role` first ("…Gradient" for the gradient), then the rest in file order. */
export function helpersFor(role: 'gradient' | 'hessian-diagonal', helpers: string[]): string[] {
  const suits = role === 'gradient' ? /grad/i : /hess|diag/i;
  return [...helpers.filter((h) => suits.test(h)), ...helpers.filter((h) => !suits.test(h))];
}

/**
 * The directive lines for `fn` as snippet text, with tab stops on every value. `prefix` starts each line
 * (" * " inside a comment). The first numeric parameter is the default wrt. `helpers` are the file's functions that
 * return arrays: the supplied-derivative tags offer them as choices, and are left out when there is none to name.
 */
export function directiveSnippetLines(fn: FunctionInfo, prefix: string, helpers: string[] = []): string[] {
  const lines: string[] = [];
  let stop = 1;
  for (const p of fn.params) lines.push(`${prefix}${tagText('dlens-at')} ${escapeSnippet(p.name)} = \${${stop++}:${escapeSnippet(defaultPoint(p))}}`);
  const wrt = fn.params.find((p) => p.kind !== 'unknown') ?? fn.params[0];
  if (wrt) lines.push(`${prefix}${tagText('dlens-wrt')} \${${stop++}:${escapeSnippet(wrt.name)}}`);
  const choices = (names: string[]) => `\${${stop++}|${names.map((n) => escapeSnippet(n).replace(/[,|]/g, (c) => `\\${c}`)).join(',')}|}`;
  const others = helpers.filter((h) => h !== fn.name);
  if (others.length > 0) lines.push(`${prefix}${tagText('dlens-gradient')} ${choices(helpersFor('gradient', others))}`);
  if (others.some((h) => /hess|diag/i.test(h))) lines.push(`${prefix}${tagText('dlens-hessian-diagonal')} ${choices(helpersFor('hessian-diagonal', others))}`);
  return lines;
}

/** A whole doc comment of directives, for a function that has none. */
export function directiveBlockSnippet(fn: FunctionInfo, indent: string, helpers: string[] = []): string {
  return [`${indent}/**`, ...directiveSnippetLines(fn, `${indent} * `, helpers), `${indent} */`, ''].join('\n');
}

/** The indentation of the line `offset` is on. */
function indentAt(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))![0];
}

/**
 * The edit that adds the directive line `tagLine` ("@dlens-gradient g") to `fn`'s doc comment: a new comment when it
 * has none, a line above the closing `*\/` of a block, or a one-line comment opened up into a block.
 */
export function addDirectiveEdit(text: string, fn: FunctionInfo, tagLine: string): { start: number; end: number; text: string } {
  const indent = indentAt(text, fn.start);
  if (fn.docStart === undefined || fn.docEnd === undefined) {
    const lineStart = text.lastIndexOf('\n', fn.start - 1) + 1;
    return { start: lineStart, end: lineStart, text: `${indent}/** ${tagLine} */\n` };
  }
  const closingLineStart = text.lastIndexOf('\n', fn.docEnd - 1) + 1;
  if (text.slice(closingLineStart, fn.docEnd).trim() === '*/' && closingLineStart > fn.docStart) {
    return { start: closingLineStart, end: closingLineStart, text: `${indent} * ${tagLine}\n` };
  }
  const inner = text.slice(fn.docStart + 3, fn.docEnd - 2).trim();
  return { start: fn.docStart, end: fn.docEnd, text: `/**\n${inner ? `${indent} * ${inner}\n` : ''}${indent} * ${tagLine}\n${indent} */` };
}
