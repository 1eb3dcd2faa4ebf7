// @vscode/test-cli config: `npx vscode-test` runs the trusted extension-host suites in a downloaded desktop VS Code (build first: node scripts/build.mjs --tests).
import { defineConfig } from '@vscode/test-cli';
import { readFileSync } from 'node:fs';

// The untrusted set needs workspace trust on, which @vscode/test-electron turns off: test/vscode/run-suites.mjs runs it.
const { trusted } = JSON.parse(readFileSync(new URL('./test/exthost/suites.json', import.meta.url), 'utf8'));

export default defineConfig({
  label: 'extension host (trusted)',
  version: '1.100.3',
  files: trusted.map((name) => `out/test/exthost/${name}.test.js`),
  workspaceFolder: 'test/fixtures/workspace',
  mocha: { ui: 'tdd', timeout: 60_000 },
  launchArgs: ['--disable-extensions'],
});
