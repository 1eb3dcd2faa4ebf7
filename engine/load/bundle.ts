// Bundles the user's module with esbuild from the document's current text, exporting the names the sandbox needs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { builtinModules } from 'node:module';
import * as esbuild from 'esbuild';
import { EngineError } from '../types';
import { bundleFileName } from './sourcemap';

/** The global the bundle's IIFE assigns the module's exports to. */
export const moduleGlobal = '__dlens_module';
/** The global the sandbox puts the ml-matrix stand-in on; the bundle's `ml-matrix` module reads it. */
export const mlMatrixGlobal = '__dl_mlmatrix';

export interface Bundle {
  code: string;
  /** Source map (JSON text); its `sources` are relative to `sourceRoot`. */
  map: string;
  sourceRoot: string;
  ms: number;
}

const builtins = new Set(builtinModules.filter((m) => !m.startsWith('_')));

/** The module's bare name when `spec` names a Node built-in (fs, node:fs, fs/promises, ...). */
function nodeBuiltin(spec: string): string | undefined {
  const bare = spec.startsWith('node:') ? spec.slice(5) : spec;
  return builtins.has(bare) || builtins.has(bare.split('/')[0]) || spec.startsWith('node:') ? spec : undefined;
}

const sandboxPlugin: esbuild.Plugin = {
  name: 'dlens-sandbox',
  setup(build) {
    build.onResolve({ filter: /^ml-matrix(\/.*)?$/ }, () => ({ path: 'ml-matrix', namespace: 'dlens-mlmatrix' }));
    build.onLoad({ filter: /.*/, namespace: 'dlens-mlmatrix' }, () => ({ contents: `module.exports = ${mlMatrixGlobal};`, loader: 'js' }));
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      const name = nodeBuiltin(args.path);
      if (!name) return undefined;
      return {
        errors: [{ text: `imports Node built-in '${name}': checked code gets no Node modules (it runs in a vm context without require or process)` }],
      };
    });
  },
};

/** Validated names only: `aliases` maps export alias → a top-level name of the module. */
function exportLine(aliases: Record<string, string>): string {
  const items = Object.entries(aliases).map(([alias, local]) => `${local} as ${alias}`);
  return `export { ${items.join(', ')} };\n`;
}

function errorKind(e: esbuild.Message): 'import' | 'syntax' {
  return e.pluginName === 'dlens-sandbox' || /Could not resolve|No matching export|import/i.test(e.text) ? 'import' : 'syntax';
}

/**
 * The file an esbuild message names, as the caller knows it. esbuild writes it relative to the real working folder:
 * resolved against a path through a symbolic link, its `..` steps lead to a file that does not exist.
 */
function messageFile(file: string, relative: string): string {
  const dir = path.dirname(file);
  let realDir = dir;
  try {
    realDir = fs.realpathSync(dir);
  } catch {
    // The folder is gone or unreadable: the path as given is the best there is.
  }
  const resolved = path.resolve(realDir, relative);
  if (resolved === path.join(realDir, path.basename(file))) return file;
  // Another file of the module (an import): under the caller's folder when it is there, else its real path.
  const underDir = path.join(dir, path.relative(realDir, resolved));
  return resolved.startsWith(realDir + path.sep) ? underDir : resolved;
}

/**
 * Bundles `text` (the document as it is now, saved or not) as if it were `file`, with one line appended that exports
 * the checked function, supplied functions and constants under the given aliases.
 */
export async function bundleModule(file: string, text: string, aliases: Record<string, string>): Promise<Bundle> {
  const t0 = performance.now();
  const dir = path.dirname(file);
  const contents = (text.endsWith('\n') ? text : `${text}\n`) + exportLine(aliases);
  let result: esbuild.BuildResult & { outputFiles: esbuild.OutputFile[] };
  try {
    result = await esbuild.build({
      stdin: { contents, sourcefile: file, resolveDir: dir, loader: 'ts' },
      absWorkingDir: dir,
      bundle: true,
      write: false,
      format: 'iife',
      globalName: moduleGlobal,
      platform: 'neutral',
      mainFields: ['module', 'main'],
      target: 'es2022',
      sourcemap: 'external',
      sourcesContent: false,
      outfile: path.join(dir, bundleFileName),
      logLevel: 'silent',
      plugins: [sandboxPlugin],
    });
  } catch (e) {
    const first = (e as esbuild.BuildFailure).errors?.[0];
    if (!first) throw new EngineError('internal', `esbuild failed: ${(e as Error).message}`);
    const loc = first.location;
    throw new EngineError(errorKind(first), first.text, loc ? { file: messageFile(file, loc.file), line: loc.line, column: loc.column + 1 } : { file });
  }
  const js = result.outputFiles.find((o) => o.path.endsWith('.js'));
  const map = result.outputFiles.find((o) => o.path.endsWith('.map'));
  if (!js || !map) throw new EngineError('internal', 'esbuild produced no bundle');
  return { code: js.text, map: map.text, sourceRoot: dir, ms: performance.now() - t0 };
}

/** Syntax errors of a text on its own (no imports followed), for when no function could be found in it. */
export async function syntaxError(file: string, text: string): Promise<EngineError | undefined> {
  try {
    await esbuild.transform(text, { loader: 'ts', sourcefile: file, logLevel: 'silent' });
    return undefined;
  } catch (e) {
    const first = (e as esbuild.TransformFailure).errors?.[0];
    if (!first) return undefined;
    const loc = first.location;
    return new EngineError('syntax', first.text, loc ? { file, line: loc.line, column: loc.column + 1 } : { file });
  }
}
