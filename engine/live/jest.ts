// `derivative-lens/jest`: a jest transform that strips TypeScript and rewrites the user's modules for live derivative checks.
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import * as path from 'node:path';
import { shouldRewrite, type LiveFilter } from './filter';
import { plainTransform, transformLiveWithMap } from './transform';

const engineDir = __dirname;

interface TransformOptions {
  supportsStaticESM?: boolean;
  transformerConfig?: LiveFilter;
}

function transform(source: string, file: string, options: TransformOptions = {}): { code: string; map: string } {
  const format = options.supportsStaticESM ? 'esm' : 'cjs';
  if (!shouldRewrite(file, options.transformerConfig ?? {}, engineDir)) {
    const out = plainTransform(source, file, format);
    return { code: out.code, map: out.map };
  }
  const mlMatrix = path.join(engineDir, format === 'esm' ? 'ml-matrix.mjs' : 'ml-matrix.cjs');
  return transformLiveWithMap(source, file, format, { api: path.join(engineDir, 'api.js'), mlMatrix });
}

/** jest caches transformed files by this key: the source, where it is, the options, and this engine's build. */
function getCacheKey(source: string, file: string, options: TransformOptions = {}): string {
  const hash = createHash('sha256');
  for (const part of [source, file, JSON.stringify(options.transformerConfig ?? {}, (_k, v) => (v instanceof RegExp ? String(v) : v)), String(!!options.supportsStaticESM), buildStamp()]) hash.update(part).update('\0');
  return hash.digest('hex');
}

/** The engine bundle's size and time: a rebuilt or upgraded engine invalidates jest's cached transforms. */
function buildStamp(): string {
  const { size, mtimeMs } = statSync(path.join(engineDir, 'api.js'));
  return `${size}:${mtimeMs}`;
}

// jest takes the default export of a module marked as an ES module.
export default { process: transform, getCacheKey };
