// Bundles the extension, the CLI, the evaluation worker, the library API (with its declarations), the webview and the bench into dist/ (and tests into out/ with --tests).
import * as esbuild from 'esbuild';
import { readdirSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { spawn } from 'node:child_process';
import { join, dirname, basename } from 'node:path';
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
  // The live load hooks: Node's (register + the hooks thread, ES modules), vitest's plugin, jest's transform.
  { entryPoints: ['engine/live/register.ts'], outfile: 'dist/register.mjs', format: 'esm' },
  { entryPoints: ['engine/live/node-hooks.ts'], outfile: 'dist/live-hooks.mjs', format: 'esm' },
  { entryPoints: ['engine/live/vitest.ts'], outfile: 'dist/vitest.mjs', format: 'esm' },
  { entryPoints: ['engine/live/jest.ts'], outfile: 'dist/jest.js' },
  { entryPoints: ['bench/bench.ts'], outfile: 'dist/bench.js', external: ['esbuild', 'vscode', '@tensorflow/*'] },
  { entryPoints: ['extension/webview/main.ts'], outfile: 'dist/webview.js', platform: 'browser', format: 'iife', target: 'es2022', sourcemap: false },
].filter((b) => existsSync(join(root, b.entryPoints[0])));

if (args.has('--tests')) {
  // Unit tests mirror the source folders; their bundles land side by side in out/test/unit (paths from __dirname and
  // the worker beside them stay the same), so their names must be unique.
  // Emptied first: a renamed test must not leave its old bundle behind for scripts/test.mjs to run.
  rmSync(join(root, 'out/test/unit'), { recursive: true, force: true });
  const seen = new Map();
  for (const f of unitTestSources()) {
    const name = basename(f).replace(/\.ts$/, '.cjs');
    if (seen.has(name)) throw new Error(`two unit test files bundle to out/test/unit/${name}: ${seen.get(name)} and ${f}`);
    seen.set(name, f);
    builds.push({ entryPoints: [f], outfile: `out/test/unit/${name}`, external: ['esbuild', 'vscode', 'typescript', 'ml-matrix'] });
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

/** The unit test entry points under test/unit, every folder but helpers/ (modules the tests import). */
function unitTestSources(dir = 'test/unit') {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? (e.name === 'helpers' ? [] : unitTestSources(`${dir}/${e.name}`)) : e.name.endsWith('.ts') ? [`${dir}/${e.name}`] : [],
  );
}

/** The library API's declarations (dist/types), for `import { checkDerivatives } from 'derivative-lens'` in TypeScript. */
function declarations() {
  return new Promise((resolvePromise, reject) => {
    const tsc = spawn(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.api.json')], { stdio: 'inherit' });
    tsc.on('exit', (code) => (code === 0 ? resolvePromise() : reject(new Error(`declarations: tsc exited with ${code}`))));
  });
}

/**
 * The ml-matrix stand-in as a module of its own, for the imports of ml-matrix the live hooks redirect: ES modules need
 * their export names written out (ml-matrix's own), CommonJS takes the object.
 */
function mlMatrixStandIn() {
  const names = Object.keys(createRequire(import.meta.url)('ml-matrix')).filter((k) => k !== 'default');
  const stand = 'api.__dlensLive().mlMatrix';
  writeFileSync(
    join(root, 'dist/ml-matrix.mjs'),
    `// The ml-matrix stand-in for ES modules rewritten by the live hooks (written by scripts/build.mjs).\nimport api from './api.js';\n` +
      `const standIn = ${stand};\nexport const { ${names.join(', ')} } = standIn;\nexport default standIn.default;\n`,
  );
  writeFileSync(
    join(root, 'dist/ml-matrix.cjs'),
    `// The ml-matrix stand-in for CommonJS modules rewritten by the live hooks (written by scripts/build.mjs).\nconst api = require('./api.js');\nmodule.exports = ${stand};\n`,
  );
}

mkdirSync(join(root, 'dist'), { recursive: true });
mlMatrixStandIn();
await Promise.all([...builds.map((b) => esbuild.build({ ...common, ...b, external: b.external ?? common.external })), declarations()]);
