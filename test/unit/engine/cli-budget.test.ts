// The CLI's --budget-ms: fast mode when nothing fits, its plan in the JSON and the text, and a clear error for a bad value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../../..');
const founding = path.join(root, 'examples/founding-loss.ts');
const run = (...args: string[]) => spawnSync(process.execPath, [path.join(root, 'dist/cli.js'), 'check', founding, '--function', 'softmaxLoss', ...args], { cwd: root, encoding: 'utf8' });

test('--budget-ms 0 runs fast mode; the JSON and the text say so, with what a pass guarantees', () => {
  const json = run('--budget-ms', '0', '--json');
  const report = JSON.parse(json.stdout);
  assert.equal(report.checkPlan.mode, 'fast');
  assert.equal(report.checkPlan.budgetMs, 0);
  assert.ok(report.checkPlan.evaluations.f > 0);
  assert.match(report.checkPlan.reason, /^the per-entry check would need ~[\d,]+ evaluations of f/);
  assert.match(report.checkPlan.guarantee[0], /passes all 3 random ±1 directions with probability ≤ 2\^-3/);
  const text = run('--budget-ms', '0').stdout;
  assert.match(text, /finite differences: fast mode, [\d,]+ evaluations of f and [\d,]+ gradients \(budget 0\.0 s\)/);
  assert.match(text, /a pass means: gradient: an error larger than/);
});

test('without --budget-ms the founding example fits the default budget: per-entry, as before', () => {
  const report = JSON.parse(run('--json').stdout);
  assert.equal(report.checkPlan.mode, 'per-entry');
  assert.equal(report.checkPlan.budgetMs, 2000);
  assert.deepEqual(report.checkPlan.guarantee, []);
});

test('a bad --budget-ms is a usage error (exit 2) that changes nothing', () => {
  const r = run('--budget-ms', 'soon');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--budget-ms expects a non-negative number, got 'soon'/);
  assert.equal(r.stdout, '');
});
