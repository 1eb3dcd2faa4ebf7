// The __ad runtime and the sandbox globals keep JavaScript's semantics and record derivatives only for active values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADNum } from '../../../../engine/ad/adnum';
import { lastRecordingLog, setLocator, withTape } from '../../../../engine/ad/context';
import { ADFloat64Array, createSandboxGlobals } from '../../../../engine/ad/js/globals';
import { VARIABLE } from '../../../../engine/ad/primitives';
import { runtime as __ad } from '../../../../engine/ad/runtime';
import { Tape } from '../../../../engine/ad/tape';
import { EngineError } from '../../../../engine/types';

const { Math: M, Number: N, isFinite: isFiniteAD, isNaN: isNaNAD, Float64Array: F64 } = createSandboxGlobals();

/** Runs fn with one active scalar of value v (node 0) on a fresh tape; returns the result and the tape. */
function active<T>(v: number, fn: (x: ADNum) => T): { result: T; tape: Tape } {
  const tape = new Tape();
  const x = new ADNum(tape.variable(v, VARIABLE), v);
  return { result: withTape(tape, () => fn(x)), tape };
}

function isUnsupported(e: unknown): boolean {
  return e instanceof EngineError && e.info.kind === 'unsupported';
}

test('plain numbers take the native operators', () => {
  assert.equal(__ad.add(2, 3), 5);
  assert.equal(__ad.sub(2, 3), -1);
  assert.equal(__ad.mul(2, 3), 6);
  assert.equal(__ad.div(1, 4), 0.25);
  assert.equal(__ad.mod(-7, 3), -1);
  assert.equal(__ad.pow(2, 10), 1024);
  assert.equal(__ad.neg(2), -2);
});

test('non-numbers keep JavaScript semantics, and an active scalar concatenates as its value', () => {
  assert.equal(__ad.add('a', 1), 'a1');
  assert.equal(__ad.add([1, 2], 3), '1,23');
  assert.equal(__ad.add(undefined, 1), NaN);
  assert.equal(__ad.add(null, 1), 1);
  assert.equal(__ad.mul('3', 2), 6);
  assert.equal(__ad.add(1n, 2n), 3n);
  assert.equal(__ad.neg('4'), -4);
  assert.equal(__ad.pos('4'), 4);
  const { result } = active(1.5, (x) => [__ad.add('y = ', x), __ad.add(x, '!'), `${x}`, __ad.add({ valueOf: () => 2 }, x)]);
  assert.equal(result[0], 'y = 1.5');
  assert.equal(result[1], '1.5!');
  assert.equal(result[2], '1.5');
  assert.ok(result[3] instanceof ADNum && result[3].v === 3.5);
  assert.throws(() => active(1, (x) => __ad.add(x, 1n)), TypeError);
});

test('arithmetic on an active scalar records nodes with the right partials', () => {
  const { result, tape } = active(3, (x) => __ad.mul(__ad.add(x, 1), x));
  assert.ok(result instanceof ADNum);
  assert.equal(result.v, 12);
  const out = result.id;
  // ∂/∂(x+1) = x = 3, ∂/∂x = x + 1 = 4; mixed second partial 1.
  assert.deepEqual([tape.da[out], tape.db[out], tape.dab[out]], [3, 4, 1]);
  assert.equal(tape.size, 3);
});

test('typeof, ===, !==, ==, != treat an active scalar as its number', () => {
  active(2, (x) => {
    assert.equal(__ad.typeOf(x), 'number');
    assert.equal(__ad.typeOf('s'), 'string');
    assert.equal(__ad.eq(x, 2), true);
    assert.equal(__ad.eq(2, x), true);
    assert.equal(__ad.eq(x, '2'), false);
    assert.equal(__ad.neq(x, 3), true);
    assert.equal(__ad.looseEq(x, '2'), true);
    assert.equal(__ad.looseNeq(x, null), true);
    assert.equal(__ad.eq(x, __ad.mul(x, 1)), true);
    assert.equal(__ad.isAD(x), true);
  });
  const nan = new ADNum(0, NaN);
  assert.equal(__ad.eq(nan, nan), false);
  assert.equal(__ad.eq('a', 'a'), true);
  assert.equal(__ad.looseEq(null, undefined), true);
});

test('++ and -- with ToNumeric semantics, on variables and members', () => {
  assert.equal(__ad.inc(1), 2);
  assert.equal(__ad.inc('1'), 2);
  assert.equal(__ad.dec(10n), 9n);
  const o: Record<string, unknown> = { n: '5', m: 1 };
  assert.equal(__ad.postUpdate(o, 'n', 1), 5);
  assert.equal(o.n, 6);
  assert.equal(__ad.preUpdate(o, 'm', -1), 0);
  assert.equal(o.m, 0);
  const arr = [1, 2];
  assert.equal(__ad.setOp(arr, 1, 'mul', 5), 10);
  assert.equal(__ad.setOp(arr, 0, '+', 'x'), '1x');
  assert.equal(__ad.setOp(arr, 1, '|', 1), 11);
  assert.deepEqual(arr, ['1x', 11]);
  const { result } = active(2, (x) => {
    const cell = [x];
    __ad.postUpdate(cell, 0, 1);
    return __ad.setOp(cell, 0, 'pow', 2);
  });
  assert.ok(result instanceof ADNum && result.v === 9);
});

test('bit operations: plain semantics on numbers, an unsupported error on active values', () => {
  assert.equal(__ad.bit('|', 5.7, 0), 5);
  assert.equal(__ad.bit('>>>', -1, 28), 15);
  assert.equal(__ad.bit('~', 5), -6);
  assert.throws(() => active(3, (x) => __ad.bit('|', x, 0)), (e) => isUnsupported(e) && /bit operations/.test((e as Error).message));
});

test('Math: differentiable functions record, variadic max/min/hypot fold', () => {
  assert.equal(M.max(), -Infinity);
  assert.equal(M.max(1, 5, 3), 5);
  assert.equal(M.min(...[4, 2, 8]), 2);
  assert.equal(M.hypot(3, 4, 12), 13);
  assert.equal(M.PI, Math.PI);
  assert.equal(M.exp(0), 1);
  assert.equal(M.exp('1' as unknown as number), Math.E);
  const { result, tape } = active(2, (x) => M.max(1, x as unknown as number, 0.5) as unknown as ADNum);
  assert.equal(result.v, 2);
  assert.equal(tape.da[result.id], 1);
  const h = active(3, (x) => M.hypot(x as unknown as number, 4) as unknown as ADNum);
  assert.equal(h.result.v, 5);
  assert.equal(h.tape.da[h.result.id], 3 / 5);
  assert.throws(() => active(3, (x) => M.imul(x as unknown as number, 2)), isUnsupported);
});

test('kinks and notes are recorded while recording, merged by operation', () => {
  active(0, (x) => M.abs(x as unknown as number));
  assert.deepEqual(lastRecordingLog().kinks.map((k) => k.detail), ['Math.abs at 0']);
  active(1, (x) => {
    M.max(x as unknown as number, 1);
    M.max(x as unknown as number, 1);
    M.floor(__ad.mul(x, 2.5) as number);
  });
  const log = lastRecordingLog();
  assert.deepEqual(log.kinks.map((k) => [k.detail, k.nodeIds]), [['Math.max with a tie', [0]]]);
  assert.deepEqual(log.notes, ['Math.floor on an active value: derivative taken as 0 (piecewise constant)']);
  active(2, (x) => __ad.mod(__ad.mul(x, 3), 2));
  assert.deepEqual(lastRecordingLog().kinks.map((k) => k.detail), ['% at a jump (the quotient is an integer)']);
});

test('Number and the global predicates look through active scalars', () => {
  active(2.5, (x) => {
    assert.equal(N(x), x);
    assert.equal(N.isFinite(x), true);
    assert.equal(N.isInteger(x), false);
    assert.equal(isFiniteAD(x), true);
    assert.equal(isNaNAD(x), false);
  });
  assert.equal(N('3'), 3);
  assert.equal(N(), 0);
  assert.equal(N.EPSILON, Number.EPSILON);
  assert.equal(N.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  assert.equal(N.parseFloat('1.5e3'), 1500);
  assert.equal(isNaNAD('x'), true);
  assert.ok(new N(4) instanceof Number);
});

test('Float64Array holds active scalars and behaves as a typed array', () => {
  const a = new F64(3);
  assert.deepEqual([...a], [0, 0, 0]);
  assert.equal(F64.BYTES_PER_ELEMENT, 8);
  assert.deepEqual([...new F64([1, '2', 3])], [1, 2, 3]);
  assert.deepEqual([...new F64(new Set([4, 5]))], [4, 5]);
  assert.deepEqual([...F64.from([1, 2], (v) => (v as number) * 10)], [10, 20]);
  assert.deepEqual([...F64.of(7, 8)], [7, 8]);
  a.set([9, 8], 1);
  assert.deepEqual([...a], [0, 9, 8]);
  assert.throws(() => a.set([1, 2], 2), RangeError);
  const sub = a.subarray(1);
  assert.ok(sub instanceof ADFloat64Array);
  assert.deepEqual([...sub], [9, 8]);
  assert.deepEqual([...a.map((v) => (v as number) + 1)], [1, 10, 9]);
  assert.ok(a.map((v) => v) instanceof ADFloat64Array);
  assert.deepEqual([...new F64(2).fill(3)], [3, 3]);
  assert.throws(() => new F64(new ArrayBuffer(8)), isUnsupported);
  const { result } = active(1.5, (x) => {
    const v = new F64([x, 2]);
    v[1] = __ad.mul(v[0], v[1]) as number;
    return v;
  });
  assert.ok(result[1] instanceof ADNum && result[1].v === 3);
});

test('the locator places unsupported operations, kinks and notes on the user line', () => {
  const stacks: string[] = [];
  setLocator((stack) => (stacks.push(stack), { file: 'loss.ts', line: 12, column: 5 }));
  try {
    assert.throws(
      () => active(3, (x) => __ad.bit('&', x, 1)),
      (e) => e instanceof EngineError && e.info.kind === 'unsupported' && e.message.endsWith('(line 12)') && e.info.line === 12 && e.info.file === 'loss.ts',
    );
    active(0, (x) => M.round(M.abs(x as unknown as number)));
    const log = lastRecordingLog();
    assert.deepEqual(log.kinks.map((k) => [k.detail, k.location]), [
      ['Math.abs at 0', { file: 'loss.ts', line: 12, column: 5 }],
    ]);
    assert.deepEqual(log.notes, ['Math.round on an active value (line 12): derivative taken as 0 (piecewise constant)']);
    // The stack reaches past the engine's own frames to the caller's.
    assert.ok(stacks.every((s) => s.includes('runtime.test')));
  } finally {
    setLocator(null);
  }
});

test('truthiness, switch values and array searches see an active scalar as its value', () => {
  for (const v of [0, -0, NaN, 1, -2.5]) {
    const { result } = active(v, (x) => [__ad.truthy(x), __ad.caseValue(x)]);
    assert.deepEqual(result, [Boolean(v), v]);
  }
  assert.deepEqual([null, undefined, '', 'a', {}, 0n].map(__ad.truthy), [false, false, false, true, true, false]);
  const { result } = active(2, (x) => {
    const a = [1, x, NaN, x];
    const holes = [, x];
    return [
      __ad.search(a, 'includes', 2), __ad.search(a, 'indexOf', 2), __ad.search(a, 'lastIndexOf', 2), __ad.search(a, 'indexOf', 2, 2),
      __ad.search([1, 2, 3], 'indexOf', x), __ad.search(a, 'includes', NaN), __ad.search(a, 'indexOf', NaN),
      __ad.search(holes, 'includes', undefined), __ad.search(holes, 'indexOf', undefined), __ad.search('a2b', 'indexOf', 'b'),
    ];
  });
  assert.deepEqual(result, [true, 1, 3, 3, 1, true, -1, true, -1, 2]);
});

test('Float32Array rounds every store as JavaScript does and keeps derivatives (rounding is the identity)', () => {
  const { Float32Array: F32 } = createSandboxGlobals();
  const native = new Float32Array([0.1, 1 / 3, 1e40]);
  const ours = new F32([0.1, 1 / 3, 1e40]);
  assert.deepEqual(Array.from(ours), Array.from(native));
  ours[0] = 0.7;
  ours.fill(2.2, 1, 2);
  ours.set([1.1], 2);
  assert.deepEqual(Array.from(ours), [Math.fround(0.7), Math.fround(2.2), Math.fround(1.1)]);
  assert.deepEqual(Array.from(ours.map((v) => (v as number) / 3)), Array.from(new Float32Array([0.7, 2.2, 1.1].map((v) => Math.fround(v) / 3))));
  assert.ok(ours instanceof F32 && !(ours instanceof F64));
  assert.equal(ours.BYTES_PER_ELEMENT, 4);
  assert.equal(F32.from([0.1])[0], Math.fround(0.1));
  const { result, tape } = active(0.3, (x) => {
    const a = new F32(1);
    a[0] = x;
    return a[0];
  });
  assert.ok(result instanceof ADNum);
  assert.equal(result.v, Math.fround(0.3));
  assert.equal(tape.da[result.id], 1);
  assert.match(lastRecordingLog().notes.join('\n'), /Math\.fround on an active value: rounding to float32 is taken as the identity/);
});
