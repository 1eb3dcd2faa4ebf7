// f split by source line: the groups' gradients and exact diagonals against closed forms, and when the split is skipped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEvaluator, type EvaluatorSpec } from '../../../../engine/ad/differentiate';
import { setLocator } from '../../../../engine/ad/context';
import { createSandboxGlobals } from '../../../../engine/ad/js/globals';
import { runtime as __ad } from '../../../../engine/ad/runtime';
import type { ContributionGroup } from '../../../../engine/evaluator';
import { close } from '../../helpers/ad-fd';

const M = createSandboxGlobals().Math;
const exact = { hessianDiagonal: 'exact' as const, estimateProbes: 64, seed: 7 };

// Each term is computed in its own named function: the test's locator places a node by the term function on the stack.
function sineTerm(v: unknown): unknown {
  return M.sin(v as number);
}
function cubicTerm(u: unknown, v: unknown): unknown {
  return __ad.mul(__ad.mul(u, u), v);
}
function pairTerm(u: unknown, v: unknown): unknown {
  return __ad.mul(u, v);
}
function square(u: unknown): unknown {
  return __ad.mul(u, u);
}
function residualTerm(x: unknown[], i: number): unknown {
  return square(__ad.sub(x[i], i));
}
function penaltyTerm(x: unknown[], i: number): unknown {
  return __ad.mul(0.1, square(x[i]));
}
function dataSum(x: unknown[]): unknown {
  return x.reduce((s: unknown, _v, i) => __ad.add(s, residualTerm(x, i)), 0);
}
function penaltySum(x: unknown[]): unknown {
  return x.reduce((s: unknown, _v, i) => __ad.add(s, penaltyTerm(x, i)), 0);
}
/** f = dataSum + penaltySum on one line: its two terms are told apart one call level down. */
function delegating(x: unknown[]): unknown {
  return __ad.add(dataSum(x), penaltySum(x));
}
const lineOf: Record<string, number> = { sineTerm: 11, cubicTerm: 12, pairTerm: 13, square: 20, residualTerm: 21, penaltyTerm: 22, dataSum: 31, penaltySum: 32, delegating: 30 };

/** f(x) = Σ sin x_i + Σ x_i² x_{i+1} − 3·x_0 x_1 / 2, accumulated as a user would, with a scaling at the end. */
function threeTerms(x: unknown[]): unknown {
  let s: unknown = 0;
  for (let i = 0; i < x.length; i++) s = __ad.add(s, sineTerm(x[i]));
  for (let i = 0; i + 1 < x.length; i++) s = __ad.add(s, cubicTerm(x[i], x[i + 1]));
  s = __ad.sub(s, __ad.mul(3, pairTerm(x[0], x[1])));
  return __ad.div(__ad.mul(2, s), 2);
}

function withTermLocator<T>(run: () => T): T {
  setLocator((stack) => {
    const name = Object.keys(lineOf).find((k) => stack.includes(`at ${k} `));
    return name ? { file: '/virtual/terms.ts', line: lineOf[name], column: 3 } : undefined;
  });
  try {
    return run();
  } finally {
    setLocator(null);
  }
}

function evaluator(fn: (...args: never[]) => unknown, x0: number[], extra: Partial<EvaluatorSpec> = {}) {
  return createEvaluator({ fn: fn as EvaluatorSpec['fn'], params: [{ name: 'x', kind: 'vector', value: x0 }], wrtIndex: 0, options: exact, ...extra });
}

test('each source line gets the gradient and exact Hessian diagonal of its own terms', () => {
  const x = [0.3, -0.7, 1.1, 0.4];
  const n = x.length;
  const ev = evaluator(threeTerms, x, { sourceLine: (loc) => `term of line ${loc.line}` });
  const split = withTermLocator(() => ev.contributions!());
  assert.ok('groups' in split, JSON.stringify(split));
  const byLine = new Map<number, ContributionGroup>(split.groups.map((g) => [g.location.line, g]));
  assert.deepEqual([...byLine.keys()].sort(), [11, 12, 13]);
  assert.equal(byLine.get(11)!.text, 'term of line 11');
  assert.equal(byLine.get(11)!.terms, n);
  assert.equal(byLine.get(12)!.terms, n - 1);

  const expected: Record<number, { g: number[]; h: number[] }> = {
    11: { g: x.map(Math.cos), h: x.map((v) => -Math.sin(v)) },
    12: {
      g: x.map((v, i) => (i + 1 < n ? 2 * v * x[i + 1] : 0) + (i > 0 ? x[i - 1] ** 2 : 0)),
      h: x.map((_v, i) => (i + 1 < n ? 2 * x[i + 1] : 0)),
    },
    13: { g: x.map((_v, i) => (i === 0 ? -3 * x[1] : i === 1 ? -3 * x[0] : 0)), h: x.map(() => 0) },
  };
  const problems: (string | undefined)[] = [];
  for (const [line, { g, h }] of Object.entries(expected)) {
    const group = byLine.get(Number(line))!;
    g.forEach((v, i) => problems.push(close(group.gradient[i], v, 1e-14, 1e-15, `∇(line ${line})[${i}]`)));
    h.forEach((v, i) => problems.push(close(group.hessianDiagonal[i], v, 1e-14, 1e-15, `diag ∇²(line ${line})[${i}]`)));
  }
  // The groups add up to f: their gradients and diagonals sum to the engine's.
  const d = ev.derivatives();
  for (let i = 0; i < n; i++) {
    problems.push(close(split.groups.reduce((s, grp) => s + grp.gradient[i], 0), d.gradient[i], 1e-14, 1e-15, `Σ groups ∇[${i}]`));
    problems.push(close(split.groups.reduce((s, grp) => s + grp.hessianDiagonal[i], 0), d.hessianDiagonal[i], 1e-14, 1e-15, `Σ groups diag[${i}]`));
  }
  assert.deepEqual(problems.filter(Boolean), []);
});

test('the split says why it was skipped: one expression, one line, too many lines, no locator', () => {
  const product = (x: unknown[]) => __ad.mul(sineTerm(x[0]), x[1]);
  const one = withTermLocator(() => evaluator(product, [0.2, 0.5]).contributions!());
  assert.ok('skipped' in one && /not a sum of several terms/.test(one.skipped), JSON.stringify(one));

  const sines = (x: unknown[]) => x.reduce((s: unknown, v) => __ad.add(s, sineTerm(v)), 0);
  const oneLine = withTermLocator(() => evaluator(sines, [0.2, 0.5, 0.1]).contributions!());
  assert.ok('skipped' in oneLine && /one source line/.test(oneLine.skipped), JSON.stringify(oneLine));

  // A locator that gives every node its own line: 40 lines, more than the 32 that are fitted.
  let line = 0;
  setLocator(() => ({ file: '/virtual/many.ts', line: ++line, column: 1 }));
  try {
    const many = evaluator(sines, Array.from({ length: 40 }, (_, i) => i / 40)).contributions!();
    assert.ok('skipped' in many && /40 source lines, more than 32/.test(many.skipped), JSON.stringify(many));
  } finally {
    setLocator(null);
  }

  const unplaced = evaluator(sines, [0.2, 0.5, 0.1]).contributions!();
  assert.ok('skipped' in unplaced && /no term could be placed/.test(unplaced.skipped), JSON.stringify(unplaced));
});

test('splitting leaves the evaluator as it was: derivatives afterwards are unchanged', () => {
  const ev = evaluator(threeTerms, [0.3, -0.7, 1.1, 0.4]);
  const before = ev.derivatives();
  withTermLocator(() => ev.contributions!());
  const after = ev.derivatives();
  assert.deepEqual(Array.from(after.gradient), Array.from(before.gradient));
  assert.deepEqual(Array.from(after.hessianDiagonal), Array.from(before.hessianDiagonal));
  assert.deepEqual(Array.from(ev.hvp(Float64Array.of(1, 0, 0, 0))), Array.from(withTermLocator(() => (ev.contributions!(), ev.hvp(Float64Array.of(1, 0, 0, 0))))));
});

test('a function that throws when recorded again loses the split, not the check', () => {
  let calls = 0;
  const flaky = (x: unknown[]) => {
    if (++calls > 1) throw new Error('state changed');
    return __ad.add(sineTerm(x[0]), cubicTerm(x[0], x[1]));
  };
  const ev = evaluator(flaky, [0.2, 0.5]);
  const d = ev.derivatives();
  const split = withTermLocator(() => ev.contributions!());
  assert.ok('skipped' in split && /threw when recorded again \(state changed\)/.test(split.skipped), JSON.stringify(split));
  assert.ok(Math.abs(d.gradient[0] - (Math.cos(0.2) + 2 * 0.2 * 0.5)) < 1e-15);
});

test('terms computed by one helper are told apart by the lines that call it, at the level where their stacks part', () => {
  const x = [0.3, -0.7, 1.1];
  // Both terms square through the same helper (line 20); f calls residualTerm (line 21) and penaltyTerm (line 22).
  const viaHelper = (v: unknown[]) => v.reduce((s: unknown, _u, i) => __ad.add(__ad.add(s, residualTerm(v, i)), penaltyTerm(v, i)), 0);
  for (const fn of [viaHelper, delegating]) {
    const split = withTermLocator(() => evaluator(fn, x).contributions!());
    assert.ok('groups' in split, JSON.stringify(split));
    const lines = split.groups.map((g) => g.location.line).sort();
    assert.deepEqual(lines, fn === viaHelper ? [21, 22] : [31, 32]);
    const penalty = split.groups.find((g) => g.location.line === (fn === viaHelper ? 22 : 32))!;
    penalty.gradient.forEach((g, i) => assert.ok(Math.abs(g - 0.2 * x[i]) < 1e-15, `∇ penalty[${i}] = ${g}`));
    penalty.hessianDiagonal.forEach((h) => assert.ok(Math.abs(h - 0.2) < 1e-15));
  }
});
