// Maps positions in the rewritten bundle back to the user's TypeScript: rewritten column → bundle column → source map.
import * as path from 'node:path';
import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';
import type { SourceLocation } from '../types';
import type { Rewritten } from './rewrite';

/** The file name the sandbox gives the bundle, so stack frames of user code can be told apart from the engine's. */
export const bundleFileName = 'dlens-bundle.js';

const frameRe = new RegExp(`${bundleFileName.replace(/\./g, '\\.')}:(\\d+):(\\d+)`);

/** The map's `sources` are URLs (esbuild writes `<` as %3C and `%` as %25): the file's real name, decoded. */
function decodeSource(source: string): string {
  try {
    return decodeURIComponent(source);
  } catch {
    return source;
  }
}

export interface Locator {
  /** 1-based line and column in the rewritten code → the TS source, when the source map covers it. */
  locate(line: number, column: number): SourceLocation | undefined;
  /** The first frame of an Error stack that lies in user code. */
  locateStack(stack: string): SourceLocation | undefined;
  /** The stack's frames in user code, innermost first, as the user reads them: "sumOfLogs (throws.ts:3:11)". */
  userFrames(stack: string): string[];
}

/** "    at name (…dlens-bundle.js:12:5)" or "    at …dlens-bundle.js:12:5": the function's name, when V8 gave one. */
const namedFrameRe = /^\s*at (?:(?:async )?([^\s(]+) \()?/;

/**
 * @param map the bundle's source map (JSON text)
 * @param sourceRoot the folder the map's relative `sources` are relative to
 */
export function createLocator(map: string, rewritten: Pick<Rewritten, 'toInput'>, sourceRoot: string): Locator {
  const trace = new TraceMap(map);
  const locate = (line: number, column: number): SourceLocation | undefined => {
    const inBundle = rewritten.toInput(line, column - 1);
    const pos = originalPositionFor(trace, { line: inBundle.line, column: inBundle.column });
    if (pos.source === null || pos.line === null || pos.column === null) return undefined;
    return { file: path.resolve(sourceRoot, decodeSource(pos.source)), line: pos.line, column: pos.column + 1 };
  };
  return {
    locate,
    locateStack(stack) {
      for (const frame of stack.split('\n')) {
        const m = frameRe.exec(frame);
        if (!m) continue;
        const loc = locate(Number(m[1]), Number(m[2]));
        if (loc) return loc;
      }
      return undefined;
    },
    userFrames(stack) {
      const frames: string[] = [];
      for (const frame of stack.split('\n')) {
        const m = frameRe.exec(frame);
        const loc = m && locate(Number(m[1]), Number(m[2]));
        if (!loc) continue;
        const where = `${path.basename(loc.file)}:${loc.line}:${loc.column}`;
        const name = namedFrameRe.exec(frame)?.[1];
        frames.push(name ? `${name} (${where})` : where);
      }
      return frames;
    },
  };
}
