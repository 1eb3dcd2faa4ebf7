// `npm test`: type-check, build, unit tests (node --test), then the suites that run inside a real VS Code (code-server).
// `npm run test:unit` (or --unit) stops after the unit tests.
import { spawnSync } from 'node:child_process';
import { readdirSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const unitOnly = process.argv.includes('--unit');

function step(title, cmd, args, env = {}) {
  console.log(`\n== ${title}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) {
    console.error(`\n${title} failed (exit ${r.status ?? r.signal}).`);
    process.exit(r.status || 1);
  }
}

step('type-check', 'npx', ['tsc', '--noEmit', '-p', '.']);
step('build', 'node', ['scripts/build.mjs', '--tests']);
const unitDir = join(root, 'out/test/unit');
const files = readdirSync(unitDir).filter((f) => f.endsWith('.test.cjs')).map((f) => join('out/test/unit', f));
step('unit tests', 'node', ['--test', '--test-reporter=spec', ...files]);

if (!unitOnly) {
  const suites = join(root, 'test/vscode/run-suites.mjs');
  if (existsSync(suites)) step('real VS Code suites', 'node', [suites]);
}
