// Tests of runChecks on closed-form Evaluators: the founding loss, wrong hand-written derivatives, kinks, NaN, sampling.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChecks, type CheckOptions } from '../../../../engine/check/checks';
import type { Check, CheckId } from '../../../../engine/types';
import { closedFormEvaluator, coupledQuadraticExp, defaultCheckOptions, FoundingLoss, rows } from '../../helpers/check-evaluators';
import { countingEvaluator } from '../../helpers/check-counting';
import { FD_SAFETY } from '../../../../engine/check/compare';

const options: CheckOptions = defaultCheckOptions;
const byId = (checks: Check[], id: CheckId) => {
  const c = checks.find((x) => x.id === id);
  assert.ok(c, `no ${id} check`);
  return c;
};

test("founding case 7×5: the STORY's diagonal, every check passes, correct hand-written derivatives get no explanation", () => {
  const L = FoundingLoss.reference();
  const ev = L.evaluator(L.T, { supplied: { gradient: rows(L.grad(L.T), 7, 5), hessianDiagonal: rows(L.diag(L.T), 7, 5) } });
  const r = runChecks(ev, options);
  const hot = [0, 1, 3, 2, 4, 4, 4];
  r.derivatives.hessianDiagonal.forEach((d, idx) => {
    const i = Math.floor(idx / 5), j = idx % 5;
    const story = i < 4 ? (j === hot[i] ? 0.24090069 : 0.12669198) : j === 4 ? 0.08030023 : 0.04223066;
    assert.ok(Math.abs(d - story) < 5e-9, `Y[${i}][${j}]`);
  });
  assert.equal(r.checks.length, 4);
  for (const c of r.checks) {
    assert.equal(c.status, 'pass', c.summary);
    assert.equal(c.explanation, undefined);
    assert.equal(c.mismatchCount, 0);
  }
  assert.match(byId(r.checks, 'gradient-vs-fd').method!, /central differences \+ Richardson on all 35 entries/);
  assert.match(byId(r.checks, 'supplied-hessian-diagonal').summary, /handHessianDiagonal matches the engine's Hessian diagonal \(35 entries/);
  assert.equal(r.stepSweeps.length, 2);
  assert.ok(r.timingsMs.evaluate >= 0 && r.timingsMs.finiteDifference > 0);
});

test("the story's 'elementwise twice' hessian fails as Hessian row sums, found with one H·v", () => {
  const L = FoundingLoss.reference();
  const ev = L.evaluator(L.T, { supplied: { hessianDiagonal: L.rowSumsAsWritten(L.T) } });
  const c = byId(runChecks(ev, options).checks, 'supplied-hessian-diagonal');
  assert.equal(c.status, 'fail');
  assert.equal(c.mismatchCount, 35);
  assert.match(c.explanation!, /these are the Hessian's row sums \(H·1\), not its diagonal/);
  assert.match(c.explanation!, /vanish/);
  assert.equal(ev.hvpCalls, 1);
});

test("XGBoost's 2p(1−p) fails as 2× the diagonal", () => {
  const L = FoundingLoss.random(40, 4, 7);
  const Y = L.randomPoint(8);
  const twice = L.diag(Y).map((d) => 2 * d);
  const c = byId(runChecks(L.evaluator(Y, { supplied: { hessianDiagonal: rows(twice, 40, 4), fromObjective: true } }), options).checks, 'supplied-hessian-diagonal');
  assert.equal(c.status, 'fail');
  assert.match(c.explanation!, /^2× the true diagonal — XGBoost's softmax 'hessian' 2p\(1−p\)/);
  assert.ok(Math.abs((c.evidence!.factor as number) - 2) < 1e-9);
});

test('a sign-flipped gradient fails as opposite sign', () => {
  const L = FoundingLoss.random(40, 4, 7);
  const Y = L.randomPoint(9);
  const c = byId(runChecks(L.evaluator(Y, { supplied: { gradient: rows(L.grad(Y).map((g) => -g), 40, 4) } }), options).checks, 'supplied-gradient');
  assert.equal(c.status, 'fail');
  assert.match(c.explanation!, /^opposite sign/);
  assert.match(c.summary, /^handGradient is not the gradient of f: 160 of 160 entries differ \(worst Y\[/);
});

test('a transposed gradient (5×7 for a 7×5 parameter) is a value failure explained as transposed; a wrong shape is a shape failure', () => {
  const L = FoundingLoss.random(7, 5, 2);
  const Y = L.randomPoint(3);
  const g = rows(L.grad(Y), 7, 5);
  const transposed = g[0].map((_, j) => g.map((row) => row[j]));
  const t = byId(runChecks(L.evaluator(Y, { supplied: { gradient: transposed } }), options).checks, 'supplied-gradient');
  assert.equal(t.status, 'fail');
  assert.match(t.explanation!, /^transposed/);
  const wrongShape = byId(runChecks(L.evaluator(Y, { supplied: { gradient: transposed.map((r) => r.slice(0, 6)) } }), options).checks, 'supplied-gradient');
  assert.equal(wrongShape.status, 'fail');
  assert.equal(wrongShape.summary, 'handGradient returned 5×6, expected 7×5');
  assert.equal(wrongShape.explanation, undefined);
  const flat = byId(runChecks(L.evaluator(Y, { supplied: { gradient: Array.from(L.grad(Y)) } }), options).checks, 'supplied-gradient');
  assert.equal(flat.status, 'pass', 'the flat gradient-boosting form is read row-major');
});

test('founding loss at 700×5: no false failures, sampled by default and on all 3,500 entries', () => {
  const L = FoundingLoss.random(700, 5, 3);
  for (const seed of [1, 2, 3]) {
    const Y = L.randomPoint(seed);
    const r = runChecks(L.evaluator(Y, { supplied: { gradient: rows(L.grad(Y), 700, 5), hessianDiagonal: rows(L.diag(Y), 700, 5) } }), { ...options, seed });
    for (const c of r.checks) assert.equal(c.status, 'pass', `seed ${seed}: ${c.summary}`);
    assert.match(byId(r.checks, 'gradient-vs-fd').method!, /64 sampled of 3,500 entries \+ 1 random ±1 directional derivative/);
  }
  const r = runChecks(L.evaluator(L.randomPoint(4)), { ...options, sampleThreshold: 4000 });
  for (const c of r.checks) assert.equal(c.status, 'pass', c.summary);
  assert.match(byId(r.checks, 'hessian-diagonal-vs-fd').method!, /on all 3,500 entries; second differences of f as a cross-check \(agree\)/);
});

/** f(x) = Σ c_i exp(x_i / 2) on N entries, with the engine's gradient possibly wrong at some entries. */
function exponentials(N: number, wrong: number[] = []) {
  const c = Float64Array.from({ length: N }, (_, i) => 1 + (i % 5));
  const x0 = Float64Array.from({ length: N }, (_, i) => Math.cos(i));
  const grad = (x: Float64Array) => x.map((v, i) => (c[i] * Math.exp(v / 2)) / 2);
  const engineGradient = grad(x0);
  for (const i of wrong) engineGradient[i] += 1;
  return closedFormEvaluator({
    shape: [N],
    x0,
    f: (x) => x.reduce((s, v, i) => s + c[i] * Math.exp(v / 2), 0),
    grad,
    diag: (x) => x.map((v, i) => (c[i] * Math.exp(v / 2)) / 4),
    engineGradient,
  });
}

test('above the threshold (N = 5,000) the checks sample, say so, and the directional derivative catches a wrong gradient', () => {
  const right = runChecks(exponentials(5000), options);
  const g = byId(right.checks, 'gradient-vs-fd');
  assert.equal(g.status, 'pass', g.summary);
  assert.match(g.method!, /64 sampled of 5,000 entries \+ 1 random ±1 directional derivative/);
  assert.match(byId(right.checks, 'hessian-diagonal-vs-fd').method!, /64 sampled of 5,000 entries/);

  // 20 wrong entries of 5,000: a sample of 64 most likely misses them all; the direction covers every entry.
  const wrong = runChecks(exponentials(5000, [11, 523, 1034, 1545, 2056, 2567, 3078, 3589, 4090, 4601, 37, 901, 1777, 2222, 2999, 3333, 3777, 4111, 4444, 4999]), options);
  const w = byId(wrong.checks, 'gradient-vs-fd');
  assert.equal(w.status, 'fail');
  assert.match(w.summary, /the derivative along a random ±1 direction differs/);
  const { directionalEngine, directionalFd, directionalBound } = w.evidence as Record<string, number>;
  assert.ok(Math.abs(directionalEngine - directionalFd) > directionalBound);
});

test('a wrong engine gradient fails its FD check, and the diagonal is then checked against second differences of f', () => {
  const r = runChecks(exponentials(30, [4]), options);
  const g = byId(r.checks, 'gradient-vs-fd');
  assert.equal(g.status, 'fail');
  assert.equal(g.mismatchCount, 1);
  assert.deepEqual(g.mismatches[0].index, [4]);
  const d = byId(r.checks, 'hessian-diagonal-vs-fd');
  assert.equal(d.status, 'pass', d.summary);
  assert.match(d.method!, /^second differences of f/);
});

test('a wrong engine diagonal (2×) fails its FD check', () => {
  const L = FoundingLoss.random(12, 3, 5);
  const Y = L.randomPoint(6);
  const d = byId(runChecks(L.evaluator(Y, { engineDiagonal: L.diag(Y).map((v) => 2 * v) }), options).checks, 'hessian-diagonal-vs-fd');
  assert.equal(d.status, 'fail');
  assert.equal(d.mismatchCount, 36);
  assert.match(d.summary, /Hessian diagonal differs from finite differences at 36 of 36 entries/);
});

/** f(x) = |x_0| + max(x_1, x_2) + x_3², at a point with x_0 = 0 and a tie x_1 = x_2. */
function kinked(engineGradient: number[], kinks = false) {
  const x0 = Float64Array.of(0, 1.5, 1.5, 2);
  return closedFormEvaluator({
    shape: [4],
    x0,
    f: (x) => Math.abs(x[0]) + Math.max(x[1], x[2]) + x[3] * x[3],
    grad: (x) => Float64Array.of(Math.sign(x[0]), x[1] >= x[2] ? 1 : 0, x[1] >= x[2] ? 0 : 1, 2 * x[3]),
    diag: () => Float64Array.of(0, 0, 0, 2),
    engineGradient: Float64Array.from(engineGradient),
    kinks: kinks
      ? [
          { op: 'Math.abs', detail: 'Math.abs at 0', entries: [[0]], location: { file: '/virtual/f.ts', line: 12, column: 10 } },
          { op: 'Math.max', detail: 'Math.max with a tie', entries: [[1], [2]], location: { file: '/virtual/f.ts', line: 13, column: 3 } },
        ]
      : [],
  });
}

test('kinks: |x| at 0 and a max with a tie warn, never fail, whether or not the engine listed them', () => {
  const seen = byId(runChecks(kinked([1, 1, 0, 4]), options).checks, 'gradient-vs-fd');
  assert.equal(seen.status, 'warn', seen.summary);
  assert.deepEqual(seen.kinks!.map((k) => k.entries[0]), [[0], [1], [2]]);
  assert.match(seen.summary, /x\[0\]: one-sided derivatives -1 \(left\) and 1 \(right\)/);
  const listed = byId(runChecks(kinked([1, 1, 0, 4], true), options).checks, 'gradient-vs-fd');
  assert.equal(listed.status, 'warn');
  assert.match(listed.summary, /differs from finite differences only at non-differentiable points — x\[0\]: Math\.abs at 0 \(line 12\)/);
  const diag = byId(runChecks(kinked([1, 1, 0, 4], true), options).checks, 'hessian-diagonal-vs-fd');
  assert.notEqual(diag.status, 'fail', diag.summary);
  // A real mistake next to a kink still fails.
  assert.equal(byId(runChecks(kinked([1, 1, 0, 5], true), options).checks, 'gradient-vs-fd').status, 'fail');
});

test('NaN in the engine gradient while f is finite warns', () => {
  const c = byId(runChecks(exponentials(6, []), options).checks, 'gradient-vs-fd');
  assert.equal(c.status, 'pass');
  const ev = exponentials(6);
  const d = ev.derivatives();
  d.gradient[2] = NaN;
  const withNaN = { ...ev, derivatives: () => d };
  const w = byId(runChecks(withNaN, options).checks, 'gradient-vs-fd');
  assert.equal(w.status, 'warn');
  assert.match(w.summary, /gradient: x\[2\] is NaN while f is finite/);
  assert.equal(w.headline, 'x[2] is NaN');
});

test('an objective hessian that is right but has entries ≤ 0 warns that boosting clips or stops splitting', () => {
  // f = Σ x³: diagonal 6x, zero and negative at x ≤ 0.
  const x0 = Float64Array.of(0, 1, -1);
  const ev = closedFormEvaluator({
    shape: [3],
    x0,
    f: (x) => x.reduce((s, v) => s + v ** 3, 0),
    grad: (x) => x.map((v) => 3 * v * v),
    diag: (x) => x.map((v) => 6 * v),
    supplied: { hessianDiagonal: [0, 6, -6], fromObjective: true },
  });
  const c = byId(runChecks(ev, options).checks, 'supplied-hessian-diagonal');
  assert.equal(c.status, 'warn');
  assert.match(c.summary, /2 of 3 hessian entries are ≤ 0 .*boosting clips or stops splitting/);
});

test('the diagonal check costs few gradients: grouped probes at 7×5, one probe for a sample of 35,000', () => {
  const small = FoundingLoss.reference();
  const ev = countingEvaluator(small.evaluator(small.T));
  const r = runChecks(ev, options);
  for (const c of r.checks) assert.equal(c.status, 'pass', c.summary);
  // 5 probes of 4 gradients (a row of 5 needs 5 groups) + the 24-point step sweep; one coordinate at a time took 164.
  assert.ok(ev.counts.gradientAt <= 5 * 4 + 24, `gradients: ${ev.counts.gradientAt}`);
  assert.match(byId(r.checks, 'hessian-diagonal-vs-fd').method!, /differenced along 5 random-sign combinations/);

  const large = FoundingLoss.random(7000, 5, 3);
  const big = countingEvaluator(large.evaluator(large.randomPoint(2)));
  const rb = runChecks(big, options);
  for (const c of rb.checks) assert.equal(c.status, 'pass', c.summary);
  assert.ok(big.counts.gradientAt <= 8, `gradients: ${big.counts.gradientAt}`);
  // 64 sampled coordinates × 4 + the directional derivative, noise floor, the two 24-point sweeps, up to 12 timing f for
  // the plan, and 4 for each diagonal entry whose grouped value was not believed (second differences of f cost less
  // than 4 gradients here).
  const settled = Number(/(\d+) entr(?:y|ies) (?:was|were) settled by second differences/.exec(byId(rb.checks, 'hessian-diagonal-vs-fd').method!)?.[1] ?? 0);
  assert.ok(settled <= 4, `${settled} entries settled by second differences`);
  assert.ok(big.counts.f <= 64 * 4 + 4 + 16 + 48 + 12 + 4 * settled, `f: ${big.counts.f}`);
  assert.match(byId(rb.checks, 'hessian-diagonal-vs-fd').method!, /no second-difference cross-check when sampling/);
});

test('coupled coordinates: grouped values carrying the coupling are differenced alone, and no false failure', () => {
  const d = byId(runChecks(coupledQuadraticExp(12), options).checks, 'hessian-diagonal-vs-fd');
  assert.equal(d.status, 'pass', d.summary);
  // Random signs can cancel the coupling of an entry to within the tolerance; most entries keep it and are taken
  // alone, by the second differences of f the cross-check took anyway (no gradient spent on them).
  const alone = Number(/(\d+) entries were settled by second differences of f along their own coordinate/.exec(d.method!)?.[1]);
  assert.ok(alone >= 6, d.method);
  assert.doesNotMatch(d.method!, /differenced by the gradient/);
  const reference = d.reference as number[];
  const error = d.errorEstimate as number[];
  coupledQuadraticExp(12).derivatives().hessianDiagonal.forEach((h, i) => {
    assert.ok(Math.abs(reference[i] - h) <= d.tolerance.atol + d.tolerance.rtol * h + FD_SAFETY * error[i], `entry ${i}: ${reference[i]} vs ${h}`);
  });
});

test('a wrong diagonal fails whether or not its coordinates couple: one wrong entry, and Hessian row sums', () => {
  const oneWrong = byId(runChecks(exponentials(40), options).checks, 'hessian-diagonal-vs-fd');
  assert.equal(oneWrong.status, 'pass', oneWrong.summary);
  const c = Float64Array.from({ length: 40 }, (_, i) => 1 + (i % 5));
  const x0 = Float64Array.from({ length: 40 }, (_, i) => Math.cos(i));
  const wrongDiag = x0.map((v, i) => (c[i] * Math.exp(v / 2)) / 4);
  wrongDiag[17] *= 1.01;
  const ev = closedFormEvaluator({
    shape: [40],
    x0,
    f: (x) => x.reduce((s, v, i) => s + c[i] * Math.exp(v / 2), 0),
    grad: (x) => x.map((v, i) => (c[i] * Math.exp(v / 2)) / 2),
    diag: (x) => x.map((v, i) => (c[i] * Math.exp(v / 2)) / 4),
    engineDiagonal: wrongDiag,
  });
  const w = byId(runChecks(ev, options).checks, 'hessian-diagonal-vs-fd');
  assert.equal(w.status, 'fail');
  assert.equal(w.mismatchCount, 1);
  assert.deepEqual(w.mismatches[0].index, [17]);

  // The story's mistake on a dense Hessian: H·1 instead of the diagonal; the signed combinations do not reproduce it.
  const sums = byId(runChecks(coupledQuadraticExp(12, { diagonal: (_, H1) => H1 }), options).checks, 'hessian-diagonal-vs-fd');
  assert.equal(sums.status, 'fail');
  assert.equal(sums.mismatchCount, 12);
});

test('a supplied gradient is judged against finite differences, not against an engine gradient that failed them', () => {
  // f = Σ x_i³: ∇f = 3x², diag = 6x. The engine reports 0 (as a Float32Array store used to), which fails against FD.
  const x0 = [0.5, -1, 2];
  const cube = (supplied: number[], sample = options.sampleThreshold) =>
    runChecks(
      closedFormEvaluator({
        shape: [3],
        x0,
        f: (x) => x.reduce((s, v) => s + v ** 3, 0),
        grad: (x) => x.map((v) => 3 * v * v),
        diag: (x) => x.map((v) => 6 * v),
        engineGradient: new Float64Array(3),
        supplied: { gradient: supplied },
      }),
      { ...options, sampleThreshold: sample, sampleSize: 2 },
    ).checks;
  const right = cube(x0.map((v) => 3 * v * v));
  assert.equal(byId(right, 'gradient-vs-fd').status, 'fail');
  const judged = byId(right, 'supplied-gradient');
  assert.equal(judged.status, 'pass', judged.summary);
  assert.match(judged.summary, /matches finite differences \(the engine failed against them/);
  assert.deepEqual(judged.tolerance, options.fd);

  const wrong = byId(cube(x0.map((v) => 6 * v * v)), 'supplied-gradient');
  assert.equal(wrong.status, 'fail');
  assert.match(wrong.summary, /worst x\[2\]: 24, finite differences 12/);

  // Sampled differences cover only some entries: the supplied gradient is not judged, and says so.
  const sampled = byId(cube(x0.map((v) => 3 * v * v), 2), 'supplied-gradient');
  assert.equal(sampled.status, 'warn');
  assert.match(sampled.summary, /^handGradient not judged: the engine failed against finite differences \(gradient-vs-fd\), which cover only some entries/);
});

test('the safety net: a recording whose value differs from the plain evaluation is an error, not a note', () => {
  const ev = closedFormEvaluator({ shape: [1], x0: [2], f: (x) => x[0] ** 2, grad: (x) => x.map((v) => 2 * v), diag: () => Float64Array.of(2) });
  const derivatives = ev.derivatives;
  ev.derivatives = () => ({ ...derivatives(), value: 5 });
  assert.throws(() => runChecks(ev, options), (e: Error & { info?: { kind: string } }) => e.info?.kind === 'diverged' && /recording computed 5 but plain JavaScript computes 4/.test(e.message));
});

test('Σ√x at [0, 1, 4]: the infinite gradient entry and the unverifiable one warn, never pass', () => {
  const ev = closedFormEvaluator({
    shape: [3],
    x0: [0, 1, 4],
    f: (x) => x.reduce((s, v) => s + Math.sqrt(v), 0),
    grad: (x) => x.map((v) => 0.5 / Math.sqrt(v)),
    diag: (x) => x.map((v) => -0.25 * v ** -1.5),
  });
  const checks = runChecks(ev, options).checks;
  const g = byId(checks, 'gradient-vs-fd');
  assert.equal(g.status, 'warn', g.summary);
  assert.equal(g.headline, 'x[0] is Infinity');
  const h = byId(checks, 'hessian-diagonal-vs-fd');
  assert.equal(h.status, 'warn', h.summary);
  assert.equal(h.headline, 'x[0] is -Infinity');
});

test('x^1.5 at 0: a finite engine entry that finite differences cannot reach warns as not checked', () => {
  // f(−h) is NaN, so no central difference exists at x[1] = 0, although the derivative there (0) is finite.
  const ev = closedFormEvaluator({
    shape: [2],
    x0: [1, 0],
    f: (x) => x.reduce((s, v) => s + v ** 1.5, 0),
    grad: (x) => x.map((v) => 1.5 * Math.sqrt(v)),
    diag: (x) => x.map((v) => (v === 0 ? Infinity : 0.75 / Math.sqrt(v))),
  });
  const g = byId(runChecks(ev, options).checks, 'gradient-vs-fd');
  assert.equal(g.status, 'warn', g.summary);
  assert.equal(g.headline, 'x[1] not checked');
  assert.match(g.summary, /finite differences could not check x\[1\]/);
});
