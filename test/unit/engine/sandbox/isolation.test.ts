// Isolation between checks: nothing one check's code changes reaches the next, handed-in objects lead to no Function constructor, many checks leak nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { runCheck } from '../../../../engine/run';
import { checkDerivatives } from '../../../../engine/api';
import { formatReport } from '../../../../engine/report/text';

const root = path.join(__dirname, '../../..');
const file = path.join(root, 'test/fixtures/isolation/contamination.ts');
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

test('a check that patches prototypes, the Matrix stand-in and, later, in a promise callback changes nothing for the next check', async () => {
  const before = await runCheck({ file, functionName: 'sumSquares' });
  await runCheck({ file, functionName: 'patcher', at: { x: [1, 2] } });
  const after = await runCheck({ file, functionName: 'sumSquares' });
  for (const r of [before, after]) {
    // f = Σ x² + Σ x at [1, 2, 3]: 14 + 6; the gradient 2x + 1; the supplied 3x is wrong.
    assert.equal(r.value, 20);
    assert.deepEqual(r.gradient, [3, 5, 7]);
    assert.equal(r.checks.find((c) => c.id === 'supplied-gradient')!.status, 'fail');
  }
});

test('no handed-in object (inputs, active numbers, console, Number, Math, the stand-ins) leads to a Function constructor that sees process', async () => {
  const r = await runCheck({ file, functionName: 'escapes', at: { x: [1.5, 2] } });
  assert.deepEqual(r.console, ['reached 0, refused 8']);
  assert.equal(r.value, 4.5);
  // The inputs are the evaluation context's own arrays: their Function is the context's, which compiles nothing from strings.
  await assert.rejects(runCheck({ file, functionName: 'directEscape', at: { x: [1] } }), /Code generation from strings disallowed for this context/);
});

// Each check starts a fresh worker that warms up first: 200 take about 16 s on an idle 2-core machine.
test('200 checks in one process: no listener warning, a flat heap', async () => {
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.name);
  process.on('warning', onWarning);
  const square = (x: number) => x * x;
  const heapAfter = async (n: number) => {
    for (let i = 0; i < n; i++) assert.equal((await checkDerivatives(square, { at: [3] })).gradient, 6);
    gc();
    return process.memoryUsage().heapUsed;
  };
  const early = await heapAfter(20);
  const late = await heapAfter(180);
  process.off('warning', onWarning);
  assert.deepEqual(warnings, []);
  // Retained state per check would show as growth proportional to the 180 later checks: 2 MB is 11 KB a check.
  assert.ok(late - early < 2 * 2 ** 20, `heap grew by ${((late - early) / 2 ** 20).toFixed(1)} MB over 180 checks`);
});

test('typed arrays count towards the memory limit: a clear out-of-memory error, not a swollen process', async () => {
  const t = performance.now();
  await assert.rejects(runCheck({ file, functionName: 'typedArrays', at: { x: 1 }, options: { memoryMb: 256 } }), (e: Error) => {
    assert.match(e.message, /typedArrays ran out of memory \(resident memory grew past the 256 MB limit; typed arrays count\)/);
    return true;
  });
  assert.ok(performance.now() - t < 10_000);
});

test('console: a 30 MB line and a thousand more are capped in the worker, and only one evaluation is captured', async () => {
  const r = await runCheck({ file, functionName: 'chatty', at: { x: 2 } });
  assert.equal(r.gradient, 4);
  const lines = r.console!;
  assert.equal(lines.length, 201);
  assert.match(lines[0], /^x{1000}… \(31,456,280 more characters\)$/);
  assert.deepEqual(lines.slice(1, 3), ['line 0', 'line 1']);
  // 1,000 lines per evaluation and hundreds of evaluations: the rest of the first evaluation's lines are counted.
  assert.match(lines[200], /^… 801 more lines \(\d+ KB\) not shown$/);
  assert.ok(lines.join('').length < 25_000);
  const once = await runCheck({ file, functionName: 'printsEachCall', at: { x: 2 } });
  assert.deepEqual(once.console, ['value 2 [1, 2] { a: 1 }', '\x1b[2Jtwo\nlines']);
  // The CLI's text report shows escape sequences as � and keeps continuation lines indented.
  assert.match(formatReport(once, { color: false }), /\nconsole\n {2}value 2 \[1, 2\] \{ a: 1 \}\n {2}\ufffd\[2Jtwo\n {2}lines\n/);
});

test("a million-deep returned array, a throwing stack getter and an unprintable thrown value are the user's errors, at the function", async () => {
  const src = (await import('node:fs')).readFileSync(file, 'utf8').split('\n');
  for (const name of ['deepResult', 'hostileError', 'hostileThrown']) {
    const line = src.findIndex((l) => l.includes(`export function ${name}(`)) + 1;
    await assert.rejects(runCheck({ file, functionName: name, at: { x: 1 } }), (e: any) => {
      assert.notEqual(e.info.kind, 'internal', `${name}: ${e.message}`);
      assert.doesNotMatch(e.message, /internal error/);
      assert.equal(e.info.file, file);
      assert.equal(e.info.line, line, `${name}: ${e.message}`);
      return true;
    });
  }
});
