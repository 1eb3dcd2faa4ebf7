// `derivative-lens/jest`: a jest transform that strips TypeScript and rewrites the user's modules for live derivative checks.
import * as path from 'node:path';
import { shouldRewrite, type LiveFilter } from './filter';
import { plainTransform, transformLive, withInlineMap } from './transform';

const engineDir = __dirname;

interface TransformOptions {
  supportsStaticESM?: boolean;
  transformerConfig?: LiveFilter;
}

function process(source: string, file: string, options: TransformOptions = {}): { code: string } {
  const format = options.supportsStaticESM ? 'esm' : 'cjs';
  if (!shouldRewrite(file, options.transformerConfig ?? {}, engineDir)) {
    const out = plainTransform(source, file, format);
    return { code: withInlineMap(out.code, out.map) };
  }
  const mlMatrix = path.join(engineDir, format === 'esm' ? 'ml-matrix.mjs' : 'ml-matrix.cjs');
  return { code: transformLive(source, file, format, { api: path.join(engineDir, 'api.js'), mlMatrix }) };
}



// jest takes the default export of a module marked as an ES module.
export default { process };
