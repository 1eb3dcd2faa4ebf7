// Evaluation points: the seeded generators' statistics, defaults away from kinks, precedence, and shape validation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultPoint, generate, mulberry32, normalSampler, planPoints, validatePoint } from '../../../../engine/load/inputs';
import { defaultEngineOptions, EngineError, type Nested, type ParamInfo } from '../../../../engine/types';

test('mulberry32 is deterministic, uniform on [0, 1) and seed-dependent', () => {
  const a = mulberry32(42);
  const b = mulberry32(42);
  const xs = Array.from({ length: 20000 }, () => a());
  assert.deepEqual(xs.slice(0, 5), Array.from({ length: 5 }, () => b()));
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
  // Uniform: mean 1/2 (std error 0.002), variance 1/12.
  assert.ok(Math.abs(mean - 0.5) < 0.01, `mean ${mean}`);
  assert.ok(Math.abs(variance - 1 / 12) < 0.003, `variance ${variance}`);
  assert.notEqual(mulberry32(43)(), mulberry32(42)());
});

test('Box–Muller samples have mean 0, variance 1 and normal tails', () => {
  const z = normalSampler(7);
  const xs = Array.from({ length: 40000 }, () => z());
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
  const beyond2 = xs.filter((x) => Math.abs(x) > 2).length / xs.length;
  assert.ok(Math.abs(mean) < 0.02, `mean ${mean}`);
  assert.ok(Math.abs(variance - 1) < 0.03, `variance ${variance}`);
  assert.ok(Math.abs(beyond2 - 0.0455) < 0.005, `P(|z| > 2) = ${beyond2}`);
});

test('generators honour shape, seed, mean/std and min/max', () => {
  const n = generate({ kind: 'normal', shape: [7, 5], seed: 1, mean: 10, std: 0.01 }, 99) as number[][];
  assert.equal(n.length, 7);
  assert.ok(n.every((row) => row.length === 5 && row.every((v) => Math.abs(v - 10) < 0.06)));
  assert.deepEqual(generate({ kind: 'normal', shape: [7, 5], seed: 1, mean: 10, std: 0.01 }, 5), n);
  const u = generate({ kind: 'uniform', shape: [1000], seed: 2, min: 3, max: 4 }, 1) as number[];
  assert.ok(u.every((v) => v >= 3 && v < 4));
  assert.equal(typeof generate({ kind: 'uniform', shape: [], min: -1, max: 1 }, 1), 'number');
});

test('defaults: 0.5 for scalars, default shapes, no zeros and no ties', () => {
  const p = (kind: ParamInfo['kind']): ParamInfo => ({ name: 'x', kind, hasDefault: false });
  assert.equal(defaultPoint(p('number'), 0, defaultEngineOptions), 0.5);
  const v = defaultPoint(p('vector'), 0, defaultEngineOptions) as number[];
  assert.equal(v.length, defaultEngineOptions.vectorLength);
  const m = defaultPoint(p('matrix'), 1, { ...defaultEngineOptions, matrixShape: [30, 20] }) as number[][];
  assert.deepEqual([m.length, m[0].length], [30, 20]);
  const flat = m.flat();
  assert.ok(flat.every((x) => Math.abs(x) >= 1e-3));
  assert.equal(new Set(flat).size, flat.length);
  assert.notDeepEqual(defaultPoint(p('vector'), 1, defaultEngineOptions), v, 'each parameter has its own stream');
  assert.equal(defaultPoint(p('unknown'), 0, defaultEngineOptions), undefined);
});

test('validation names the parameter and what was wrong', () => {
  const bad = (kind: ParamInfo['kind'], value: unknown) => {
    try {
      validatePoint({ name: 'Y', kind }, value);
    } catch (e) {
      assert.ok(e instanceof EngineError);
      return e.info;
    }
    assert.fail('expected an error');
  };
  assert.equal(bad('matrix-array', 3).message, 'Y: expected number[][] (a matrix), got a number');
  assert.equal(bad('number', [1, 2]).message, 'Y: expected number, got an array');
  assert.equal(bad('vector', [[1], [2]]).message, 'Y: expected number[] (a vector), got a 2-level nested array');
  assert.equal(bad('matrix-array', [[1, 2], [3]]).message, 'Y: ragged array: Y[1] has shape [1], Y[0] has [2]');
  assert.equal(bad('vector', []).message, 'Y: empty array');
  assert.equal(bad('vector', [1, 'a']).message, 'Y[1]: expected a number, got a string');
  assert.equal(bad('unknown', [1, NaN]).kind, 'bad-argument');
  assert.deepEqual(validatePoint({ name: 'Y', kind: 'matrix' }, [[1, 2, 3], [4, 5, 6]]), [2, 3]);
  assert.deepEqual(validatePoint({ name: 'Y', kind: 'unknown' }, 2), []);
});

test('the request overrides a directive, which overrides the default', () => {
  const params: ParamInfo[] = ['a', 'b', 'c', 'd'].map((name) => ({ name, kind: 'vector', hasDefault: false }));
  const loc = { file: '/f.ts', line: 3, column: 4 };
  const directives = new Map([
    ['a', { spec: { kind: 'json' as const, value: [1, 2] as Nested }, directive: { location: loc } }],
    ['b', { spec: { kind: 'json' as const, value: [3] as Nested }, directive: { location: loc } }],
    ['c', { spec: { kind: 'constant' as const, name: 'C0' }, directive: { location: loc } }],
  ]);
  const plan = planPoints(params, { b: [9, 9] }, directives, defaultEngineOptions, 'f');
  assert.deepEqual(plan.map((p) => p.source), ['directive', 'at', 'constant', 'generated']);
  assert.deepEqual(plan[1].source === 'at' && plan[1].value, [9, 9]);
  assert.throws(() => planPoints(params, { zz: 1 }, directives, defaultEngineOptions, 'f'), /f has no parameter 'zz'/);
  const badDirective = new Map([['a', { spec: { kind: 'json' as const, value: 1 as Nested }, directive: { location: loc } }]]);
  assert.throws(
    () => planPoints(params, undefined, badDirective, defaultEngineOptions, 'f'),
    (e: EngineError) => e.info.kind === 'bad-shape' && e.info.line === 3,
  );
  assert.throws(
    () => planPoints([{ name: 'o', kind: 'unknown', type: 'Options', hasDefault: false }], undefined, new Map(), defaultEngineOptions, 'f'),
    /cannot make a default point for parameter 'o' of type Options/,
  );
});

test('without a point, a parameter with a default in code or declared optional receives undefined; the wrt one is generated', () => {
  const p = (name: string, hasDefault: boolean, optional = false): ParamInfo => ({ name, kind: 'vector', hasDefault, optional });
  const params = [p('x', true), p('T', true), p('scale', false, true), p('w', false)];
  const plan = planPoints(params, undefined, new Map(), defaultEngineOptions, 'f', ['x']);
  assert.deepEqual(plan.map((q) => q.source), ['generated', 'default-value', 'omitted', 'generated']);
  assert.ok(plan.every((q) => q.source === 'generated' ? 'value' in q && q.detail === 'normal 5, seed 1' : !('value' in q)));
});
