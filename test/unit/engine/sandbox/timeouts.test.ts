// The time limit stops a step that makes no progress and says which one, with numbers; it never stops a healthy long check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { runCheck } from '../../../../engine/run';
import { timeoutMessage } from '../../../../engine/sandbox/timeout';
import { EngineError } from '../../../../engine/types';

const file = path.join(__dirname, '../../../test/fixtures/load/virtual-timeouts.ts');

async function timeoutOf(text: string, functionName: string, at: Record<string, number | number[]>): Promise<string> {
  const error = await runCheck({ file, text, functionName, at, options: { timeoutMs: 1000 } }).then(
    () => assert.fail('expected a timeout'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof EngineError && error.info.kind === 'timeout', String(error));
  return error.info.message;
}

test('a loop in the module\'s top-level code is named as such', async () => {
  const message = await timeoutOf('while (true) {}\nexport function f(x: number): number { return x * x; }', 'f', { x: 1 });
  assert.equal(message, 'loading the module of f did not finish within 1 s (a runaway loop in its top-level code?)');
});

test('a loop reached only at a perturbed point is placed in the finite differences, after the evaluations that worked', async () => {
  const text = 'export function f(x: number[]): number {\n  if (x[0] !== 1) while (true) {}\n  return x[0] * x[1];\n}';
  const message = await timeoutOf(text, 'f', { x: [1, 2] });
  assert.match(message, /^an evaluation of f during the finite-difference checks \((per-entry mode, )?after \d+ of ~\d+ evaluations\) did not finish within 1 s \(one evaluation takes [\d.e-]+ ms\): a runaway loop at a perturbed point\?$/);
});

test('a check longer than the limit that keeps making progress is not stopped', async () => {
  // A few ms per evaluation and ~360 evaluations (40 entries, per-entry mode): longer than the 1 s limit in all.
  const text = [
    'export function slow(x: number[]): number {',
    '  let s = 0;',
    '  for (let k = 0; k < 300000; k++) s += Math.sin(k) * 1e-12;',
    '  return x.reduce((a, v) => a + v * v, 0) + s;',
    '}',
  ].join('\n');
  const x = Array.from({ length: 40 }, (_, i) => i / 10);
  const report = await runCheck({ file, text, functionName: 'slow', at: { x }, options: { timeoutMs: 1000, checkBudgetMs: 600_000 } });
  assert.equal(report.verdict, 'pass');
  assert.equal(report.checkPlan?.mode, 'per-entry');
  assert.ok(report.timingsMs.finiteDifference > 1000, `${report.timingsMs.finiteDifference} ms`);
});

test('the words of each phase', () => {
  assert.equal(timeoutMessage('tsneCost', '10 s', { phase: 'evaluating', done: 0, total: 1 }), 'one evaluation of tsneCost did not finish within 10 s (a runaway loop?)');
  assert.equal(
    timeoutMessage('tsneCost', '10 s', { phase: 'differentiating', done: 0, total: 1, evaluationMs: 50 }),
    'recording tsneCost and computing its gradient and Hessian diagonal made no progress for 10 s (one evaluation takes 50 ms)',
  );
  assert.equal(
    timeoutMessage('tsneCost', '10 s', { phase: 'finite-differences', done: 1234, total: 3600, evaluationMs: 50, mode: 'per-entry' }),
    'an evaluation of tsneCost during the finite-difference checks (per-entry mode, after 1,234 of ~3,600 evaluations) did not finish within 10 s (one evaluation takes 50 ms): a runaway loop at a perturbed point?',
  );
});
