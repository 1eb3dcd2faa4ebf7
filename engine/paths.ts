// Parses wrt paths (`W`, `p.layers[1].W`, `this.w`, `W, b`): a syntax error names the character it is at.
import { EngineError } from './types';
import { pathText, type Step } from './tree';

export interface WrtPath {
  /** The parameter (or `this`) the path starts at, and the steps below it. */
  root: string;
  steps: Step[];
  /** The path as the user reads it, normalised (`p.layers[1].W`). */
  text: string;
}

const identStart = /[A-Za-z_$]/;
const identPart = /[\w$]/;

/** Thrown with the text and a caret under the offending character, so the message shows where. */
function syntax(source: string, at: number, what: string, where: string): never {
  throw new EngineError('bad-argument', `${where}: ${what} at character ${at + 1}\n  ${source}\n  ${' '.repeat(at)}^`);
}

/** One or more paths separated by commas; `where` prefixes messages (`--wrt`, `@dlens-wrt`). */
export function parseWrtPaths(source: string, where: string): WrtPath[] {
  const paths: WrtPath[] = [];
  let i = 0;
  const skipSpaces = () => {
    while (i < source.length && /\s/.test(source[i])) i++;
  };
  const identifier = (): string => {
    if (i >= source.length || !identStart.test(source[i])) syntax(source, i, i >= source.length ? 'a name is missing' : `expected a name, found '${source[i]}'`, where);
    const start = i;
    while (i < source.length && identPart.test(source[i])) i++;
    return source.slice(start, i);
  };
  for (;;) {
    skipSpaces();
    const root = identifier();
    const steps: Step[] = [];
    for (;;) {
      if (source[i] === '.') {
        i++;
        steps.push(identifier());
      } else if (source[i] === '[') {
        i++;
        skipSpaces();
        const start = i;
        if (source[i] === '"' || source[i] === "'") {
          const quote = source[i++];
          while (i < source.length && source[i] !== quote) i++;
          if (i >= source.length) syntax(source, start, 'unterminated string', where);
          steps.push(source.slice(start + 1, i++));
        } else {
          while (i < source.length && /\d/.test(source[i])) i++;
          if (i === start) syntax(source, i, i >= source.length ? 'an index is missing' : `expected an index, found '${source[i]}'`, where);
          steps.push(Number(source.slice(start, i)));
        }
        skipSpaces();
        if (source[i] !== ']') syntax(source, i, i >= source.length ? "']' is missing" : `expected ']', found '${source[i]}'`, where);
        i++;
      } else break;
    }
    paths.push({ root, steps, text: pathText(root, steps) });
    skipSpaces();
    if (i >= source.length) break;
    if (source[i] !== ',') syntax(source, i, `expected '.', '[' or ',', found '${source[i]}'`, where);
    i++;
  }
  for (const [k, p] of paths.entries()) {
    const overlap = paths.slice(0, k).find((q) => isPrefix(q, p) || isPrefix(p, q));
    if (overlap) throw new EngineError('bad-argument', `${where}: ${p.text} and ${overlap.text} overlap: name each part once`);
  }
  return paths;
}

/** Whether `outer` contains `inner` (same root, outer's steps a prefix of inner's). */
export function isPrefix(outer: Pick<WrtPath, 'root' | 'steps'>, inner: Pick<WrtPath, 'root' | 'steps'>): boolean {
  return outer.root === inner.root && outer.steps.length <= inner.steps.length && outer.steps.every((s, k) => s === inner.steps[k]);
}
