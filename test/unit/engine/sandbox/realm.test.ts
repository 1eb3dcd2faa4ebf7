// The sandbox realm's fast paths compute exactly what the AD runtime and globals compute, derivatives still flow, and positions map back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as vm from 'node:vm';
import { ADNum } from '../../../../engine/ad/adnum';
import { createEvaluator } from '../../../../engine/ad/differentiate';
import { createSandboxGlobals } from '../../../../engine/ad/js/globals';
import { runtime } from '../../../../engine/ad/runtime';
import { createRealm, loadBundle, prepareBundle } from '../../../../engine/sandbox/realm';
import { bundleFileName } from '../../../../engine/load/sourcemap';
import { EngineError } from '../../../../engine/types';

const numbers = [0, -0, 1.5, -2, 3, 0.5, NaN, Infinity, -Infinity, 2 ** 31 + 0.25];
const others: unknown[] = ['7', 'x', '', null, undefined, true, 2n, [4], { valueOf: () => 5 }, { toString: () => '6' }];
const values: unknown[] = [...numbers, ...others];

/** The result of a call, or the kind of error it threw (errors of either realm compare by name). */
function outcome(f: () => unknown): unknown {
  try {
    return f();
  } catch (e) {
    return `threw ${(e as Error).name}`;
  }
}

function same(actual: unknown, expected: unknown, label: string): void {
  assert.ok(Object.is(actual, expected) || (typeof expected === 'object' && expected !== null && JSON.stringify(actual) === JSON.stringify(expected)), `${label}: ${String(actual)} vs ${String(expected)}`);
}

const { __ad: fast, Math: fastMath, isFinite: fastIsFinite, isNaN: fastIsNaN } = createRealm().globals;

test('every runtime member is on the realm __ad', () => {
  assert.deepEqual(Object.keys(fast).sort(), Object.keys(runtime).sort());
});

test('binary and unary operators agree with the runtime on every pair of non-active operands', () => {
  const rt = runtime as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const op of ['add', 'sub', 'mul', 'div', 'mod', 'pow', 'eq', 'neq', 'looseEq', 'looseNeq']) {
    for (const a of values) for (const b of values) same(outcome(() => fast[op](a, b)), outcome(() => rt[op](a, b)), `${op}(${String(a)}, ${String(b)})`);
  }
  for (const op of ['neg', 'pos', 'num', 'inc', 'dec', 'typeOf', 'truthy', 'caseValue']) {
    for (const x of values) same(outcome(() => fast[op](x)), outcome(() => rt[op](x)), `${op}(${String(x)})`);
  }
  for (const op of ['|', '&', '^', '<<', '>>', '>>>']) {
    for (const a of values) for (const b of values) same(outcome(() => fast.bit(op, a, b)), outcome(() => runtime.bit(op as '|', a, b)), `${String(a)} ${op} ${String(b)}`);
  }
  for (const x of values) same(outcome(() => fast.bit('~', x)), outcome(() => runtime.bit('~', x)), `~${String(x)}`);
});

/** An object whose property `k` counts its reads and writes, as a getter/setter pair would see them. */
function counted(initial: unknown): { obj: Record<string, unknown>; log: string[] } {
  let v = initial;
  const log: string[] = [];
  const obj = {};
  Object.defineProperty(obj, 'k', {
    get: () => (log.push('get'), v),
    set: (x) => (log.push('set'), (v = x)),
  });
  return { obj: obj as Record<string, unknown>, log };
}

test('member updates store, return and touch the member as the runtime does', () => {
  const both = (apply: (ad: typeof fast, obj: Record<string, unknown>) => unknown, initial: unknown, label: string) => {
    const [a, b] = [counted(initial), counted(initial)];
    same(outcome(() => apply(fast, a.obj)), outcome(() => apply(runtime as unknown as typeof fast, b.obj)), `${label} result`);
    same(outcome(() => a.obj.k), outcome(() => b.obj.k), `${label} stored`);
    assert.deepEqual(a.log, b.log, `${label} accesses`);
  };
  for (const op of ['add', 'sub', 'mul', 'div', 'mod', 'pow', '|', '&', '^', '<<', '>>', '>>>']) {
    for (const old of values) for (const v of values) both((ad, o) => ad.setOp(o, 'k', op, v), old, `k ${op}= ${String(v)} from ${String(old)}`);
  }
  for (const old of values) {
    for (const delta of [1, -1]) {
      both((ad, o) => ad.postUpdate(o, 'k', delta), old, `k${delta > 0 ? '++' : '--'} from ${String(old)}`);
      both((ad, o) => ad.preUpdate(o, 'k', delta), old, `${delta > 0 ? '++' : '--'}k from ${String(old)}`);
    }
  }
});

test('the realm Math, isFinite and isNaN agree with the AD globals on numbers, whatever the argument count', () => {
  const ad = createSandboxGlobals();
  const adMath = ad.Math as unknown as Record<string, unknown>;
  const realmMath = fastMath as unknown as Record<string, unknown>;
  assert.deepEqual(Object.getOwnPropertyNames(realmMath).sort(), Object.getOwnPropertyNames(adMath).sort());
  assert.equal(Object.prototype.toString.call(fastMath), '[object Math]');
  for (const key of Object.getOwnPropertyNames(adMath)) {
    const [f, g] = [realmMath[key], adMath[key]];
    if (typeof g !== 'function') {
      same(f, g, `Math.${key}`);
      continue;
    }
    assert.equal(typeof f, 'function', `Math.${key}`);
    const call = (h: unknown, args: unknown[]) => outcome(() => (h as (...a: unknown[]) => unknown)(...args));
    for (const x of numbers) {
      same(call(f, [x]), call(g, [x]), `Math.${key}(${x})`);
      for (const y of numbers) {
        same(call(f, [x, y]), call(g, [x, y]), `Math.${key}(${x}, ${y})`);
        same(call(f, [x, y, 0.25]), call(g, [x, y, 0.25]), `Math.${key}(${x}, ${y}, 0.25)`);
      }
    }
    same(call(f, []), call(g, []), `Math.${key}()`);
  }
  for (const x of values) {
    same(outcome(() => fastIsFinite(x)), outcome(() => ad.isFinite(x)), `isFinite(${String(x)})`);
    same(outcome(() => fastIsNaN(x)), outcome(() => ad.isNaN(x)), `isNaN(${String(x)})`);
  }
});

/** A bundle-shaped module: `var __dlens_module = …` on the first line, as esbuild's IIFE writes it. */
const moduleCode = (body: string) => `var __dlens_module = (() => {\n${body}\n})();\n`;

test('active values still go through the runtime: derivatives of code run in the realm match the closed form', () => {
  // f(x) = Σ x_i e^{x_i} + max(x0, x1)² + hypot(x1, x2), written with the operators the fast paths cover.
  const loaded = loadBundle(
    prepareBundle(
      moduleCode(`
  let recorded = 0;
  function f(x) {
    if (Object(x[0]) === x[0]) recorded++; // an active scalar (typeof says 'number')
    const acc = [0];
    for (let i = 0; i < x.length; i++) acc[0] += x[i] * Math.exp(x[i]);
    let m = Math.max(x[0], x[1]);
    m **= 2;
    const parts = { h: Math.hypot(x[1], x[2]) };
    parts.h++;
    parts.h--;
    return acc[0] + m + parts.h - -0 * x[0] + (typeof x[0] === 'number' ? 0 : NaN);
  }
  const calls = () => recorded;
  return { f, calls };`),
    ),
  );
  const x = [0.3, -0.7, 1.1];
  const ev = createEvaluator({
    fn: loaded.byMode('f')!,
    params: [{ name: 'x', kind: 'vector', value: x }],
    wrtIndex: 0,
    options: { hessianDiagonal: 'exact', estimateProbes: 0, seed: 1 },
  });
  const d = ev.derivatives();
  const r = Math.hypot(x[1], x[2]);
  const value = x.reduce((s, v) => s + v * Math.exp(v), 0) + x[0] ** 2 + r;
  const gradient = [(1 + x[0]) * Math.exp(x[0]) + 2 * x[0], (1 + x[1]) * Math.exp(x[1]) + x[1] / r, (1 + x[2]) * Math.exp(x[2]) + x[2] / r];
  const diagonal = [(2 + x[0]) * Math.exp(x[0]) + 2, (2 + x[1]) * Math.exp(x[1]) + x[2] ** 2 / r ** 3, (2 + x[2]) * Math.exp(x[2]) + x[1] ** 2 / r ** 3];
  const near = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= 1e-13 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);
  near(d.value, value, 'value');
  gradient.forEach((g, i) => near(d.gradient[i], g, `gradient ${i}`));
  diagonal.forEach((h, i) => near(d.hessianDiagonal![i], h, `diagonal ${i}`));
  // Plain evaluations run the other instance: the recording instance sees recordings only.
  const calls = loaded.exports.calls as () => number;
  const recordings = calls();
  assert.ok(recordings >= 1);
  near(ev.f(Float64Array.from(x)), value, 'plain value');
  assert.equal(calls(), recordings);
  ev.gradientAt(Float64Array.from(x));
  assert.equal(calls(), recordings + 1);
});

test('positions in the wrapped code map to the bundle, on the first line and after it', () => {
  for (const [code, line] of [
    ["var __dlens_module = 1; throw new Error('first line');\n", 1],
    ["var __dlens_module = 1;\n  const y = 2; throw new Error('second line');\n", 2],
  ] as const) {
    const program = prepareBundle(code);
    const err = outcome(() => {
      try {
        loadBundle(program);
      } catch (e) {
        return (e as Error).stack;
      }
    }) as string;
    const m = new RegExp(`${bundleFileName.replace('.', '\\.')}:(\\d+):(\\d+)`).exec(err);
    assert.ok(m, err);
    assert.equal(Number(m[1]), line);
    const at = program.toInput(line, Number(m[2]) - 1);
    const lineText = code.split('\n')[line - 1];
    assert.deepEqual(at, { line, column: lineText.indexOf('new Error') });
  }
});

test('the bundle sees its globals and no Node globals; its top-level output is captured once', () => {
  const printed: unknown[] = [];
  const { exports: mod } = loadBundle(
    prepareBundle(
      moduleCode(`
  console.log(typeof process, typeof require, typeof Buffer);
  return { same: globalThis.Math === Math && globalThis.__ad === __ad, inf: -Infinity, undef: typeof undefined, arr: Array.isArray([]) };`),
    ),
    { log: (...args: unknown[]) => void printed.push(...args) },
  );
  assert.deepEqual(printed, ['undefined', 'undefined', 'undefined']);
  assert.deepEqual({ ...mod }, { same: true, inf: -Infinity, undef: 'undefined', arr: true });
});

test("the realm's Boolean, Object.is, Map, Set, WeakMap and WeakSet see an active scalar as its value, or stop at an active key", () => {
  const { globals, context } = createRealm();
  const B = globals.Boolean as BooleanConstructor;
  const is = vm.runInContext('Object.is', context) as typeof Object.is;
  const zero = new ADNum(0, 0);
  assert.deepEqual([B(zero), B(new ADNum(1, NaN)), B(new ADNum(2, 3)), B(''), B('a'), B()], [false, false, true, false, true, false]);
  assert.deepEqual([is(zero, 0), is(zero, -0), is(new ADNum(1, NaN), NaN), is(zero, zero), is({}, {})], [true, false, true, true, false]);
  assert.ok(new B(zero) instanceof B);
  const M = globals.Map as new (entries?: [unknown, unknown][]) => Map<unknown, unknown>;
  const S = globals.Set as new (values?: unknown[]) => Set<unknown>;
  const m = new M([[1, 'one']]);
  assert.equal(m.get(1), 'one');
  const stops = (f: () => unknown) => assert.throws(f, (e: unknown) => e instanceof EngineError && e.info.kind === 'unsupported');
  stops(() => m.set(zero, 1));
  stops(() => m.get(zero));
  stops(() => new S([zero]));
  stops(() => new M([[zero, 1]]));
  assert.ok(new S([1, 2]).has(2));
  stops(() => new (globals.WeakMap as WeakMapConstructor)().set(zero as unknown as object, 1));
  stops(() => new (globals.WeakSet as WeakSetConstructor)().add(zero as unknown as object));
});
