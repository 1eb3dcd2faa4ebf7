// @vscode/test-cli config: `npx vscode-test` runs the trusted extension-host suites in a downloaded desktop VS Code (build first: node scripts/build.mjs --tests).
import { defineConfig } from '@vscode/test-cli';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { prepareWorkspace } from './test/vscode/workspace.mjs';

// The untrusted set needs workspace trust on, which @vscode/test-electron turns off: test/vscode/run-suites.mjs runs it.
const root = fileURLToPath(new URL('.', import.meta.url));
const workspace = prepareWorkspace(root, `${root}.vscode-test/workspace`);
const { trusted } = JSON.parse(readFileSync(new URL('./test/exthost/suites.json', import.meta.url), 'utf8'));

export default defineConfig({
  label: 'extension host (trusted)',
  version: '1.100.3',
  files: trusted.map((name) => `out/test/exthost/${name}.test.js`),
  workspaceFolder: workspace,
  mocha: { ui: 'tdd', timeout: 60_000 },
  launchArgs: ['--disable-extensions'],
});
