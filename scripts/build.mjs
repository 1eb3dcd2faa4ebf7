// Bundles the extension, the CLI, the evaluation worker, the library API (with its declarations), the webview and the bench into dist/ (and tests into out/ with --tests).
import * as esbuild from 'esbuild';
import { readdirSync, existsSync, mkdirSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  absWorkingDir: root,
  // esbuild is a native binary and must stay a real package next to the bundle.
  external: ['esbuild', 'vscode'],
};

const builds = [
  { entryPoints: ['extension/extension.ts'], outfile: 'dist/extension.js' },
  // Loaded by the extension on first use, so activation stays light.
  { entryPoints: ['engine/host-api.ts'], outfile: 'dist/engine-host.js' },
  // The executable is a small launcher that runs cli-main.js through a V8 code cache (engine/cli-cache.ts).
  { entryPoints: ['engine/cli-cache.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  { entryPoints: ['engine/cli.ts'], outfile: 'dist/cli-main.js' },
  { entryPoints: ['engine/sandbox/worker.ts'], outfile: 'dist/worker.js' },
  { entryPoints: ['engine/api.ts'], outfile: 'dist/api.js' },
  { entryPoints: ['bench/bench.ts'], outfile: 'dist/bench.js', external: ['esbuild', 'vscode', '@tensorflow/*'] },
  { entryPoints: ['extension/webview/main.ts'], outfile: 'dist/webview.js', platform: 'browser', format: 'iife', target: 'es2022', sourcemap: false },
].filter((b) => existsSync(join(root, b.entryPoints[0])));

if (args.has('--tests')) {
  const unit = join(root, 'test/unit');
  for (const f of readdirSync(unit).filter((f) => f.endsWith('.ts'))) {
    builds.push({
      entryPoints: [`test/unit/${f}`],
      outfile: `out/test/unit/${f.replace(/\.ts$/, '.cjs')}`,
      external: ['esbuild', 'vscode', 'typescript', 'ml-matrix'],
    });
  }
  // Unit tests start the real worker: build it beside them.
  builds.push({ entryPoints: ['engine/sandbox/worker.ts'], outfile: 'out/test/unit/worker.js' });
  const exthost = join(root, 'test/exthost');
  if (existsSync(exthost)) {
    for (const f of readdirSync(exthost).filter((f) => f.endsWith('.ts'))) {
      builds.push({ entryPoints: [`test/exthost/${f}`], outfile: `out/test/exthost/${f.replace(/\.ts$/, '.js')}`, external: ['vscode', 'mocha'] });
    }
  }
}

/** The library API's declarations (dist/types), for `import { checkDerivatives } from 'derivative-lens'` in TypeScript. */
function declarations() {
  return new Promise((resolvePromise, reject) => {
    const tsc = spawn(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.api.json')], { stdio: 'inherit' });
    tsc.on('exit', (code) => (code === 0 ? resolvePromise() : reject(new Error(`declarations: tsc exited with ${code}`))));
  });
}

mkdirSync(join(root, 'dist'), { recursive: true });
await Promise.all([...builds.map((b) => esbuild.build({ ...common, ...b, external: b.external ?? common.external })), declarations()]);
