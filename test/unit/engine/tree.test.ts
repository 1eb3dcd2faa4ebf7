// Parameter trees, wrt paths, methods and receivers: flatten/unflatten round trips, the path parser, and checks against closed forms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { buildTree, entryName, flattenTree, flattenSuppliedTree, type LeafKind } from '../../../engine/tree';
import { parseWrtPaths } from '../../../engine/paths';
import { makeMatrix, Matrix } from '../../../engine/ad/matrix/module';
import { ADFloat32Array, ADFloat64Array } from '../../../engine/ad/js/globals';
import { runCheck } from '../../../engine/run';
import { leafReports } from '../../../engine/report/leaves';
import { EngineError, type CheckRequest, type Nested, type Report } from '../../../engine/types';

const models = path.join(__dirname, '../../../test/fixtures/trees/models.ts');
const examples = path.join(__dirname, '../../../examples');

function close(actual: unknown, expected: Nested, rel: number, label: string): void {
  if (typeof expected === 'number') {
    assert.equal(typeof actual, 'number', label);
    assert.ok(Math.abs((actual as number) - expected) <= rel * Math.max(1, Math.abs(expected)), `${label}: ${actual} vs ${expected}`);
    return;
  }
  assert.ok(Array.isArray(actual) && actual.length === expected.length, `${label}: ${JSON.stringify(actual)}`);
  expected.forEach((e, i) => close((actual as unknown[])[i], e, rel, `${label}[${i}]`));
}

/** Every leaf of a keyed derivative against its closed form. */
function closeKeyed(actual: Report['gradient'], expected: Record<string, Nested>, rel: number, label: string): void {
  assert.deepEqual(Object.keys(actual as object).sort(), Object.keys(expected).sort(), label);
  for (const [k, v] of Object.entries(expected)) close((actual as Record<string, Nested>)[k], v, rel, `${label} ${k}`);
}

async function check(req: Omit<CheckRequest, 'file'> & { file?: string }): Promise<Report> {
  return runCheck({ file: models, ...req });
}

async function error(req: Omit<CheckRequest, 'file'>): Promise<EngineError['info']> {
  try {
    await check(req);
  } catch (e) {
    assert.ok(e instanceof EngineError, String(e));
    return e.info;
  }
  assert.fail('expected an error');
}

const statuses = (r: Report) => Object.fromEntries(r.checks.map((c) => [c.id, c.status]));

test('flatten and rebuild: every leaf kind, with paths and shapes', () => {
  const matrix = makeMatrix(2, 2, Float64Array.of(1, 2, 3, 4), Int32Array.of(-1, -1, -1, -1));
  const tree = {
    s: 1.5,
    v: [1, 2],
    M: [[1, 2, 3], [4, 5, 6]],
    f64: new ADFloat64Array([7, 8]),
    real64: Float64Array.of(9),
    f32: Float32Array.of(0.5, 0.25),
    f32ad: new ADFloat32Array([0.75]),
    mat: matrix,
    layers: [{ W: [[1]], b: [2] }, { W: [[3]], b: [4] }],
    'odd key': 3,
    label: 'kept',
    fn: Math.sin,
  };
  const { def, leaves } = flattenTree(tree, 'p');
  const kinds: [string, LeafKind, number[]][] = [
    ['p.s', 'number', []],
    ['p.v', 'vector', [2]],
    ['p.M', 'matrix-array', [2, 3]],
    ['p.f64', 'float64array', [2]],
    ['p.real64', 'float64array', [1]],
    ['p.f32', 'float32array', [2]],
    ['p.f32ad', 'float32array', [1]],
    ['p.mat', 'matrix', [2, 2]],
    ['p.layers[0].W', 'matrix-array', [1, 1]],
    ['p.layers[0].b', 'vector', [1]],
    ['p.layers[1].W', 'matrix-array', [1, 1]],
    ['p.layers[1].b', 'vector', [1]],
    ['p["odd key"]', 'number', []],
  ];
  assert.deepEqual(leaves.map((l) => [l.path, l.kind, l.shape]), kinds);
  assert.deepEqual(Array.from(leaves[2].values), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(Array.from(leaves[7].values), [1, 2, 3, 4]);
  // Rebuilding with each leaf's own value gives the same tree, in fresh containers, constants kept.
  const rebuilt = buildTree(def, (k) => (leaves[k].kind === 'number' ? leaves[k].values[0] : `leaf ${leaves[k].path}`)) as Record<string, unknown>;
  assert.equal(rebuilt.s, 1.5);
  assert.equal(rebuilt.v, 'leaf p.v');
  assert.equal(rebuilt['odd key'], 3);
  assert.equal(rebuilt.label, 'kept');
  assert.equal(rebuilt.fn, Math.sin);
  assert.deepEqual(rebuilt.layers, [{ W: 'leaf p.layers[0].W', b: 'leaf p.layers[0].b' }, { W: 'leaf p.layers[1].W', b: 'leaf p.layers[1].b' }]);
  assert.notEqual(rebuilt, tree);
  assert.ok(matrix instanceof Matrix);
});

test('a class instance is refilled in place: its prototype, getters and #private fields stay', () => {
  class Model {
    w = [1, 2];
    #k = 3;
    get k() {
      return this.#k;
    }
    scaled() {
      return this.k * this.w[1];
    }
  }
  const m = new Model();
  const { def, leaves } = flattenTree(m, 'this');
  assert.deepEqual(leaves.map((l) => l.path), ['this.w']);
  const again = buildTree(def, () => [10, 20]) as Model;
  assert.equal(again, m);
  assert.equal(again.scaled(), 60);
  // A read-only field without leaves is left alone.
  const frozen = Object.defineProperty(new Model(), 'name', { value: 'fixed', enumerable: true, writable: false });
  const f = flattenTree(frozen, 'this');
  assert.equal(buildTree(f.def, () => [1, 1]), frozen);
});

test('a cycle is a constant, not an endless walk', () => {
  const a: Record<string, unknown> = { x: 1 };
  a.self = a;
  assert.deepEqual(flattenTree(a, 'a').leaves.map((l) => l.path), ['a.x']);
});

test('entries are named by leaf path', () => {
  const leaves = [
    { path: 'p.w', shape: [3], offset: 0, size: 3 },
    { path: 'p.M', shape: [2, 2], offset: 3, size: 4 },
    { path: 'p.b', shape: [], offset: 7, size: 1 },
  ];
  const naming = { wrt: 'p', shape: [8], leaves };
  assert.deepEqual([0, 2, 3, 6, 7].map((k) => entryName(naming, k)), ['p.w[0]', 'p.w[2]', 'p.M[0][0]', 'p.M[1][1]', 'p.b']);
  assert.equal(entryName({ wrt: 'Y', shape: [2, 3] }, 4), 'Y[1][1]');
});

test('supplied tree results: same tree, array or object for several paths, missing and extra leaves named', () => {
  const leaves = [
    { path: 'W', shape: [1, 2], offset: 0, size: 2 },
    { path: 'b', shape: [], offset: 2, size: 1 },
  ];
  const want = [1, 2, 3];
  assert.deepEqual(Array.from((flattenSuppliedTree([[[1, 2]], 3], ['W', 'b'], leaves) as { values: Float64Array }).values), want);
  assert.deepEqual(Array.from((flattenSuppliedTree({ b: 3, W: [[1, 2]] }, ['W', 'b'], leaves) as { values: Float64Array }).values), want);
  assert.deepEqual(flattenSuppliedTree({ W: [[1, 2]] }, ['W', 'b'], leaves), { error: 'returned no b' });
  assert.deepEqual(flattenSuppliedTree({ W: [[1, 2]], b: 3, c: 4 }, ['W', 'b'], leaves), { error: 'returned an entry for c, which is not differentiated (wrt W, b)' });
  assert.deepEqual(flattenSuppliedTree([[[1, 2, 3]], 3], ['W', 'b'], leaves), { error: 'returned W as 1×3, expected 1×2' });
  const tree = [{ path: 'p.w', shape: [2], offset: 0, size: 2 }];
  assert.deepEqual(flattenSuppliedTree({ w: [1, 2], extra: [5] }, ['p'], tree), { error: 'returned p.extra, which is not differentiated' });
});

test('wrt paths: parameters, fields, indices, quoted keys, several', () => {
  assert.deepEqual(parseWrtPaths('p', '--wrt'), [{ root: 'p', steps: [], text: 'p' }]);
  assert.deepEqual(parseWrtPaths(' p.layers[1].W ', '--wrt'), [{ root: 'p', steps: ['layers', 1, 'W'], text: 'p.layers[1].W' }]);
  assert.deepEqual(parseWrtPaths('this.w,x', '--wrt').map((p) => p.text), ['this.w', 'x']);
  assert.deepEqual(parseWrtPaths('W, b', '--wrt').map((p) => p.root), ['W', 'b']);
  assert.deepEqual(parseWrtPaths('p["odd key"][0]', '--wrt')[0].steps, ['odd key', 0]);
});

test('wrt path errors point at the character', () => {
  const message = (text: string) => {
    try {
      parseWrtPaths(text, '--wrt');
    } catch (e) {
      assert.ok(e instanceof EngineError);
      return e.message;
    }
    assert.fail(`no error for ${text}`);
  };
  assert.equal(message('p.layers[x]'), "--wrt: expected an index, found 'x' at character 10\n  p.layers[x]\n           ^");
  assert.equal(message('p..w'), "--wrt: expected a name, found '.' at character 3\n  p..w\n    ^");
  assert.equal(message('W b'), "--wrt: expected '.', '[' or ',', found 'b' at character 3\n  W b\n    ^");
  assert.equal(message('W,'), '--wrt: a name is missing at character 3\n  W,\n    ^');
  assert.equal(message('p[1'), "--wrt: ']' is missing at character 4\n  p[1\n     ^");
  assert.equal(message('p["a]'), '--wrt: unterminated string at character 3\n  p["a]\n    ^');
  assert.equal(message('p, p.w'), '--wrt: p.w and p overlap: name each part once');
});

test('a tree parameter: gradient and exact diagonal of every leaf against the closed form', async () => {
  const r = await check({ functionName: 'treeLoss', at: { p: { w: [0.5, -1.5, 2], b: 0.75, M: [[1, 2, -1], [0.5, -2, 3], [1.5, 0.25, -0.5]] } } });
  const { w, b, M } = { w: [0.5, -1.5, 2], b: 0.75, M: [[1, 2, -1], [0.5, -2, 3], [1.5, 0.25, -0.5]] };
  const m2 = M.flat().reduce((s, v) => s + v * v, 0);
  assert.equal(r.wrt, 'p');
  assert.deepEqual(r.shape, { 'p.w': [3], 'p.b': [], 'p.M': [3, 3] });
  closeKeyed(r.gradient, { 'p.w': w.map((v) => 3 * v * v), 'p.b': 2 * b * m2, 'p.M': M.map((row) => row.map((v) => 2 * b * b * v)) }, 1e-13, 'gradient');
  closeKeyed(r.hessianDiagonal, { 'p.w': w.map((v) => 6 * v), 'p.b': 2 * m2, 'p.M': M.map((row) => row.map(() => 2 * b * b)) }, 1e-13, 'diagonal');
  assert.equal(r.passes, 2);
  assert.deepEqual(statuses(r), { 'gradient-vs-fd': 'pass', 'hessian-diagonal-vs-fd': 'pass' });
  assert.deepEqual(r.leaves?.map((l) => [l.path, l.offset, l.size]), [['p.w', 0, 3], ['p.b', 3, 1], ['p.M', 4, 9]]);
});

test('part of a tree, and several paths, form one input vector', async () => {
  const onlyB = await check({ functionName: 'treeLoss', at: { p: { w: [1, 2], b: 0.5, M: [[1, 2], [3, 4]] } }, wrt: 'p.b' });
  assert.deepEqual(onlyB.shape, []);
  assert.equal(onlyB.wrt, 'p.b');
  close(onlyB.gradient, 2 * 0.5 * 30, 1e-14, 'd/db');
  const several = await check({ functionName: 'rowScaled', at: { W: [[1, 2], [3, -1]], b: [0.5, 2] }, wrt: 'W,b' });
  assert.equal(several.wrt, 'W, b');
  closeKeyed(several.gradient, { W: [[1, 2], [12, -4]], b: [5, 10] }, 1e-14, 'gradient');
  closeKeyed(several.hessianDiagonal, { W: [[1, 1], [4, 4]], b: [0, 0] }, 1e-14, 'diagonal');
});

test('a module constant holding a tree with Matrix, Float64Array and Float32Array leaves', async () => {
  const viaDirective = await runCheck({
    file: models,
    text: `${require('node:fs').readFileSync(models, 'utf8')}\n/** @dlens-at p = P0 */\nexport function matrixTreeAtP0(p: { A: Matrix; v: Float64Array; f: Float32Array }): number {\n  return matrixTree(p);\n}\n`,
    functionName: 'matrixTreeAtP0',
  });
  const A = [[1, 2], [3, -4]];
  const v = [0.5, -0.3];
  const f = [0.25, 0.5];
  const s = A.flat().reduce((t, x) => t + x * x, 0);
  const c = v[0] + v[1] * v[1];
  closeKeyed(viaDirective.gradient, { 'p.A': A.map((row) => row.map((x) => 2 * x * c)), 'p.v': [s, 2 * v[1] * s], 'p.f': [f[1], f[0]] }, 1e-13, 'gradient');
  closeKeyed(viaDirective.hessianDiagonal, { 'p.A': A.map((row) => row.map(() => 2 * c)), 'p.v': [0, 2 * s], 'p.f': [0, 0] }, 1e-13, 'diagonal');
  assert.equal(viaDirective.verdict, 'pass');
});

test('a generated point for a typed tree, and a clear message when its shapes are unknown', async () => {
  const r = await check({ functionName: 'typedTree' });
  assert.deepEqual(r.shape, { 'p.w': [5], 'p.b': [] });
  const w = (r.point.p as { w: number[] }).w;
  closeKeyed(r.gradient, { 'p.w': w.map((v) => 2 * v), 'p.b': 1 }, 1e-14, 'gradient');
  const info = await error({ functionName: 'needsLayers' });
  assert.match(info.message, /cannot make a default point for parameter 'layers' of type Layer\[\]/);
});

test('supplied tree gradients: right, one leaf wrong (explained per leaf), a transposed leaf, missing and extra leaves', async () => {
  const run = (gradientFunction: string) => check({ functionName: 'treeLoss', at: { p: { w: [0.5, -1.5, 2], b: 0.75, M: [[1, 2, -1], [0.5, -2, 3], [1.5, 0.25, -0.5]] } }, gradientFunction });
  const supplied = async (name: string) => (await run(name)).checks.find((c) => c.id === 'supplied-gradient')!;
  assert.equal((await supplied('treeGrad')).status, 'pass');
  const wrongB = await supplied('treeGradWrongB');
  assert.equal(wrongB.status, 'fail');
  assert.deepEqual(wrongB.mismatches.map((m) => [m.entry, m.index]), [['p.b', [3]]]);
  assert.match(wrongB.explanation!, /^only p\.b is wrong: 2× the true gradient/);
  const transposed = await supplied('treeGradTransposedM');
  assert.match(transposed.explanation!, /^only p\.M is wrong: transposed/);
  assert.ok(transposed.mismatches.every((m) => m.entry.startsWith('p.M[')));
  assert.match((await supplied('treeGradMissingM')).summary, /^treeGradMissingM returned no p\.M$/);
  assert.match((await supplied('treeGradExtra')).summary, /^treeGradExtra returned p\.c, which is not differentiated$/);
});

test('supplied gradients for several paths: an array in their order or an object keyed by them', async () => {
  for (const gradientFunction of ['rowScaledGradArray', 'rowScaledGradObject']) {
    const r = await check({ functionName: 'rowScaled', at: { W: [[1, 2], [3, -1]], b: [0.5, 2] }, wrt: 'W, b', gradientFunction });
    assert.equal(statuses(r)['supplied-gradient'], 'pass', gradientFunction);
  }
  const swapped = await check({ functionName: 'rowScaled', at: { W: [[1, 2], [3, -1]], b: [0.5, 2] }, wrt: 'b, W', gradientFunction: 'rowScaledGradArray' });
  assert.match(swapped.checks.find((c) => c.id === 'supplied-gradient')!.summary, /returned b as 2×2, expected 2/);
});

test('an instance method through new Class(): getters, setters and #private fields, wrt this.w and a parameter', async () => {
  const r = await check({ functionName: 'Quadratic.energy', at: { x: 0.5 }, wrt: 'this.w, x' });
  const w = [1, 2, 3];
  const k = 2;
  const x = 0.5;
  closeKeyed(r.gradient, { 'this.w': w.map((v) => 2 * k * x * v + Math.cos(v)), x: k * w.reduce((s, v) => s + v * v, 0) }, 1e-14, 'gradient');
  closeKeyed(r.hessianDiagonal, { 'this.w': w.map((v) => 2 * k * x - Math.sin(v)), x: 0 }, 1e-14, 'diagonal');
  assert.deepEqual(r.point.this, { w: [1, 2, 3] });
  assert.equal(r.verdict, 'pass');
});

test('a static method, an object-literal method with this, and a receiver named by --this', async () => {
  const q = await check({ functionName: 'Quadratic.quartic', at: { x: [1, -2, 0.5] } });
  close(q.gradient, [4, -32, 0.5], 1e-14, 'static gradient');
  close(q.hessianDiagonal, [12, 48, 3], 1e-14, 'static diagonal');
  const h = await check({ functionName: 'losses.huber', at: { r: [0.5, -2, 0.25] } });
  close(h.gradient, [1, -2, 0.5], 1e-14, 'huber gradient');
  close(h.hessianDiagonal, [2, 0, 2], 1e-14, 'huber diagonal');
  const scale = await check({ functionName: 'losses.huber', at: { r: [0.5, -2, 0.25] }, wrt: 'this.scale' });
  close(scale.gradient, 0.125 + 1.5 + 0.03125, 1e-14, 'd/d scale');
  const s = await check({ functionName: 'Scaled.total', at: { x: [1, 2, 3] }, thisConstant: 'SCALED', gradientFunction: 'Scaled.totalGradient' });
  close(s.gradient, [2, 8, 18], 1e-14, 'gradient with --this');
  assert.equal(statuses(s)['supplied-gradient'], 'pass');
  // A supplied method is one evaluation too: Math.random restarts before it, as before the function.
  const j = await check({ functionName: 'Jittered.loss', at: { x: [1, 2, 3] }, gradientFunction: 'Jittered.lossGradient' });
  assert.equal(statuses(j)['supplied-gradient'], 'pass', j.checks.map((c) => c.summary).join('\n'));
  const ofS = await check({ functionName: 'Scaled.total', at: { x: [1, 2, 3] }, thisConstant: 'SCALED', wrt: 'this.s' });
  assert.deepEqual(ofS.shape, [3]);
  close(ofS.gradient, [1, 4, 9], 1e-14, 'gradient wrt this.s');
});

test('receivers and methods that cannot be called say what to do', async () => {
  assert.match((await error({ functionName: 'Scaled.total' })).message, /the constructor of Scaled needs arguments, so name the object to call total on: --this CONSTANT or @dlens-this CONSTANT/);
  assert.match((await error({ functionName: 'Quadratic.quartic', wrt: 'this.w' })).message, /has no parameter 'this' .*a static method has no receiver/);
  assert.match((await error({ functionName: 'helper' })).message, /^`helper` is a function inside `outer`: it cannot be called on its own/);
  assert.match((await error({ functionName: 'treeLoss', at: { p: { w: [1], b: 1, M: [[1]] } }, wrt: 'p.c' })).message, /^wrt p\.c: p has no field 'c' \(its fields: w, b, M\)$/);
  assert.match((await error({ functionName: 'treeLoss', at: { p: { w: [1], b: 1, M: [[1]] } }, wrt: 'p.M[0]' })).message, /^wrt p\.M\[0\] is part of p\.M: differentiate all of p\.M$/);
  assert.match((await error({ functionName: 'treeLoss', at: { p: { w: [1, NaN], b: 1, M: [[1]] } as never } })).message, /p\.w holds NaN/);
});

test('the examples check without wrappers, with leaf-keyed results', async () => {
  const logistic = await runCheck({ file: path.join(examples, 'logistic-regression.ts'), functionName: 'logisticLoss' });
  assert.deepEqual(logistic.shape, { 'params.weights': [3], 'params.bias': [] });
  assert.equal(logistic.verdict, 'pass');
  assert.equal(statuses(logistic)['supplied-gradient'], 'pass');
  const net = await runCheck({ file: path.join(examples, 'two-layer-network.ts'), functionName: 'TwoLayerNetwork.loss' });
  assert.deepEqual(Object.keys(net.shape), ['this.layers[0].W', 'this.layers[0].b', 'this.layers[1].W', 'this.layers[1].b']);
  assert.equal(net.verdict, 'pass');
});

test('a tree report splits into one report per leaf: values, mismatches, references and supplied values in the leaf shape', async () => {
  const p = { w: [0.5, -1.5, 2], b: 0.75, M: [[1, 2, -1], [0.5, -2, 3], [1.5, 0.25, -0.5]] };
  const r = await check({ functionName: 'treeLoss', at: { p }, gradientFunction: 'treeGradWrongB' });
  const leaves = leafReports(r);
  assert.deepEqual(leaves.map((l) => [l.wrt, l.shape]), [['p.w', [3]], ['p.b', []], ['p.M', [3, 3]]]);
  const [w, b, M] = leaves;
  const m2 = p.M.flat().reduce((s, v) => s + v * v, 0);
  close(w.gradient, p.w.map((v) => 3 * v * v), 1e-14, 'p.w gradient');
  close(M.hessianDiagonal, p.M.map((row) => row.map(() => 2 * p.b * p.b)), 1e-14, 'p.M diagonal');
  const supplied = (l: typeof w) => l.checks.find((c) => c.id === 'supplied-gradient')!;
  assert.deepEqual(supplied(b).mismatches.map((m) => [m.entry, m.index]), [['p.b', []]]);
  assert.equal(supplied(w).mismatches.length, 0);
  close(supplied(b).supplied!, 4 * p.b * m2, 1e-14, 'p.b as supplied');
  close(supplied(M).supplied!, p.M.map((row) => row.map((v) => 2 * p.b * p.b * v)), 1e-14, 'p.M as supplied');
  const fd = M.checks.find((c) => c.id === 'gradient-vs-fd')!;
  close(fd.reference!, p.M.map((row) => row.map((v) => 2 * p.b * p.b * v)), 1e-6, 'p.M finite differences');
  assert.ok(leaves.every((l) => l.stepSweeps.every((s) => s.index.length === l.shape.length)));
});
