// Places what a live check meets (kinks, refusals) on the user's TypeScript lines: raw call sites in rewritten modules, mapped back through the hook's transform.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createLocator, type Locator } from '../load/sourcemap';
import type { SourceLocation } from '../types';
import { rewrittenModules } from './bindings';
import { rewriteModule } from './transform';

const locators = new Map<string, Locator | null>();

/** The module's locator, from its source as it is on disk now (the transform is deterministic). */
function locatorOf(file: string): Locator | null {
  let locator = locators.get(file);
  if (locator === undefined) {
    const format = rewrittenModules.get(file);
    try {
      // The specifier's text does not matter here: it only changes columns on import lines.
      const { rewritten, map } = format ? rewriteModule(readFileSync(file, 'utf8'), file, format, 'ml-matrix') : { rewritten: undefined, map: '' };
      // Line 1 of the loaded text holds the bindings; the rewritten module starts on line 2.
      locator = rewritten ? createLocator(map, { toInput: (line, column) => rewritten.toInput(line - 1, column) }, '/') : null;
    } catch {
      locator = null;
    }
    locators.set(file, locator);
  }
  return locator;
}

/** Call sites as V8 records them, before any runner's or Node's source-map support rewrites the stack text. */
export function rawCallSites(): { file: string; line: number; column: number }[] {
  const { prepareStackTrace, stackTraceLimit } = Error;
  Error.prepareStackTrace = (_error, sites) => sites;
  Error.stackTraceLimit = 60;
  try {
    const sites = new Error().stack as unknown as NodeJS.CallSite[];
    return sites.flatMap((s) => {
      const name = s.getFileName();
      const line = s.getLineNumber();
      const column = s.getColumnNumber();
      return name && line && column ? [{ file: name.startsWith('file:') ? fileURLToPath(name) : name, line, column }] : [];
    });
  } finally {
    Error.prepareStackTrace = prepareStackTrace;
    Error.stackTraceLimit = stackTraceLimit;
  }
}

const stackFrame = /\(?((?:file:\/\/)?[^\s()]+?):(\d+):(\d+)\)?$/;

/**
 * For setLocator during a live check: the innermost frame in a rewritten module, in the user's source. Modules that
 * run as the hook wrote them are mapped from raw call sites; the others (vitest's) from the stack text, which their
 * runner has already mapped through the transform's source map.
 */
export function locateLive(stack: string): SourceLocation | undefined {
  for (const site of rawCallSites()) {
    if (site.line < 2 || !rewrittenModules.get(site.file)) continue;
    const where = locatorOf(site.file)?.locate(site.line, site.column);
    if (where) return where;
  }
  for (const frame of stack.split('\n')) {
    const m = stackFrame.exec(frame.trim());
    if (!m) continue;
    const file = m[1].startsWith('file:') ? fileURLToPath(m[1]) : m[1];
    if (rewrittenModules.has(file) && rewrittenModules.get(file) === undefined) return { file, line: Number(m[2]), column: Number(m[3]) };
  }
  return undefined;
}
