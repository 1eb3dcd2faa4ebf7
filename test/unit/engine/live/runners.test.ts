// The README's "In your tests" setups, run for real: the fixture project's live checks under node:test, vitest and jest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../../..');
const fixture = path.join(root, 'test/fixtures/runners');

function runIn(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    // No colours, no CI reporters that would change what the runners print, and not node:test's child of this run.
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', CI: '' };
    delete env.NODE_TEST_CONTEXT;
    const child = spawn(process.execPath, args, { cwd: fixture, env });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** The fixture's cases (engine/../test/fixtures/runners/cases.ts), each one a test in every runner. */
const CASES = 6;

test('node:test with --import derivative-lens/register, ES modules and CommonJS', { timeout: 180_000 }, async () => {
  // The same cases twice: from an ES module test file, and from a CommonJS one through require.
  const { code, output } = await runIn(['--import', 'derivative-lens/register', '--test', 'node/model.test.ts', 'node/model-cjs.test.cjs']);
  assert.equal(code, 0, output);
  assert.match(output, new RegExp(`# pass ${2 * CASES}\\n# fail 0`), output);
});

test('vitest with the derivative-lens/vitest plugin', { timeout: 180_000 }, async () => {
  const { code, output } = await runIn([path.join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'vitest/vitest.config.mts', '--root', '.']);
  assert.equal(code, 0, output);
  assert.match(output, new RegExp(`Tests\\s+${CASES} passed \\(${CASES}\\)`), output);
});

test('jest with the derivative-lens/jest transform', { timeout: 180_000 }, async () => {
  const { code, output } = await runIn([path.join(root, 'node_modules/jest/bin/jest.js'), '--config', 'jest/jest.config.cjs']);
  assert.equal(code, 0, output);
  assert.match(output, new RegExp(`Tests:\\s+${CASES} passed, ${CASES} total`), output);
});
