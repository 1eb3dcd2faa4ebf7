// `node --import derivative-lens/register`: the load hooks that rewrite the user's modules for live derivative checks (ES modules and CommonJS).
import { readFileSync } from 'node:fs';
import Module, { register } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { filterFromEnvironment, shouldRewrite } from './filter';
import { plainTransform, transformLive, withInlineMap } from './transform';

const filter = filterFromEnvironment();
register('./live-hooks.mjs', import.meta.url, { data: filter });

// Node 20's hooks do not see `require`: CommonJS modules (and .ts files required from them) go through
// require's extension handlers, the way CommonJS instrumenters hook in.
const engineDir = path.dirname(fileURLToPath(import.meta.url));
const engine = { api: path.join(engineDir, 'api.js'), mlMatrix: path.join(engineDir, 'ml-matrix.cjs') };
type CompilingModule = { _compile(code: string, file: string): void };
const handlers = (Module as unknown as { _extensions: Record<string, (module: CompilingModule, file: string) => void> })._extensions;
for (const ext of ['.js', '.cjs', '.ts', '.cts']) {
  const previous = handlers[ext] ?? handlers['.js'];
  const typescript = ext.endsWith('ts');
  handlers[ext] = (module, file) => {
    if (shouldRewrite(file, filter, engineDir)) return module._compile(transformLive(readFileSync(file, 'utf8'), file, 'cjs', engine), file);
    if (!typescript) return previous(module, file);
    const out = plainTransform(readFileSync(file, 'utf8'), file, 'cjs');
    module._compile(withInlineMap(out.code, out.map), file);
  };
}
