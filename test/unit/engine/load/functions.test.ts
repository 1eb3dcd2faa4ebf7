// Finding checkable functions: forms, parameter kinds, doc comments, the cursor, and clear errors for what is not supported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { functionAt, functionNamed, kindOfType, listFunctions, outlineModule } from '../../../../engine/load/functions';
import { EngineError } from '../../../../engine/types';

const src = `import { Matrix } from 'ml-matrix';
import * as ns from './other';
import def, { a as alias, type T } from './x';
const K = 3, [p, q] = [1, 2];

/** Doc of f. */
export function f(x: number, v: number[], w: Array<number>, Y: number[][], z: Float64Array, M: Matrix, o: Options, d = 2) {
  return x;
}

/**
 * Doc of g.
 */
const g = (y: readonly number[]) => y[0];
export const h = function (m: ml.Matrix, n) { return 1; };
class C {
  method(x: number) { return x; }
}
function outer(x: number) {
  const inner = (y: number) => y * 2;
  return [x].map((t) => t + 1)[0] + inner(x);
}
`;

test('lists declarations, arrows and function expressions, exported or not', () => {
  const fns = listFunctions(src, '/w/m.ts');
  assert.deepEqual(fns.map((f) => [f.name, f.form, f.exported]), [
    ['f', 'declaration', true],
    ['g', 'arrow', false],
    ['h', 'function-expression', true],
    ['C.method', 'method', false],
    ['outer', 'declaration', false],
  ]);
  const f = fns[0];
  assert.equal(src.slice(f.nameStart, f.nameEnd), 'f');
  assert.ok(src.slice(f.start, f.end).startsWith('export function f('));
  assert.equal(src.slice(f.docStart!, f.docEnd!), '/** Doc of f. */');
  assert.ok(src.slice(fns[1].docStart!, fns[1].docEnd!).includes('Doc of g.'));
  assert.equal(fns[2].docStart, undefined);
});

test('parameter kinds follow the declared types', () => {
  const [f, g, h] = listFunctions(src, '/w/m.ts');
  assert.deepEqual(f.params.map((p) => p.kind), ['number', 'vector', 'vector', 'matrix-array', 'float64array', 'matrix', 'unknown', 'unknown']);
  assert.deepEqual(f.params.map((p) => p.hasDefault), [false, false, false, false, false, false, false, true]);
  assert.equal(f.params[3].type, 'number[][]');
  assert.equal(g.params[0].kind, 'vector');
  assert.deepEqual(h.params.map((p) => [p.kind, p.type]), [['matrix', 'ml.Matrix'], ['unknown', undefined]]);
  assert.equal(kindOfType('Array<Array<number>>'), 'matrix-array');
  assert.equal(kindOfType('string'), 'unknown');
});

test('top-level bindings include variables, destructured names, classes and imports but not type-only imports', () => {
  const { bindings } = outlineModule(src, '/w/m.ts');
  for (const name of ['Matrix', 'ns', 'def', 'alias', 'K', 'p', 'q', 'f', 'g', 'h', 'C', 'outer']) assert.ok(bindings.has(name), name);
  assert.ok(!bindings.has('T'));
  assert.ok(!bindings.has('inner'));
});

test('the cursor selects the enclosing top-level function, including its doc comment and callbacks inside it', () => {
  assert.equal(functionAt(src, '/w/m.ts', src.indexOf('return x;')).name, 'f');
  assert.equal(functionAt(src, '/w/m.ts', src.indexOf('Doc of g')).name, 'g');
  assert.equal(functionAt(src, '/w/m.ts', src.indexOf('t + 1')).name, 'outer');
});

test('a method at the cursor is found; a nested named function is not callable, with the way out', () => {
  const err = (offset: number) => {
    try {
      functionAt(src, '/w/m.ts', offset);
    } catch (e) {
      assert.ok(e instanceof EngineError);
      return e.info;
    }
    assert.fail('expected an error');
  };
  const m = functionAt(src, '/w/m.ts', src.indexOf('return x; }'));
  assert.deepEqual([m.name, m.method], ['C.method', { owner: 'C', member: 'method', kind: 'instance', newable: true }]);
  const n = err(src.indexOf('y * 2'));
  assert.equal(n.kind, 'unsupported');
  assert.equal(n.message, '`inner` is a function inside `outer`: it cannot be called on its own. To check it, move it to the top level (or make it a method of a top-level class or of an object bound to a module constant)');
  const none = err(src.indexOf('const K'));
  assert.equal(none.kind, 'not-found');
  assert.match(none.message, /candidates: f, g, h, C\.method, outer/);
});

test('by name: found, a method of that name, or not found with the candidates', () => {
  assert.equal(functionNamed(src, '/w/m.ts', 'h').form, 'function-expression');
  assert.equal(functionNamed(src, '/w/m.ts', 'C.method').method?.member, 'method');
  assert.throws(() => functionNamed(src, '/w/m.ts', 'method'), (e: EngineError) => e.info.kind === 'not-found' && /name the method with its owner \(C\.method\)/.test(e.message));
  assert.throws(
    () => functionNamed(src, '/w/m.ts', 'nope'),
    (e: EngineError) => e.info.kind === 'not-found' && e.message === "no function named 'nope' in /w/m.ts (candidates: f, g, h, C.method, outer)",
  );
});

test('what a function returns, from its declared type or its return statements, decides whether it can be checked', async () => {
  const text = `/** @dlens-at x = [1, 2] */
export function loss(x: number[]): number { return x[0]; }
export function grad(x: number[]): number[] { return x; }
export function hess(x: number[]): Float64Array { return new Float64Array(x); }
export function parts(x: number[]) { if (x.length) return { a: 1 }; return { a: 2 }; }
export const pair = (x: number[]) => [x[0], x[1]];
export function alias(x: number[]): Scalar { return x[0]; }
export function nested(x: number[]) { const f = () => [1]; return f()[0]; }
export function log(x: number[]): void { console.log(x); }
/** @dlens-gradient grad */
export function tagged(x: number[]): { value: number } { return { value: x[0] }; }
`;
  const byName = Object.fromEntries(listFunctions(text, '/v.ts').map((f) => [f.name, f]));
  assert.deepEqual(
    Object.fromEntries(Object.entries(byName).map(([n, f]) => [n, f.returns])),
    { loss: 'number', grad: 'array', hess: 'array', parts: 'other', pair: 'array', alias: 'unknown', nested: 'unknown', log: 'void', tagged: 'other' },
  );
  assert.equal(byName.grad.returnType, 'number[]');
  assert.equal(byName.pair.returnType, undefined);
  const { analyseFile } = await import('../../../../engine/run');
  const checkable = analyseFile(text, '/v.ts').functions.filter((f) => f.checkable).map((f) => f.name);
  assert.deepEqual(checkable, ['loss', 'alias', 'nested', 'tagged']);
});
