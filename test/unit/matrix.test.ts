// The ml-matrix stand-in: same results as the real ml-matrix on constant matrices, exact derivatives on active ones, no per-entry objects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as real from 'ml-matrix';
import { Matrix, mlMatrixModule } from '../../engine/ad/matrix';
import { EngineError } from '../../engine/types';
import { semanticsCases } from './helpers/matrix-cases';

/** A comparable picture of a result: matrices by shape and entries, thrown errors by class and message. */
function snapshot(x: unknown): unknown {
  if (typeof x === 'function') {
    try {
      return { returned: snapshot(x()) };
    } catch (e) {
      return { threw: `${(e as Error).name}: ${(e as Error).message}` };
    }
  }
  if (x != null && (x as { klass?: string }).klass === 'Matrix') {
    const m = x as { rows: number; columns: number; to2DArray(): unknown[][] };
    return { rows: m.rows, columns: m.columns, entries: m.to2DArray() };
  }
  if (Array.isArray(x)) return x.map(snapshot);
  if (x !== null && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, snapshot(v)]));
  return x;
}

for (const [name, run] of semanticsCases) {
  test(`same results as ml-matrix: ${name}`, () => {
    assert.deepEqual(snapshot(run(Matrix)), snapshot(run(real.Matrix)));
  });
}

test('the module has what ml-matrix exports under the same names', () => {
  assert.equal(mlMatrixModule.default, Matrix);
  assert.equal(mlMatrixModule.Matrix, Matrix);
  for (const name of Object.keys(real)) assert.ok(name in mlMatrixModule, `missing export ${name}`);
  const inv = (mlMatrixModule.inverse as (m: unknown) => Matrix)(new Matrix([[2, 1], [1, 3]]));
  assert.deepEqual(inv.to2DArray(), real.inverse(new real.Matrix([[2, 1], [1, 3]])).to2DArray());
});

test('refused features throw an unsupported EngineError that names them', () => {
  const expectUnsupported = (fn: () => unknown, name: RegExp) =>
    assert.throws(fn, (e: unknown) => e instanceof EngineError && e.info.kind === 'unsupported' && name.test(e.message));
  expectUnsupported(() => Matrix.rand(), /Matrix\.rand/);
  expectUnsupported(() => (Matrix as unknown as { random(): unknown }).random(), /Matrix\.rand/);
  expectUnsupported(() => new (mlMatrixModule.SVD as new (m: unknown) => unknown)(new Matrix(2, 2)), /SVD/);
  expectUnsupported(() => new Matrix(2, 2).data, /Matrix\.data/);
});
