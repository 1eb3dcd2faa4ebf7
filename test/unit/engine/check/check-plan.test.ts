// The cost-planned checks: which mode the budget allows, and fast mode's verdicts on closed forms (wrong entries named).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChecks, type CheckOptions } from '../../../../engine/check/checks';
import { chooseMode, fastAllowance, MAX_DIRECTIONS, MIN_DIRECTIONS, type CostInputs } from '../../../../engine/check/fd-plan';
import { multiIndex } from '../../../../engine/shape';
import type { Check, CheckId } from '../../../../engine/types';
import { coupledQuadraticExp, defaultCheckOptions, FoundingLoss } from '../../helpers/check-evaluators';
import { countingEvaluator } from '../../helpers/check-counting';

const options: CheckOptions = defaultCheckOptions;
/** A budget nothing fits in: fast mode with its minimum allowance, whatever the machine's speed. */
const fast: CheckOptions = { ...options, budgetMs: 0 };
const byId = (checks: Check[], id: CheckId) => checks.find((x) => x.id === id)!;

const costs = (over: Partial<CostInputs>): CostInputs => ({
  n: 300, fMs: 1, gradientMs: 5, budgetMs: 2000, sampleThreshold: 2000, sampleSize: 64, groups: 2, sampleGroups: 2, ...over,
});

test('the planner differences every entry when that fits the budget, samples above the threshold, and goes fast otherwise', () => {
  assert.equal(chooseMode(costs({ fMs: 0.01, gradientMs: 0.05 })).mode, 'per-entry');
  // t-SNE on 150 points as the issue measured it: f ≈ 50 ms, 300 entries; differencing each entry 4 times is 60 s alone.
  const tsne = chooseMode(costs({ fMs: 50, gradientMs: 500 }));
  assert.equal(tsne.mode, 'fast');
  assert.ok(tsne.fullEstimateMs >= 4 * 300 * 50, `${tsne.fullEstimateMs}`);
  assert.equal(chooseMode(costs({ n: 175_000, fMs: 0.01, gradientMs: 0.05 })).mode, 'sampled');
  assert.equal(chooseMode(costs({ n: 175_000, fMs: 20, gradientMs: 40 })).mode, 'fast');
  assert.equal(chooseMode(costs({ budgetMs: Infinity, fMs: 1e6 })).mode, 'per-entry');
});

test('fast mode takes at least 3 and at most 10 directions and at least one diagonal probe, never more probes than groups', () => {
  assert.deepEqual(fastAllowance(costs({ budgetMs: 0, groups: 5 })), { directions: MIN_DIRECTIONS, probes: 1 });
  assert.deepEqual(fastAllowance(costs({ budgetMs: 1e9, groups: 5 })), { directions: MAX_DIRECTIONS, probes: 5 });
});

test('fast mode: a correct gradient passes along random directions and the report says what a pass guarantees', () => {
  const L = FoundingLoss.random(40, 4, 3);
  const ev = countingEvaluator(L.evaluator(L.randomPoint(5)));
  const r = runChecks(ev, fast);
  assert.equal(r.plan.mode, 'fast');
  const g = byId(r.checks, 'gradient-vs-fd');
  assert.equal(g.status, 'pass', g.summary);
  assert.match(g.summary, new RegExp(`along ${MIN_DIRECTIONS} random ±1 directions.*probability ≤ ${2 ** -MIN_DIRECTIONS}`));
  assert.match(r.plan.guarantee.join('\n'), /in any one entry passes all 3 random ±1 directions with probability ≤ 2\^-3/);
  // Rows of the founding loss do not couple: the grouped probe judges its entries, and H·u is compared at every row.
  const d = byId(r.checks, 'hessian-diagonal-vs-fd');
  assert.equal(d.status, 'pass', d.summary);
  assert.match(d.summary, /matches finite differences at \d+ of 160 entries \(fast mode.*H·u along 1 random-sign probe matches/);
  // Far fewer evaluations than differencing 160 entries one by one (8 per entry), and counted in the plan.
  assert.ok(ev.counts.f < 160, `${ev.counts.f} evaluations of f`);
  assert.ok(r.plan.evaluations.f >= ev.counts.f - 5 && r.plan.evaluations.f <= ev.counts.f, `${r.plan.evaluations.f} vs ${ev.counts.f}`);
});

test('fast mode names the wrong gradient entries: bisection of the failing directions, then differences at the named entries', () => {
  const L = FoundingLoss.random(40, 4, 3);
  const Y = L.randomPoint(5);
  // Errors of different sizes: equal and opposite ones cancel along a direction with probability 1/2 (the 2^-k bound).
  const errors = [0.05, -0.03];
  for (const wrong of [[37], [3, 150]]) {
    const engineGradient = L.grad(Y);
    wrong.forEach((i, k) => (engineGradient[i] += errors[k]));
    const ev = countingEvaluator(L.evaluator(Y, { engineGradient }));
    const r = runChecks(ev, fast);
    const g = byId(r.checks, 'gradient-vs-fd');
    // With the gradient failed the diagonal falls back to second differences of f, still within the budget (here
    // one entry), never all 160 entries at 4 evaluations each.
    assert.match(byId(r.checks, 'hessian-diagonal-vs-fd').method!, /second differences of f \+ Richardson on 1 of 160 entries \(as many as the budget affords\)/);
    assert.ok(ev.counts.f < 200, `${ev.counts.f} evaluations of f`);
    assert.equal(g.status, 'fail', g.summary);
    assert.match(g.summary, /differs along \d+ of 3 random ±1 directions/);
    // With no budget left, bisection stops after the first entry it names.
    assert.ok(g.mismatches.length >= 1);
    const expected = wrong.map((i) => multiIndex([40, 4], i).join());
    for (const m of g.mismatches) assert.ok(expected.includes(m.index.join()), `named ${m.index}, wrong ${expected.join(' ')}`);
    for (const m of g.mismatches) {
      const k = wrong.findIndex((i) => multiIndex([40, 4], i).join() === m.index.join());
      assert.ok(Math.abs(m.actual - m.expected - errors[k]) < 1e-6, `${m.index}: ${m.actual} vs ${m.expected}`);
    }
  }
});

test('fast mode on a dense Hessian: H·u is compared at every row, and entries it cannot judge make a warning, never a pass', () => {
  const right = byId(runChecks(coupledQuadraticExp(30), fast).checks, 'hessian-diagonal-vs-fd');
  assert.equal(right.status, 'warn', right.summary);
  assert.match(right.summary, /could not be differenced alone within the budget; the engine's H·u along 1 random-sign probe matches/);

  // A wrong diagonal entry cannot hide among the unjudged ones: still a warning (with a budget it is differenced and fails).
  const wrongDiagonal = byId(runChecks(coupledQuadraticExp(30, { diagonal: (d) => d.map((v, i) => (i === 4 ? 2 * v : v)) }), fast).checks, 'hessian-diagonal-vs-fd');
  assert.notEqual(wrongDiagonal.status, 'pass', wrongDiagonal.summary);
  const differenced = byId(runChecks(coupledQuadraticExp(30, { diagonal: (d) => d.map((v, i) => (i === 4 ? 2 * v : v)) }), options).checks, 'hessian-diagonal-vs-fd');
  assert.equal(differenced.status, 'fail');
  assert.deepEqual(differenced.mismatches.map((m) => m.index), [[4]]);

  // Wrong second derivatives in one row of H·u: named.
  const wrongRow = byId(runChecks(coupledQuadraticExp(30, { hvpRowError: 17 }), fast).checks, 'hessian-diagonal-vs-fd');
  assert.equal(wrongRow.status, 'fail', wrongRow.summary);
  assert.match(wrongRow.summary, /Hessian-vector product along a random-sign probe differs from differences of the gradient at 1 entry \(x\[17\]/);
});

test('a generous budget changes nothing: the per-entry check runs as before', () => {
  const L = FoundingLoss.random(40, 4, 3);
  const r = runChecks(L.evaluator(L.randomPoint(5)), { ...options, budgetMs: 60_000 });
  assert.equal(r.plan.mode, 'per-entry');
  assert.match(byId(r.checks, 'gradient-vs-fd').method!, /on all 160 entries/);
  assert.deepEqual(r.plan.guarantee, []);
});
