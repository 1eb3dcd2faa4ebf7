// `derivative-lens/vitest`: a Vite plugin that rewrites the user's modules for live derivative checks inside vitest.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { shouldRewrite, type LiveFilter } from './filter';
import { transformLiveWithMap } from './transform';

const engineDir = path.dirname(fileURLToPath(import.meta.url));
const engine = { api: path.join(engineDir, 'api.js'), mlMatrix: path.join(engineDir, 'ml-matrix.mjs') };

export default function derivativeLens(filter: LiveFilter = {}) {
  return {
    name: 'derivative-lens',
    // Before Vite's own TypeScript transform: the source goes through the engine's esbuild transform, as with Node.
    enforce: 'pre' as const,
    // The engine runs natively, as one instance shared by the rewritten modules and the test's own import.
    // (vitest reads a string here as a package name, so the folder goes in as a pattern).
    config: () => ({ test: { server: { deps: { external: [new RegExp(`^${engineDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/`)] } } } }),
    transform(code: string, id: string) {
      const file = id.split('?')[0];
      if (id.startsWith('\0') || !shouldRewrite(file, filter, engineDir)) return null;
      // Vite transforms the result further, so call sites are not in this text's positions; vitest maps stacks through the map.
      return transformLiveWithMap(code, file, 'esm', engine, false);
    },
  };
}
