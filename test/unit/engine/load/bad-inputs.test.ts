// Every bad input gives a clear error (kind, message, file and line) or a clear failed check, and the next check still works.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCheck } from '../../../../engine/run';
import { EngineError, type CheckRequest, type ErrorKind, type Report } from '../../../../engine/types';

const fixtures = path.join(__dirname, '../../../test/fixtures/load');
const at = (name: string) => path.join(fixtures, name);
const bad = at('bad-functions.ts');

/** 1-based line of the first line of a fixture containing `needle`: where the test expects the error. */
function lineOf(file: string, needle: string): number {
  const i = fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, `${needle} not in ${file}`);
  return i + 1;
}

interface Case {
  name: string;
  req: CheckRequest;
  kind: ErrorKind;
  message: RegExp | string;
  file?: string;
  /** A needle whose line the error must point at. */
  line?: string;
  /** The whole run must end within this many ms. */
  within?: number;
}

const cases: Case[] = [
  { name: 'syntax error', req: { file: at('syntax-error.ts'), functionName: 'broken' }, kind: 'syntax', message: /Unexpected "\*"/, file: at('syntax-error.ts'), line: 'return y +* 3' },
  { name: 'function not found lists the candidates', req: { file: bad, functionName: 'nope' }, kind: 'not-found', message: /no function named 'nope' .*candidates: throwsHtml, throwsString, callsUndefined/ },
  { name: 'method by its bare name', req: { file: bad, functionName: 'loss' }, kind: 'not-found', message: /no function named 'loss' in .*: name the method with its owner \(Model\.loss\)$/ },
  { name: 'method at the cursor whose class needs constructor arguments', req: { file: bad, offset: fs.readFileSync(bad, 'utf8').indexOf('marker:method') }, kind: 'bad-argument', message: 'Model.loss: the constructor of Model needs arguments, so name the object to call loss on: --this CONSTANT or @dlens-this CONSTANT (a module constant holding a Model)', file: bad, line: '  loss(x: number)' },
  { name: 'nested function at the cursor', req: { file: bad, offset: fs.readFileSync(bad, 'utf8').indexOf('y * y; // marker:nested') }, kind: 'unsupported', message: '`inner` is a function inside `hasNested`: it cannot be called on its own. To check it, move it to the top level (or make it a method of a top-level class or of an object bound to a module constant)', file: bad, line: 'marker:nested' },
  { name: 'nested function by name', req: { file: bad, functionName: 'inner' }, kind: 'unsupported', message: /^`inner` is a function inside `hasNested`: it cannot be called on its own/, file: bad, line: 'marker:nested' },
  { name: 'cursor outside any function', req: { file: bad, offset: 5 }, kind: 'not-found', message: /no function at the cursor \(candidates: / },
  { name: 'bad directive JSON', req: { file: bad, functionName: 'badJson' }, kind: 'directive', message: /^@dlens-at: bad JSON/, file: bad, line: '@dlens-at x = [10, 20,' },
  { name: 'unknown directive tag', req: { file: bad, functionName: 'unknownTag' }, kind: 'directive', message: /^unknown tag @dlens-tolerance/, file: bad, line: '@dlens-tolerance' },
  { name: 'unknown wrt in a directive', req: { file: bad, functionName: 'unknownWrt' }, kind: 'directive', message: "@dlens-wrt: unknownWrt has no parameter 'y' (parameters: x)", file: bad, line: '@dlens-wrt y' },
  { name: 'unknown wrt in the request', req: { file: bad, functionName: 'returnsNaN', wrt: 'q' }, kind: 'bad-argument', message: "--wrt q: returnsNaN has no parameter 'q' (parameters: x)" },
  { name: 'unknown supplied function in a directive', req: { file: bad, functionName: 'unknownSupplied' }, kind: 'directive', message: "@dlens-hessian-diagonal: no function named 'hessianThatDoesNotExist' in this module", file: bad, line: 'hessianThatDoesNotExist' },
  { name: 'unknown supplied function in the request', req: { file: bad, functionName: 'returnsNaN', gradientFunction: 'gradNowhere' }, kind: 'not-found', message: /no function named 'gradNowhere'/ },
  { name: 'import not found', req: { file: at('missing-import.ts'), functionName: 'usesMissing' }, kind: 'import', message: /Could not resolve "\.\/does-not-exist"/, file: at('missing-import.ts'), line: "from './does-not-exist'" },
  { name: 'Node built-in import', req: { file: at('builtin-import.ts'), functionName: 'readsFiles' }, kind: 'import', message: "imports Node built-in 'node:fs': checked code gets no Node modules (it runs in a vm context without require or process)", file: at('builtin-import.ts'), line: "from 'node:fs'" },
  { name: 'Node built-in through require', req: { file: at('requires-fs.ts'), functionName: 'requiresFs' }, kind: 'import', message: /imports Node built-in 'fs'/, file: at('requires-fs.ts'), line: "require('fs')" },
  { name: 'throws an HTML-like message, kept verbatim', req: { file: bad, functionName: 'throwsHtml' }, kind: 'threw', message: '<b>html</b> & "quotes" stay as written', file: bad, line: 'marker:throw-html' },
  { name: 'throws a string', req: { file: bad, functionName: 'throwsString' }, kind: 'threw', message: 'a plain string' },
  { name: 'calls something undefined', req: { file: bad, functionName: 'callsUndefined' }, kind: 'threw', message: /helpers\.missing is not a function/, file: bad, line: 'marker:calls-undefined' },
  { name: 'a TypeError raised inside an operator on the user\'s behalf', req: { file: bad, functionName: 'mixesBigInt', at: { x: 2 } }, kind: 'threw', message: /Cannot mix BigInt and other types/, file: bad, line: 'marker:mixes-bigint' },
  { name: 'throws while the module loads', req: { file: at('throws-at-load.ts'), functionName: 'afterLoad' }, kind: 'threw', message: 'module failed to load: <i>table</i> & co', file: at('throws-at-load.ts'), line: 'throw new Error' },
  { name: 'infinite recursion', req: { file: bad, functionName: 'recursesForever' }, kind: 'threw', message: 'Maximum call stack size exceeded', file: bad },
  { name: 'while (true) {} times out', req: { file: bad, functionName: 'loopsForever', options: { timeoutMs: 1000 } }, kind: 'timeout', message: 'one evaluation of loopsForever did not finish within 1 s (a runaway loop?)', within: 1500, file: bad, line: 'function loopsForever' },
  { name: 'out of memory', req: { file: bad, functionName: 'eatsMemory', options: { memoryMb: 64, timeoutMs: 20000 } }, kind: 'out-of-memory', message: 'eatsMemory ran out of memory (heap limit 64 MB)' },
  { name: 'returns a string', req: { file: bad, functionName: 'returnsString' }, kind: 'bad-return', message: /^returnsString returned .*string.* — expected a number$/, file: bad, line: 'function returnsString' },
  { name: 'returns undefined', req: { file: bad, functionName: 'returnsUndefined' }, kind: 'bad-return', message: /^returnsUndefined returned undefined — expected a number$/ },
  { name: 'returns an array of 3', req: { file: bad, functionName: 'returnsThree', at: { x: [1, 2, 3] } }, kind: 'bad-return', message: /^returnsThree returned .*3.* — expected a number$/ },
  { name: 'returns NaN, naming the input', req: { file: bad, functionName: 'returnsNaN' }, kind: 'non-finite', message: /^returnsNaN returned NaN at .*x.*0\.5.*; the first non-finite value: Math\.sqrt gave NaN from -1\.25 \(line \d+\)/, file: bad, line: 'return Math.sqrt(-1 - x * x)' },
  { name: 'returns Infinity, naming the input', req: { file: bad, functionName: 'returnsInfinity', at: { x: [2, 3] } }, kind: 'non-finite', message: /^returnsInfinity returned Infinity at .*x.*; the first non-finite value: \/ gave Infinity from 2 \(line \d+\)/, file: bad, line: 'return x[0] / 0' },
  { name: 'evaluation point of the wrong shape', req: { file: bad, functionName: 'pointWrongShape' }, kind: 'bad-shape', message: 'Y: expected number[][] (a matrix), got a number', file: bad, line: '@dlens-at Y = 3' },
  { name: 'ragged evaluation point', req: { file: bad, functionName: 'pointRagged' }, kind: 'bad-shape', message: 'Y: ragged array: Y[1] has shape [1], Y[0] has [2]', file: bad, line: '@dlens-at Y = [[1, 2], [3]]' },
  { name: 'request point of the wrong shape', req: { file: bad, functionName: 'pointRagged', at: { Y: [1, 2] } }, kind: 'bad-shape', message: 'Y: expected number[][] (a matrix), got an array' },
  { name: 'empty array point', req: { file: bad, functionName: 'emptyVector', at: { x: [] } }, kind: 'bad-shape', message: 'x: empty array' },
  { name: 'request point for a parameter that does not exist', req: { file: bad, functionName: 'emptyVector', at: { z: 1 } }, kind: 'bad-argument', message: "--at z: emptyVector has no parameter 'z' (parameters: x)" },
  { name: 'module constant of the wrong kind', req: { file: bad, functionName: 'constantWrongShape' }, kind: 'bad-shape', message: 'Y = notAMatrix: expected number[][] (a matrix), got a string', file: bad, line: '@dlens-at Y = notAMatrix' },
  { name: 'ragged module constant', req: { file: bad, functionName: 'constantRagged' }, kind: 'bad-shape', message: /^Y = raggedConstant: ragged array/, file: bad, line: '@dlens-at Y = raggedConstant' },
  { name: 'bit operation on an active value', req: { file: bad, functionName: 'bitOnActive' }, kind: 'unsupported', message: /'\|': bit operations have no derivative/, file: bad, line: 'marker:bit' },
  { name: 'no process in the sandbox', req: { file: bad, functionName: 'usesProcess' }, kind: 'threw', message: 'process is not defined', file: bad, line: 'marker:process' },
  { name: 'no timers in the sandbox', req: { file: bad, functionName: 'usesTimer' }, kind: 'threw', message: 'setTimeout is not defined', file: bad, line: 'marker:timer' },
  { name: 'no parameters', req: { file: bad, functionName: 'noParams' }, kind: 'bad-argument', message: 'noParams has no parameters: there is nothing to differentiate', file: bad, line: 'function noParams' },
  { name: 'a parameter type without a default point', req: { file: bad, functionName: 'optionsParam' }, kind: 'bad-argument', message: /cannot make a default point for parameter 'opts' of type \{ scale: number; label: string \}/ },
  { name: 'file that does not exist', req: { file: at('no-such-file.ts'), functionName: 'f' }, kind: 'bad-argument', message: /^cannot read .*no-such-file\.ts: ENOENT$/ },
];

async function expectError(c: Case): Promise<void> {
  const t0 = performance.now();
  let error: unknown;
  try {
    await runCheck(c.req);
  } catch (e) {
    error = e;
  }
  const ms = performance.now() - t0;
  assert.ok(error instanceof EngineError, `expected an EngineError, got ${String(error)}`);
  const info = error.info;
  assert.equal(info.kind, c.kind, info.message);
  // The user's own message stays verbatim as the first line (a hint about generated inputs may follow).
  if (typeof c.message === 'string') assert.equal(info.message.split('\n')[0], c.message);
  else assert.match(info.message, c.message);
  assert.doesNotMatch(info.message, /\n\s+at /, 'no stack traces in messages');
  if (c.file) assert.equal(info.file, c.file);
  if (c.line) assert.equal(info.line, lineOf(c.file!, c.line), `line of ${c.line}`);
  if (c.within) assert.ok(ms < c.within, `took ${ms.toFixed(0)} ms`);
}

/** The check that must keep working: f = Σ (x_i + o_i)² at x = [0.5, 1.25, −2], o = [0.25, −0.5, 1.5]. */
async function goodCheckWorks(): Promise<void> {
  const r: Report = await runCheck({ file: at('good.ts'), functionName: 'sumSquares' });
  const shifted = [0.75, 0.75, -0.5];
  assert.ok(Math.abs(r.value - shifted.reduce((s, v) => s + v * v, 0)) < 1e-15);
  assert.deepEqual(r.gradient, shifted.map((v) => 2 * v));
  assert.deepEqual(r.hessianDiagonal, [2, 2, 2]);
  assert.equal(r.verdict, 'pass');
}

test('at least 30 bad inputs are covered', () => {
  assert.ok(cases.length >= 30, `${cases.length} cases`);
});

for (const c of cases) {
  test(`bad input: ${c.name}`, async () => {
    await expectError(c);
    await goodCheckWorks();
  });
}

test('a supplied gradient of the wrong shape is a failed check, not an error', async () => {
  const r = await runCheck({ file: bad, functionName: 'withWrongShapeGradient' });
  const check = r.checks.find((c) => c.id === 'supplied-gradient')!;
  assert.equal(check.status, 'fail');
  assert.match(check.summary, /gradWrongShape/);
  assert.match(check.summary, /\b2\b.*\b3\b|\b3\b.*\b2\b/, check.summary);
  assert.equal(r.verdict, 'fail');
  assert.deepEqual(r.gradient, [2, 4, 6]);
  await goodCheckWorks();
});

test('a supplied gradient that returns text fails its check with a clear reason', async () => {
  const r = await runCheck({ file: bad, functionName: 'withTextGradient' });
  const check = r.checks.find((c) => c.id === 'supplied-gradient')!;
  assert.equal(check.status, 'fail');
  assert.match(check.summary, /gradReturnsText .*string/, check.summary);
  await goodCheckWorks();
});

test('cancellation stops a running check promptly', async () => {
  const controller = new AbortController();
  const t0 = performance.now();
  const pending = runCheck({ file: bad, functionName: 'loopsForever' }, controller.signal);
  setTimeout(() => controller.abort(), 300);
  await assert.rejects(pending, (e: EngineError) => e.info.kind === 'cancelled');
  assert.ok(performance.now() - t0 < 1000);
  await goodCheckWorks();
});
