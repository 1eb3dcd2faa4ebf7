// `npm run package`: builds dist/, puts the native esbuild package beside the bundles, and runs `vsce package` offline.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function run(cmd, args) {
  console.log(`$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status || 1);
}

run(process.execPath, ['scripts/build.mjs']);

// esbuild stays outside the bundle (its binary must be a real file); bundled code resolves it from dist/node_modules.
const platformPackage = `@esbuild/${process.platform}-${process.arch}`;
const target = join(root, 'dist/node_modules');
rmSync(target, { recursive: true, force: true });
for (const pkg of ['esbuild', platformPackage]) {
  const from = join(root, 'node_modules', pkg);
  if (!existsSync(from)) {
    console.error(`${from} is missing: run npm install first.`);
    process.exit(1);
  }
  // esbuild's own bin/ is its command-line copy of the binary; the API only needs lib/ and the platform package.
  cpSync(from, join(target, pkg), { recursive: true, dereference: true, filter: (src) => pkg !== 'esbuild' || !src.startsWith(join(from, 'bin')) });
}

// README links are relative; vsce rewrites them against the repository (which is not on GitHub, so it must be told).
const repo = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).repository.url.replace(/\.git$/, '');
const base = ['--baseContentUrl', `${repo}/blob/HEAD`, '--baseImagesUrl', `${repo}/raw/HEAD`];

// The .vsix carries this machine's esbuild binary, so it is platform-specific: say so to the marketplace.
const vsceTarget = `${process.platform === 'win32' ? 'win32' : process.platform}-${process.arch}`;
run(process.execPath, [join(root, 'node_modules/@vscode/vsce/vsce'), 'package', '--no-dependencies', '--target', vsceTarget, ...base, ...process.argv.slice(2)]);
