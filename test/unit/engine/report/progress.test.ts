// Progress: the events a check emits in order, the CLI's stderr line only on a terminal and never with --json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { overallPercent, progressLine, progressText } from '../../../../engine/report/progress';
import { runCheck } from '../../../../engine/run';
import type { CheckProgress } from '../../../../engine/types';

const root = path.resolve(__dirname, '../../..');
const founding = path.join(root, 'examples/founding-loss.ts');

test('a check reports its phases in order, with done ≤ total, and the percentage only grows', async () => {
  const seen: CheckProgress[] = [];
  await runCheck({ file: founding, functionName: 'softmaxLoss' }, undefined, (p) => seen.push(p));
  const phases = [...new Set(seen.map((p) => p.phase))];
  assert.deepEqual(phases, ['bundling', 'loading', 'evaluating', 'differentiating', 'finite-differences', 'supplied']);
  for (const p of seen) assert.ok(p.done >= 0 && p.done <= p.total, JSON.stringify(p));
  const percents = seen.map(overallPercent);
  percents.forEach((v, i) => assert.ok(i === 0 || v >= percents[i - 1], `${percents.join(' ')}`));
  assert.ok(seen.some((p) => p.phase === 'finite-differences' && p.mode !== undefined && p.evaluationMs !== undefined));
});

/** A stand-in for process.stderr that records what is written. */
function fakeStream(isTTY: boolean): NodeJS.WriteStream & { written: string } {
  const s = { isTTY, written: '', write: (t: string) => ((s.written += t), true) };
  return s as unknown as NodeJS.WriteStream & { written: string };
}

test('the progress line is drawn in place on a terminal, erased at the end, and absent on a pipe or when not wanted', () => {
  const p: CheckProgress = { phase: 'finite-differences', done: 12, total: 48, mode: 'fast' };
  assert.equal(progressText(p), 'finite differences (fast mode) 12/48 25%');
  const tty = fakeStream(true);
  const line = progressLine(tty, true);
  line.update(p);
  line.clear();
  assert.equal(tty.written, '\r\x1b[2Kfinite differences (fast mode) 12/48 25%\r\x1b[2K');
  for (const [isTTY, wanted] of [[false, true], [true, false]]) {
    const s = fakeStream(isTTY);
    const quiet = progressLine(s, wanted);
    quiet.update(p);
    quiet.clear();
    assert.equal(s.written, '', `isTTY ${isTTY}, wanted ${wanted}`);
  }
});

test('the CLI writes nothing on stderr when it is not a terminal, with and without --json', () => {
  for (const json of [[], ['--json']]) {
    // Exit 1: the example's hand-written "Hessian diagonal" is the row sums; a failed check says so on stdout only.
    const r = spawnSync(process.execPath, [path.join(root, 'dist/cli.js'), 'check', founding, '--function', 'softmaxLoss', ...json], { cwd: root, encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stderr, '');
  }
});
