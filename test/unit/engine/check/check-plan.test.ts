// The cost-planned checks: which mode the budget allows, and fast mode's verdicts on closed forms (wrong entries named).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChecks, type CheckOptions } from '../../../../engine/check/checks';
import { chooseMode, fastAllowance, MAX_DIRECTIONS, MAX_PROBES, MAX_SAMPLE, MIN_DIRECTIONS, MIN_SAMPLE, type CostInputs } from '../../../../engine/check/fd-plan';
import { sampleEscape } from '../../../../engine/check/fd-checks';
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

test('fast mode stops at its guarantees: 3 to 10 directions, 1 to 8 probes (never more than groups), a sample of 8 to 64', () => {
  assert.deepEqual(fastAllowance(costs({ budgetMs: 0, groups: 5 })), { directions: MIN_DIRECTIONS, probes: 1, sample: MIN_SAMPLE });
  assert.deepEqual(fastAllowance(costs({ budgetMs: 1e9, groups: 5 })), { directions: MAX_DIRECTIONS, probes: 5, sample: MAX_SAMPLE });
  assert.deepEqual(fastAllowance(costs({ budgetMs: 1e9, groups: 500 })), { directions: MAX_DIRECTIONS, probes: MAX_PROBES, sample: MAX_SAMPLE });
  // The sample is priced at the cheaper way to difference one entry: 4 evaluations of f here, not 4 gradients.
  assert.equal(fastAllowance(costs({ budgetMs: 2000, fMs: 10, gradientMs: 1000 })).sample, 10);
});

test('the odds of a sample: had a tenth of the entries been wrong, none of them drawn (hypergeometric, ≤ 0.9^m)', () => {
  // 30 wrong among 300, 64 drawn: C(270, 64) / C(300, 64).
  let exact = 1;
  for (let j = 0; j < 64; j++) exact *= (270 - j) / (300 - j);
  assert.ok(Math.abs(sampleEscape(300, 64).escape - exact) <= 1e-15);
  assert.ok(sampleEscape(300, 64).escape <= 0.9 ** 64);
  assert.equal(sampleEscape(8, 8).escape, 0);
  assert.equal(sampleEscape(8, 8).wrong, 'one');
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
  assert.match(d.summary, /matches finite differences at \d+ of 160 entries \(fast mode.*the 8 chosen at random would all have matched.*H·u along 1 random-sign probe matches/);
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

test('fast mode on a dense Hessian: H·u at every row, a random sample of the entries no probe isolates, and its odds stated', () => {
  const right = runChecks(coupledQuadraticExp(30), fast);
  const d = byId(right.checks, 'hessian-diagonal-vs-fd');
  assert.equal(d.status, 'pass', d.summary);
  // No probe isolates an entry of a dense Hessian: all 30 are left to the sample of 8, C(27, 8) / C(30, 8) = 0.379.
  assert.match(d.summary, /had a tenth \(3\) of the 30 entries its probes could not settle been wrong, the 8 chosen at random would all have matched with probability ≤ 0\.379; the engine's H·u along 1 random-sign probe matches/);
  assert.match(right.plan.guarantee.join('\n'), /Hessian diagonal: 8 of 30 entries compared one by one.*probability ≤ 0\.379/);

  // A diagonal wrong at a fifth of its entries: the sample draws some of them, and names them.
  const wrongAt = new Set([2, 5, 9, 13, 17, 21]);
  const wrongDiagonal = byId(runChecks(coupledQuadraticExp(30, { diagonal: (v) => v.map((x, i) => (wrongAt.has(i) ? 2 * x : x)) }), fast).checks, 'hessian-diagonal-vs-fd');
  assert.equal(wrongDiagonal.status, 'fail', wrongDiagonal.summary);
  assert.ok(wrongDiagonal.mismatches.length > 0);
  for (const m of wrongDiagonal.mismatches) assert.ok(wrongAt.has(m.index[0]), `named ${m.index}`);
  // With a budget every entry is differenced: a single wrong one fails.
  const differenced = byId(runChecks(coupledQuadraticExp(30, { diagonal: (v) => v.map((x, i) => (i === 4 ? 2 * x : x)) }), options).checks, 'hessian-diagonal-vs-fd');
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
