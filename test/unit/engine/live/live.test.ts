// The live hooks' transform: which files it rewrites, plain behaviour unchanged, and checkDerivatives on live closures of rewritten modules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { assertDerivatives, checkDerivatives, DerivativeCheckError } from '../../../../engine/api';
import { mlMatrixModule } from '../../../../engine/ad/matrix/module';
import { liveBindings } from '../../../../engine/live/bindings';
import { shouldRewrite, filterFromEnvironment } from '../../../../engine/live/filter';
import { plainTransform, transformLive } from '../../../../engine/live/transform';

const engine = { api: '/engine/api.js', mlMatrix: '/engine/ml-matrix.cjs' };
/** Built-ins of this realm before any live bindings exist: the bindings must leave them as they are. */
const nativeObjectIs = Object.is;
const nativeBooleanConstructor = Boolean.prototype.constructor;
const cwd = process.cwd();

/** Runs a CommonJS module's code as `file` (its lines as they are, as Node and jest run it) with `require` answering the engine's two modules. */
function run(code: string, file = path.join(cwd, 'module.js')): Record<string, any> {
  const module = { exports: {} as Record<string, any> };
  const requireEngine = (id: string) => {
    if (id === engine.api) return { __dlensLive: liveBindings };
    if (id === engine.mlMatrix) return mlMatrixModule;
    throw new Error(`unexpected require(${id})`);
  };
  vm.compileFunction(code, ['require', 'module', 'exports'], { filename: file })(requireEngine, module, module.exports);
  return module.exports;
}

/** A module both ways: TypeScript stripped only, and as the hooks load it. */
function bothWays(source: string, file = path.join(cwd, 'model.ts')): { plain: Record<string, any>; live: Record<string, any>; code: string } {
  const code = transformLive(source, file, 'cjs', engine);
  return { plain: run(plainTransform(source, file, 'cjs').code), live: run(code), code };
}

test('shouldRewrite: the user files under the current folder; never node_modules, declarations or the engine; include and exclude', () => {
  assert.equal(shouldRewrite(path.join(cwd, 'src/model.ts')), true);
  assert.equal(shouldRewrite(path.join(cwd, 'src/model.mjs')), true);
  assert.equal(shouldRewrite(path.join(cwd, 'node_modules/lib/index.js')), false);
  assert.equal(shouldRewrite(path.join(cwd, 'src/types.d.ts')), false);
  assert.equal(shouldRewrite(path.join(cwd, 'data/model.json')), false);
  assert.equal(shouldRewrite('/elsewhere/model.ts'), false);
  assert.equal(shouldRewrite(path.join(cwd, 'dist/api.js'), {}, path.join(cwd, 'dist')), false);
  assert.equal(shouldRewrite('/elsewhere/model.ts', { include: ['/elsewhere/'] }), true);
  assert.equal(shouldRewrite(path.join(cwd, 'src/model.ts'), { include: [/\/lib\//] }), false);
  assert.equal(shouldRewrite(path.join(cwd, 'src/slow.ts'), { exclude: ['src/slow'] }), false);
  assert.equal(shouldRewrite(path.join(cwd, 'node_modules/x/a.ts'), { include: ['/'] }), false);
  assert.deepEqual(filterFromEnvironment({ DERIVATIVE_LENS_INCLUDE: 'src/, lib/', DERIVATIVE_LENS_EXCLUDE: 'fixtures/' }), {
    include: ['src/', 'lib/'],
    exclude: ['fixtures/'],
  });
});

test('transformLive: operators become engine calls, ml-matrix imports the stand-in, the bindings come first on line 1', () => {
  const source = "import { Matrix } from 'ml-matrix';\nexport const f = (x: number): number => x * x + 1;\nexport const M = Matrix;\n";
  const code = transformLive(source, path.join(cwd, 'm.ts'), 'cjs', engine);
  assert.match(code.split('\n')[0], /^const \{ __ad, Math, isFinite, isNaN, Boolean, Map, Set, WeakMap, WeakSet, Number, Float64Array, Float32Array \} = require\("\/engine\/api\.js"\)\.__dlensLive\(/);
  assert.match(code, /__ad\.add\(__ad\.mul\(x\s*,\s*x\)\s*,\s*1\)/);
  assert.match(code, /require\("\/engine\/ml-matrix\.cjs"\)/);
  assert.doesNotMatch(code, /require\("ml-matrix"\)/);
  const esm = transformLive(source, path.join(cwd, 'm.ts'), 'esm', { api: 'file:///engine/api.js', mlMatrix: 'file:///engine/ml-matrix.mjs' });
  assert.match(esm, /^import \{ __dlensLive as __dl_live \} from "file:\/\/\/engine\/api\.js";/);
  assert.match(esm, /from "file:\/\/\/engine\/ml-matrix\.mjs"/);
  assert.throws(() => transformLive('export const = 1;', path.join(cwd, 'bad.ts'), 'esm', engine), (e: any) => e.info?.kind === 'syntax' && e.info.line === 1);
});

test('outside a check, rewritten modules compute exactly what the originals compute', () => {
  const { plain, live } = bothWays(`
    let counter = 0;
    export function mixed(a: number, s: string) {
      counter++;
      const o = { k: 1, arr: [1, 2, 3] };
      o.k += a; o.arr[1] **= 2; o.arr[2]--;
      return [a + s, s + a * 2, a / 0, -a % 3, a ** 0.5, typeof a, a == ('2' as any), a | 4, ~a, o, counter,
        Math.max(a, 1, 7), Math.hypot(3, a), Number('3.5') + a, isNaN(a / 0 - a / 0), isFinite(1 / a), Math.random() < 1];
    }
    export function typed(n: number) {
      const v = new Float64Array(n);
      for (let i = 0; i < n; i++) v[i] = i * 0.5;
      const f32 = new Float32Array([1.1, n / 3]);
      return [v instanceof Float64Array, Object.prototype.toString.call(v), Float64Array.from([1, 2]).constructor.name, Array.from(v), Array.from(f32), f32 instanceof Float32Array];
    }
    export class Vec extends Float64Array {
      total() { return this.reduce((s, x) => s + x, 0); }
    }
  `);
  assert.deepEqual(live.mixed(2, 'x'), plain.mixed(2, 'x'));
  assert.deepEqual(live.mixed(-1.5, ''), plain.mixed(-1.5, ''));
  assert.deepEqual(live.typed(4), plain.typed(4));
  assert.equal(live.typed(3)[1], '[object Float64Array]', 'a native typed array outside a recording');
  assert.deepEqual([Object.is(0, -0), Object.is(NaN, NaN), Object.is(live, live)], [nativeObjectIs(0, -0), true, true], 'Object.is answers natively for every plain value');
  assert.equal(Boolean.prototype.constructor, nativeBooleanConstructor, 'the process keeps its own Boolean');
  const [v, w] = [new live.Vec([1, 2, 3.5]), new plain.Vec([1, 2, 3.5])];
  assert.deepEqual([v.total(), v instanceof live.Vec, v.length, Object.prototype.toString.call(v)], [w.total(), true, w.length, '[object Float64Array]']);
});

test('checkDerivatives on live closures: module state, another module\'s helper, a class, Float64Array and ml-matrix', async () => {
  const helpers = run(transformLive('export const cube = (v: number) => v * v * v;', path.join(cwd, 'helpers.ts'), 'cjs', engine));
  const { live } = bothWays(`
    import { Matrix } from 'ml-matrix';
    let scale = 2;
    export const setScale = (s: number) => { scale = s; };
    export function energy(x: number[], cube: (v: number) => number) {
      let s = 0;
      for (const v of x) s += scale * cube(v);
      return s;
    }
    export class Springs {
      constructor(private k: number[]) {}
      energy(x: Float64Array) {
        const d = new Float64Array(x.length);
        for (let i = 0; i < x.length; i++) d[i] = x[i] - 1;
        return d.reduce((s, v, i) => s + 0.5 * this.k[i] * v * v, 0);
      }
    }
    export const frobenius = (W: Matrix) => W.mmul(W.transpose()).trace();
  `);
  const x0 = [0.5, -1, 2];
  let report = await assertDerivatives((x: number[]) => live.energy(x, helpers.cube), { at: [x0] });
  assert.deepEqual(report.gradient, x0.map((v) => 2 * 3 * v * v));
  assert.deepEqual(report.hessianDiagonal, x0.map((v) => 2 * 6 * v));
  live.setScale(-1);
  report = await checkDerivatives((x: number[]) => live.energy(x, helpers.cube), { at: { x: x0 } });
  assert.deepEqual(report.gradient, x0.map((v) => -3 * v * v), 'the module state of the moment');

  const springs = new live.Springs([1, 4, 9]);
  report = await assertDerivatives((x: Float64Array) => springs.energy(x), { at: [Float64Array.from([2, 0, 1.5])] });
  assert.deepEqual(report.gradient, [1 * 1, 4 * -1, 9 * 0.5]);
  assert.deepEqual(report.hessianDiagonal, [1, 4, 9]);

  const W0 = [[1, 2], [3, -4]];
  report = await assertDerivatives((W: any) => live.frobenius(W), { at: [new (mlMatrixModule.Matrix as new (rows: number[][]) => unknown)(W0)] });
  assert.deepEqual(report.gradient, W0.map((row) => row.map((v) => 2 * v)));
  assert.deepEqual(report.hessianDiagonal, [[2, 2], [2, 2]]);
});

test('a live check that fails throws the readable report with its explanation; bad options are clear errors', async () => {
  const { live } = bothWays('export const sumSquares = (x: number[]) => x.reduce((s, v) => s + v * v, 0);');
  await assert.rejects(
    assertDerivatives(function halfGradient(x: number[]) {
      return live.sumSquares(x);
    }, { at: [[1, 2, 3]], gradient: (x: number[]) => x.map((v) => v) }),
    (e: unknown) => e instanceof DerivativeCheckError && /halfGradient/.test(e.message) && /supplied-gradient/.test(e.message) && /factor/.test(e.message),
  );
  await assert.rejects(checkDerivatives((x: number[], k: number) => live.sumSquares(x) * k, { at: [[1, 2]] }), /give a point for parameter 'k'/);
  await assert.rejects(checkDerivatives((x: number[]) => live.sumSquares(x), { at: [[1, 2]], wrt: 'y' }), /has no parameter 'y'/);
  await assert.rejects(checkDerivatives((x: number[]) => live.sumSquares(x), { at: { z: [1] } }), /has no parameter 'z'/);
  // Arithmetic in a module the hook did not rewrite: the recording sees nothing, and the report says where to look.
  const unrewritten = run(plainTransform('export const cubes = (x: number[]) => x.reduce((s, v) => s + v * v * v, 0);', path.join(cwd, 'plain.ts'), 'cjs').code);
  const report = await checkDerivatives(function outside(x: number[]) {
    return unrewritten.cubes(x);
  }, { at: [[1, 2]] });
  assert.equal(report.checks.find((c) => c.id === 'gradient-vs-fd')?.status, 'fail');
  assert.ok(report.notes.some((n) => /gradient is zero everywhere .* is the code of outside in modules the hook rewrites/.test(n)), report.notes.join('\n'));
  const { live: noisy } = bothWays('export const noisy = (x: number[]) => x[0] * x[0] + Math.random();');
  assert.notEqual(noisy.noisy([1]), noisy.noisy([1]), 'Math.random is the native one outside a check');
  // Inside a check it is seeded and restarted for every evaluation, as in the sandbox: the function is x² + a constant.
  const seeded = await assertDerivatives((x: number[]) => noisy.noisy(x), { at: [[1.5]] });
  assert.deepEqual([seeded.gradient, seeded.hessianDiagonal], [[3], [2]]);
});

test('a live check places kinks and refusals on the lines of the TypeScript source', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dlens-live-'));
  const file = path.join(dir, 'kinks.ts');
  // Types and a multi-line signature that esbuild reprints: the lines must still come from the source map.
  fs.writeFileSync(
    file,
    [
      'type Vec = number[];',
      'export function hinge(',
      '  x: Vec,',
      '): number {',
      '  let s: number = 0;',
      '  for (const v of x) s += Math.abs(v);',
      '  return s;',
      '}',
      '',
      'export const masked = (x: Vec): number => x[0] | 1;',
      '',
    ].join('\n'),
  );
  try {
    const mod = run(transformLive(fs.readFileSync(file, 'utf8'), file, 'cjs', engine), file);
    const report = await checkDerivatives((x: number[]) => mod.hinge(x), { at: [[0, 2]] });
    assert.equal(report.kinks.length, 1);
    assert.deepEqual({ file: report.kinks[0].location?.file, line: report.kinks[0].location?.line }, { file, line: 6 });
    await assert.rejects(checkDerivatives((x: number[]) => mod.masked(x), { at: [[3, 1]] }), (e: any) => {
      assert.equal(e.info.kind, 'unsupported');
      assert.equal(e.info.file, file);
      assert.equal(e.info.line, 10);
      return true;
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('live checks observe active values as the sandbox does: Boolean (also as a filter callback), Object.is, Map keys', async () => {
  const file = path.join(__dirname, '../../../test/fixtures/faithful/semantics.ts');
  const mod = run(transformLive(fs.readFileSync(file, 'utf8'), file, 'cjs', engine), file);
  const x = [0.5, 2];
  // The closed forms of test/unit/faithful.test.ts: f = x₀² + x₁ + 1 + x₁ + x₁, and f = x₀ + x₁ (z = x₀ − x₀ is 0).
  const conditions = await assertDerivatives((v: number[]) => mod.conditions(v), { at: [x] });
  assert.deepEqual([conditions.value, conditions.gradient, conditions.hessianDiagonal], [7.25, [1, 3], [2, 0]]);
  const equality = await assertDerivatives((v: number[]) => mod.equality(v), { at: [x] });
  assert.deepEqual([equality.value, equality.gradient], [2.5, [1, 1]]);
  await assert.rejects(checkDerivatives((v: number[]) => mod.keyed(v), { at: [x] }), (e: any) => {
    assert.equal(e.info?.kind, 'unsupported', e.message);
    assert.match(e.info.message, /^Map key: .*compared by identity/);
    return true;
  });
  assert.equal(Object.is(0, -0), false, 'the process keeps plain Object.is semantics');
  assert.equal(Boolean.prototype.constructor, nativeBooleanConstructor, 'and its own Boolean');
});

test('a module that declares a bound name itself (Number, Map, a var in a block) keeps its own, and still records', async () => {
  const source = `
    class Map { get(k: number) { return k * 10; } }
    const Number = 3;
    if (Number > 0) { var isNaN = (v: number) => v !== v; }
    export function scaled(x: number[]) {
      return new Map().get(x[0]) * Number + (isNaN(x[1]) ? 100 : x[1] * x[1]);
    }
  `;
  const { plain, live, code } = bothWays(source);
  assert.match(code.split('\n')[0], /^const \{ __ad, Math, isFinite, Boolean, Set, WeakMap, WeakSet, Float64Array, Float32Array \} =/);
  assert.equal(live.scaled([0.5, 2]), plain.scaled([0.5, 2]));
  const esm = transformLive("import { Set } from 'immutable';\nexport const f = (x: number) => new Set([x]).size * x;\n", path.join(cwd, 'm.ts'), 'esm', engine);
  assert.match(esm.split('\n')[0], /const \{ __ad, Math, isFinite, isNaN, Boolean, Map, WeakMap, WeakSet, Number, Float64Array, Float32Array \} =/);
  const report = await assertDerivatives((x: number[]) => live.scaled(x), { at: [[0.5, 2]] });
  assert.deepEqual([report.gradient, report.hessianDiagonal], [[30, 4], [0, 2]]);
});
