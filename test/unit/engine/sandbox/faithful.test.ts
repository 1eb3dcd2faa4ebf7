// Faithful evaluation: the engine computes what plain JavaScript computes (truthiness, defaults, typed arrays, Math.random) or stops and says where.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCheck } from '../../../../engine/run';
import { seededUniform } from '../../../../engine/random';
import { EngineError, type CheckRequest, type Nested, type Report } from '../../../../engine/types';

const dir = path.join(__dirname, '../../../test/fixtures/faithful');
const reproductions = path.join(dir, 'reproductions.ts');
const semantics = path.join(dir, 'semantics.ts');

function lineOf(file: string, needle: string): number {
  const i = fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, `${needle} not in ${file}`);
  return i + 1;
}

function close(actual: Nested, expected: Nested, tol = 1e-12): void {
  const a = [actual].flat(3) as number[];
  const e = [expected].flat(3) as number[];
  assert.equal(a.length, e.length);
  a.forEach((v, k) => assert.ok(Math.abs(v - e[k]) <= tol * Math.max(1, Math.abs(e[k])), `entry ${k}: ${v} vs ${e[k]}`));
}

/** Value, gradient and Hessian diagonal against closed forms, and every check passing (FD agrees with the engine). */
async function expectExact(req: CheckRequest, value: number, gradient: Nested, diagonal: Nested): Promise<Report> {
  const r = await runCheck(req);
  close(r.value, value);
  close(r.gradient as Nested, gradient);
  close(r.hessianDiagonal as Nested, diagonal);
  assert.equal(r.verdict, 'pass', r.checks.map((c) => c.summary).join('\n'));
  return r;
}

async function expectStop(req: CheckRequest, kind: string, message: RegExp, file: string, marker: string): Promise<void> {
  await assert.rejects(runCheck(req), (e: unknown) => {
    assert.ok(e instanceof EngineError, String(e));
    assert.equal(e.info.kind, kind, e.info.message);
    assert.match(e.info.message, message);
    assert.equal(e.info.line, lineOf(file, marker), e.info.message);
    return true;
  });
}

const x = [0.5, 2];

test('reproduction 1: a default parameter gets its value in code, an optional one stays undefined', async () => {
  const Y = [
    [0.5, 0.2, -0.1],
    [0.3, 0.9, 0.4],
  ];
  const T = [
    [1, 0, 0],
    [0, 1, 0],
  ];
  const value = Y.flat().reduce((s, y, k) => s + (y - T.flat()[k]) ** 2, 0);
  const r = await expectExact({ file: reproductions, functionName: 'loss', at: { Y } }, value, Y.map((row, i) => row.map((y, j) => 2 * (y - T[i][j]))), [[2, 2, 2], [2, 2, 2]]);
  assert.deepEqual(r.inputs, [
    { name: 'Y', source: 'at', shape: [2, 3] },
    { name: 'T', source: 'default-value' },
    { name: 'scale', source: 'omitted' },
  ]);
  assert.deepEqual(Object.keys(r.point), ['Y']);
});

test('reproduction 2: an active 0 is falsy, so the branch plain JavaScript takes is the one differentiated', async () => {
  await expectExact({ file: reproductions, functionName: 'masked', at: { x: [0.3, 2] } }, 4, [0, 4], [0, 2]);
});

test('reproduction 3: Float32Array keeps derivatives, rounds as JavaScript does, and a correct supplied gradient passes', async () => {
  const p0 = Math.fround(0.3);
  const r = await expectExact({ file: reproductions, functionName: 'stretch', at: { x: [0.3, 2] } }, p0 * p0 + 16, [2 * p0, 16], [2, 8]);
  assert.equal(r.value, p0 * p0 + 16, 'the value is float32-rounded exactly as plain JavaScript rounds it');
  assert.ok(r.notes.some((n) => /Math\.fround .*float32 is taken as the identity/.test(n)), r.notes.join('\n'));
  assert.equal(r.checks.find((c) => c.id === 'supplied-gradient')?.status, 'pass');
});

test('reproduction 4: Math.random in a constructor whose weights the point overwrites does not stop the check', async () => {
  const at = [0.5, -1, 2];
  const r = await expectExact({ file: reproductions, functionName: 'model', at: { x: at } }, 7.125, at.map((v) => 3 * v * v), at.map((v) => 6 * v));
  assert.ok(r.notes.some((n) => /^Math\.random: up to 3 calls per evaluation; seeded with 1/.test(n)), r.notes.join('\n'));
});

test('Math.random draws the same numbers in every evaluation, from the seed asked for', async () => {
  for (const seed of [1, 7]) {
    const rnd = seededUniform(seed)();
    const r = await expectExact({ file: reproductions, functionName: 'jittered', at: { x }, options: { seed } }, rnd * 0.25 + 2, [2 * rnd * 0.5, 1], [2 * rnd, 0]);
    assert.ok(r.notes.some((n) => n.includes(`seeded with ${seed}`)), r.notes.join('\n'));
  }
});

test('a failure with generated inputs names them and the directive that would fix it', async () => {
  const file = path.join(dir, 'virtual-generated.ts');
  const text = 'export function pick(Y: number[][], T: number[][]): number {\n  return Y[0][0] * T[9][0];\n}\n';
  await assert.rejects(runCheck({ file, text, functionName: 'pick' }), (e: unknown) => {
    assert.ok(e instanceof EngineError);
    assert.match(e.info.message, /^Cannot read properties of undefined/);
    assert.match(e.info.message, /generated inputs: Y \(normal 4×3, seed 1\), T \(normal 4×3, seed 1\).*@dlens-at Y = /);
    return true;
  });
});

test('||, && and ?? return the chosen operand, so derivatives flow through it', async () => {
  // f = (1 + x₁)·x₀ + x₀ (every other term is z = x₀ − x₀ = 0).
  await expectExact({ file: semantics, functionName: 'logical', at: { x } }, 2, [4, 0.5], [0, 0]);
});

test('!, ?:, while, Boolean() (also as a filter callback) and ||= test an active value by its value', async () => {
  // f = x₀² + x₁ + 1 + x₁ + x₁.
  await expectExact({ file: semantics, functionName: 'conditions', at: { x } }, 7.25, [1, 3], [2, 0]);
});

test('switch matches an active discriminant by value', async () => {
  await expectExact({ file: semantics, functionName: 'switched', at: { x } }, 6, [0, 3], [0, 0]);
});

test('=== and Object.is compare active values as numbers', async () => {
  await expectExact({ file: semantics, functionName: 'equality', at: { x } }, 2.5, [1, 1], [0, 0]);
});

test('the module runs as strict code, as a TypeScript module does: no receiver in a plain call, no implicit globals', async () => {
  await expectExact({ file: semantics, functionName: 'strictThis', at: { x } }, 1.5, [3, 0], [0, 0]);
  await expectStop({ file: semantics, functionName: 'undeclared', at: { x } }, 'threw', /totl is not defined/, semantics, 'marker:undeclared');
});

test('includes, indexOf and lastIndexOf find active entries by value', async () => {
  await expectExact({ file: semantics, functionName: 'searching', at: { x } }, 5, [0, 1], [0, 0]);
});

test('sort(), String(), template literals, toFixed, Number.isInteger and JSON.stringify see values', async () => {
  // sort() orders '0.5' before '2': f = 10·x₀ + x₁ + 1 + x₁ + '{"a":0.5}'.length.
  await expectExact({ file: semantics, functionName: 'strings', at: { x } }, 19, [10, 2], [0, 0]);
});

test('an active Map key, an integer typed array store and a DataView store stop the check at their line', async () => {
  await expectStop({ file: semantics, functionName: 'keyed', at: { x } }, 'unsupported', /^Map key: .*compared by identity/, semantics, 'marker:map-key');
  await expectStop({ file: semantics, functionName: 'integers', at: { x } }, 'unsupported', /^Int32Array store: an integer array keeps integers, not derivatives/, semantics, 'marker:int-store');
  await expectStop({ file: semantics, functionName: 'viewed', at: { x } }, 'unsupported', /^DataView store: a DataView keeps bytes/, semantics, 'marker:dataview');
});

test('the safety net: a recording that parts from plain JavaScript is an error naming the line where they part', async () => {
  await expectStop(
    { file: semantics, functionName: 'filtered', at: { x } },
    'diverged',
    /recording computed 6 but plain JavaScript computes 5: .*part at line \d+: plain JavaScript computed 4, the recording 0$/,
    semantics,
    'marker:parted',
  );
});

test('Math.random called while the module loads gives both module copies the same numbers, and the note counts those calls', async () => {
  const file = path.join(dir, 'virtual-weights.ts');
  const text = 'const W = [Math.random(), Math.random()];\nexport function f(x: number[]): number {\n  return W[0] * x[0] * x[0] + W[1] * x[1];\n}\n';
  const u = seededUniform(1);
  const [w0, w1] = [u(), u()];
  const r = await runCheck({ file, text, functionName: 'f', at: { x } });
  close(r.value, w0 * 0.25 + w1 * 2);
  close(r.gradient as number[], [2 * w0 * 0.5, w1]);
  assert.equal(r.verdict, 'pass');
  assert.ok(r.notes.some((n) => /^Math\.random: 2 while the module loaded; seeded with 1/.test(n)), r.notes.join('\n'));
});
