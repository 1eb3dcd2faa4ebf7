// End-to-end checks through the worker: the founding case against its closed form, every parameter kind, the sandbox's globals, mapped locations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyseFile, runCheck } from '../../../../engine/run';
import type { Nested, Report } from '../../../../engine/types';

const root = path.join(__dirname, '../../..');
const cases = path.join(root, 'test/fixtures/load/sandbox-cases.ts');

function close(actual: Nested, expected: Nested, rel: number, label = ''): void {
  if (typeof expected === 'number') {
    assert.equal(typeof actual, 'number', label);
    assert.ok(Math.abs((actual as number) - expected) <= rel * Math.max(1, Math.abs(expected)), `${label}: ${actual} vs ${expected}`);
    return;
  }
  assert.ok(Array.isArray(actual) && actual.length === expected.length, label);
  expected.forEach((e, i) => close((actual as Nested[])[i], e, rel, `${label}[${i}]`));
}

/** The founding loss's closed forms (README "Why"): gradient a_i P_ij − w_j T_ij / c_j, diagonal a_i P_ij (1 − P_ij). */
function foundingClosedForm(Y: number[][], T: number[][], w: number[]): { value: number; gradient: number[][]; diagonal: number[][] } {
  const K = Y[0].length;
  const c = Array.from({ length: K }, (_, k) => T.reduce((s, row) => s + row[k], 0));
  const P = Y.map((row) => {
    const e = row.map(Math.exp);
    const z = e.reduce((s, v) => s + v, 0);
    return e.map((v) => v / z);
  });
  const a = T.map((row) => row.reduce((s, t, k) => s + (w[k] * t) / c[k], 0));
  let value = 0;
  T.forEach((row, i) => row.forEach((t, k) => (value -= ((w[k] * t) / c[k]) * Math.log(P[i][k]))));
  return {
    value,
    gradient: P.map((row, i) => row.map((p, j) => a[i] * p - (w[j] * T[i][j]) / c[j])),
    diagonal: P.map((row, i) => row.map((p) => a[i] * p * (1 - p))),
  };
}

test('the founding loss: exact diagonal, the story figures, and the row-sum pitfall named', async () => {
  const r = await runCheck({ file: path.join(root, 'examples/founding-loss.ts'), functionName: 'softmaxLoss' });
  const T = r.point.T as number[][];
  const cf = foundingClosedForm(r.point.Y as number[][], T, r.point.w as number[]);
  assert.deepEqual(r.shape, [7, 5]);
  assert.equal(r.wrt, 'Y');
  close(r.value, cf.value, 1e-13, 'value');
  close(r.gradient as Nested, cf.gradient, 1e-12, 'gradient');
  close(r.hessianDiagonal as Nested, cf.diagonal, 1e-12, 'diagonal');
  const d = r.hessianDiagonal as number[][];
  for (const [i, hot] of [0, 1, 3, 2, 4, 4, 4].entries()) {
    close(d[i][hot], i < 4 ? 0.24090069 : 0.08030023, 1e-8, `hot ${i}`);
    close(d[i][(hot + 1) % 5], i < 4 ? 0.12669198 : 0.04223066, 1e-8, `cold ${i}`);
  }
  const byId = Object.fromEntries(r.checks.map((c) => [c.id, c]));
  assert.equal(byId['gradient-vs-fd'].status, 'pass');
  assert.equal(byId['hessian-diagonal-vs-fd'].status, 'pass');
  assert.equal(byId['supplied-gradient'].status, 'pass');
  assert.equal(byId['supplied-hessian-diagonal'].status, 'fail');
  assert.match(byId['supplied-hessian-diagonal'].explanation ?? '', /row sums/);
  assert.equal(r.verdict, 'fail');
  assert.deepEqual(r.directives.map((x) => x.tag), ['dlens-at', 'dlens-at', 'dlens-at', 'dlens-wrt', 'dlens-gradient', 'dlens-hessian-diagonal']);
  const src = fs.readFileSync(path.join(root, 'examples/founding-loss.ts'), 'utf8').split('\n');
  assert.equal(src[r.directives[5].location.line - 1].trim(), '* @dlens-hessian-diagonal softmaxLossHessianRowSums');
  assert.equal(src[r.location!.line - 1].includes('export function softmaxLoss('), true);
  for (const [k, v] of Object.entries(r.timingsMs)) assert.ok(Number.isFinite(v) && v >= 0, k);
  assert.ok(r.timingsMs.total >= r.timingsMs.bundle);
});

test('the founding loss as ml-matrix code, checked through a { grad, hess } objective', async () => {
  const r = await runCheck({ file: path.join(root, 'examples/founding-loss-matrix.ts'), functionName: 'softmaxLossMatrix' });
  const cf = foundingClosedForm(r.point.Y as number[][], r.point.T as number[][], r.point.w as number[]);
  close(r.hessianDiagonal as Nested, cf.diagonal, 1e-12, 'diagonal');
  close(r.gradient as Nested, cf.gradient, 1e-12, 'gradient');
  assert.equal(r.verdict, 'pass');
});

test('unsaved text is what gets checked', async () => {
  const file = path.join(root, 'examples/founding-loss.ts');
  const text = fs.readFileSync(file, 'utf8').replace('return loss;', 'return 2 * loss;');
  const r = await runCheck({ file, text, functionName: 'softmaxLoss' });
  const cf = foundingClosedForm(r.point.Y as number[][], r.point.T as number[][], r.point.w as number[]);
  close(r.value, 2 * cf.value, 1e-13, 'value');
  assert.equal(r.checks.find((c) => c.id === 'supplied-gradient')!.status, 'fail');
});

test('the sandbox hides Node globals and captures console output', async () => {
  const r = await runCheck({ file: cases, functionName: 'probesGlobals' });
  assert.deepEqual(r.console, ['visible: none']);
  assert.equal(r.value, 0.25);
  assert.equal(r.gradient as Nested, 1);
  assert.equal(r.hessianDiagonal as Nested, 2);
});

test('a kink is reported at its TypeScript line', async () => {
  const r = await runCheck({ file: cases, functionName: 'absKink' });
  const line = fs.readFileSync(cases, 'utf8').split('\n').findIndex((l) => l.includes('marker:abs')) + 1;
  assert.ok(r.kinks.length >= 1);
  assert.equal(r.kinks[0].op, 'Math.abs');
  assert.deepEqual([r.kinks[0].location?.file, r.kinks[0].location?.line], [cases, line]);
  assert.deepEqual(r.kinks[0].entries, [[0]]);
  assert.notEqual(r.verdict, 'fail');
});

test('every parameter kind, with respect to each parameter in turn, against the closed form', async () => {
  const at = { a: 1.5, b: -2, v: [0.5, -1, 2], M: [[1, 2], [3, 4], [5, 6]] };
  const expected: Record<string, { g: Nested; h: Nested; shape: number[] }> = {
    a: { g: 2 * 1.5 * -2, h: 2 * -2, shape: [] },
    b: { g: 1.5 * 1.5, h: 0, shape: [] },
    v: { g: at.v.map((x) => 3 * x * x), h: at.v.map((x) => 6 * x), shape: [3] },
    M: { g: at.M.map((row) => row.map((x) => 2 * x)), h: at.M.map((row) => row.map(() => 2)), shape: [3, 2] },
  };
  for (const [wrt, e] of Object.entries(expected)) {
    const r: Report = await runCheck({ file: cases, functionName: 'mixed', wrt, at });
    assert.deepEqual(r.shape, e.shape, wrt);
    close(r.value, 1.5 * 1.5 * -2 + (0.125 - 1 + 8) + 91, 1e-14, `${wrt} value`);
    close(r.gradient as Nested, e.g, 1e-13, `${wrt} gradient`);
    close(r.hessianDiagonal as Nested, e.h, 1e-13, `${wrt} diagonal`);
    assert.equal(r.verdict, 'pass', wrt);
  }
});

test('default points follow the declared types', async () => {
  const r = await runCheck({ file: cases, functionName: 'mixed', options: { vectorLength: 4, matrixShape: [2, 3] } });
  assert.equal(r.point.a, 0.5);
  assert.equal(r.point.b, 0.5);
  assert.equal((r.point.v as number[]).length, 4);
  assert.deepEqual([(r.point.M as number[][]).length, (r.point.M as number[][])[0].length], [2, 3]);
  close(r.gradient as Nested, 2 * 0.5 * 0.5, 1e-15);
});

test('generated points, tolerances from directives and the request, and passing supplied derivatives', async () => {
  const r = await runCheck({ file: cases, functionName: 'cubes' });
  const x = r.point.x as number[][];
  assert.deepEqual([x.length, x[0].length], [2, 3]);
  close(r.gradient as Nested, x.map((row) => row.map((v) => v * v)), 1e-14);
  close(r.hessianDiagonal as Nested, x.map((row) => row.map((v) => 2 * v)), 1e-14);
  assert.equal(r.verdict, 'pass');
  const supplied = r.checks.find((c) => c.id === 'supplied-gradient')!;
  assert.deepEqual(supplied.tolerance, { rtol: 1e-4, atol: 1e-10 });
  assert.deepEqual(r.checks.find((c) => c.id === 'gradient-vs-fd')!.tolerance, { rtol: 1e-4, atol: 1e-5 });
  const again = await runCheck({ file: cases, functionName: 'cubes', rtol: 1e-2, atol: 0 });
  assert.deepEqual(again.checks.find((c) => c.id === 'supplied-gradient')!.tolerance, { rtol: 1e-2, atol: 0 });
  assert.deepEqual(again.point, r.point, 'the seeded generator is deterministic');
});

test('a module constant as the point, and an objective returning { grad, hess }', async () => {
  const r = await runCheck({ file: cases, functionName: 'logistic' });
  assert.deepEqual(r.point.p, [0.5, -0.25]);
  const s = [0.5, -0.25].map((v) => 1 / (1 + Math.exp(-v)));
  close(r.gradient as Nested, s, 1e-14);
  close(r.hessianDiagonal as Nested, s.map((q) => q * (1 - q)), 1e-14);
  assert.deepEqual(r.checks.map((c) => [c.id, c.status]), [
    ['gradient-vs-fd', 'pass'],
    ['hessian-diagonal-vs-fd', 'pass'],
    ['supplied-gradient', 'pass'],
    ['supplied-hessian-diagonal', 'pass'],
  ]);
});

test('analyseFile lists candidates with their directives, and directive errors per function', () => {
  const text = fs.readFileSync(cases, 'utf8');
  const { functions } = analyseFile(text, cases);
  const cubes = functions.find((f) => f.name === 'cubes')!;
  assert.deepEqual(cubes.directives.map((d) => d.tag), ['dlens-at', 'dlens-rtol', 'dlens-gradient', 'dlens-hessian-diagonal']);
  assert.equal(text.slice(cubes.directives[0].start, cubes.directives[0].end), '@dlens-at x = normal(2x3, seed=4)');
  const broken = analyseFile(text.replace('@dlens-rtol 1e-4', '@dlens-rtol many'), cases).functions.find((f) => f.name === 'cubes')!;
  assert.equal(broken.directiveError?.kind, 'directive');
  assert.equal(broken.directiveError?.line, text.split('\n').findIndex((l) => l.includes('@dlens-rtol')) + 1);
});

test('checks in a row share the warm worker but never module state; a timeout in between changes nothing', async () => {
  const file = path.join(root, 'test/fixtures/load/virtual-stateful.ts');
  const text = [
    'const g = globalThis as { loads?: number };',
    'g.loads = (g.loads ?? 0) + 1;',
    'const loads = g.loads;',
    'export function scaled(x: number): number {',
    '  if (x < 0) while (true) {}',
    '  return loads === 1 ? x * x : NaN;',
    '}',
  ].join('\n');
  const once = () => runCheck({ file, text, functionName: 'scaled', at: { x: 3 } });
  // Each check loads the module afresh in fresh realms, so `loads` is 1 every time: a module loaded into another
  // check's realm would count 2 and return NaN.
  for (let i = 0; i < 3; i++) {
    const r = await once();
    assert.equal(r.value, 9);
    assert.equal(r.gradient as Nested, 6);
  }
  await assert.rejects(runCheck({ file, text, functionName: 'scaled', at: { x: -1 }, options: { timeoutMs: 500 } }), /did not finish/);
  assert.equal((await once()).hessianDiagonal, 2);
});
