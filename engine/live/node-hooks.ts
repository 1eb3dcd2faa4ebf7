// Node's module customization hooks (registered by register.ts): .ts resolution, and user ES modules rewritten as they load.
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { filterFromEnvironment, shouldRewrite, type LiveFilter } from './filter';
import { plainTransform, transformLive, withInlineMap } from './transform';

interface ResolveContext {
  parentURL?: string;
  conditions: string[];
}
type NextResolve = (specifier: string, context: ResolveContext) => Promise<{ url: string; format?: string | null }>;
type NextLoad = (url: string, context: { format?: string | null }) => Promise<{ format: string; source?: string | ArrayBuffer | Uint8Array | null }>;

let filter: LiveFilter = filterFromEnvironment();
const engineDir = path.dirname(fileURLToPath(import.meta.url));
const engine = {
  api: pathToFileURL(path.join(engineDir, 'api.js')).href,
  mlMatrix: pathToFileURL(path.join(engineDir, 'ml-matrix.mjs')).href,
};

export function initialize(data: LiveFilter | undefined): void {
  if (data) filter = data;
}

/** TypeScript's spellings of a relative import: `./model.js` for model.ts, or no extension at all. */
function typescriptCandidates(specifier: string): string[] {
  const ext = path.extname(specifier);
  const swapped: Record<string, string> = { '.js': '.ts', '.mjs': '.mts', '.cjs': '.cts' };
  if (swapped[ext]) return [specifier.slice(0, -ext.length) + swapped[ext]];
  return ext === '' ? [`${specifier}.ts`, `${specifier}/index.ts`] : [];
}

export async function resolve(specifier: string, context: ResolveContext, next: NextResolve) {
  try {
    return await next(specifier, context);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND' || !/^\.\.?\//.test(specifier)) throw e;
    for (const candidate of typescriptCandidates(specifier)) {
      try {
        return await next(candidate, context);
      } catch {
        // try the next spelling
      }
    }
    throw e;
  }
}

export async function load(url: string, context: { format?: string | null }, next: NextLoad) {
  if (!url.startsWith('file:')) return next(url, context);
  const file = fileURLToPath(url);
  const typescript = /\.[mc]?ts$/.test(file);
  // .ts and .mts load as ES modules; CommonJS goes through require, which Node 20's hooks do not see.
  const format = /\.(ts|mts|mjs)$/.test(file) ? 'module' : context.format;
  if (format !== 'module') return next(url, context);
  const rewrite = shouldRewrite(file, filter, engineDir);
  if (!rewrite && !typescript) return next(url, context);
  const source = await readFile(file, 'utf8');
  if (!rewrite) {
    const out = plainTransform(source, file, 'esm');
    return { format: 'module', source: withInlineMap(out.code, out.map), shortCircuit: true };
  }
  return { format: 'module', source: transformLive(source, file, 'esm', engine), shortCircuit: true };
}
