// The engine-vs-finite-differences checks (gradient, Hessian diagonal), with kink and NaN/Inf handling and step sweeps.

import type { Check, CheckMode, Kink, StepSweep, Tolerance } from '../types';
import type { Derivatives, Evaluator } from '../evaluator';
import { compareEntries, FD_SAFETY, type EntryComparison } from './compare';
import {
  coordinateLine,
  diagonalBySecondDifferences,
  directionalDerivative,
  estimatesAt,
  gradientByDifferences,
  gradientEntry,
  sweepSteps,
  type EntryEstimates,
  type Estimate,
} from './fd';
import { diagonalByGroupedGradientDifferences, hessianProductCheck, type AloneRule, type ProductCheck } from './fd-grouped';
import { seededUniform } from '../random';
import { flatIndex, multiIndex, nest } from '../shape';
import { entryName } from '../tree';
import { count, entries, num } from './words';

/** Which coordinates the FD checks difference: all, a seeded sample plus one random ±1 direction over all, or fast mode. */
export interface FdPlan {
  mode: CheckMode;
  indices: Int32Array;
  n: number;
  direction?: Float64Array;
  /** measuredNoiseFloor of f at x0. */
  noiseFloor: number;
  /** The coordinates split into groups whose gradient differences share one probe (fd-grouped.ts). */
  groups: Int32Array[];
  /** Seed of the probes' random signs. */
  seed: number;
  /** Fast mode: the random ±1 directions of the gradient check (fd-fast.ts). */
  fast?: { directions: Float64Array[] };
  /** At most this many diagonal entries are differenced by the gradient along their own coordinate when no estimate is believed. */
  aloneLimit: number;
  /** Second differences of f (4 evaluations of f) are cheaper than the gradient's (4 gradients): try them first. */
  preferSecond: boolean;
  /** Fast mode: how many of the diagonal entries the probes could not isolate are judged, chosen at random. */
  sample?: number;
  /** At most this many diagonal entries are taken by second differences of f (when the gradient failed its check). */
  secondLimit: number;
}

export interface FdCheckOutcome {
  check: Check;
  sweep?: StepSweep;
  notes: string[];
  /** Kinks of f seen in the differences: the Hessian diagonal does not exist there either. */
  fdKinks: Kink[];
  /** What a pass guarantees, when the check did not compare every entry. */
  guarantee?: string;
}

export interface Spread {
  reference: Float64Array;
  error: Float64Array;
  widen: Float64Array;
}

/** The sampled estimates spread over the full flat length (NaN where not sampled), and their bound widening. */
export function spread(est: EntryEstimates, n: number, extraWiden?: Float64Array): Spread {
  const reference = new Float64Array(n).fill(NaN);
  const error = new Float64Array(n).fill(NaN);
  const widen = new Float64Array(n);
  est.indices.forEach((i, k) => {
    reference[i] = est.value[k];
    error[i] = est.error[k];
    widen[i] = FD_SAFETY * est.error[k] + (extraWiden ? 3 * extraWiden[i] : 0);
  });
  return { reference, error, widen };
}

/** The Check of an engine-vs-FD comparison: the comparison's numbers, the verdict, and the reference with its error estimate. */
export function fdCheck(id: Check['id'], verdict: Verdict, cmp: EntryComparison, s: Spread, shape: number[], tolerance: Tolerance, method: string): Check {
  const check: Check = {
    id,
    status: verdict.status,
    maxAbsError: cmp.maxAbsError,
    maxRelError: cmp.maxRelError,
    mismatches: cmp.mismatches,
    mismatchCount: cmp.mismatchCount,
    summary: verdict.summary,
    tolerance,
    method,
    reference: nest(shape, s.reference),
    errorEstimate: nest(shape, s.error),
  };
  if (verdict.kinks.length > 0) check.kinks = verdict.kinks;
  if (verdict.headline) check.headline = verdict.headline;
  return check;
}

function coverage(plan: FdPlan): string {
  if (plan.mode === 'fast') return `${entries(plan.n)} (fast mode: ${count(plan.groups.length)} probe${plan.groups.length === 1 ? '' : 's'} and a random sample)`;
  return plan.direction ? `${count(plan.indices.length)} sampled of ${entries(plan.n)}` : `all ${entries(plan.n)}`;
}

export function gradientCheck(ev: Evaluator, d: Derivatives, f0: number, plan: FdPlan, tolerance: Tolerance): FdCheckOutcome {
  const est = gradientByDifferences(ev.f.bind(ev), ev.x0, f0, plan.indices, tolerance, plan.noiseFloor);
  const s = spread(est, ev.n);
  const cmp = compareEntries(d.gradient, s.reference, ev, tolerance, s.widen, plan.indices);

  let method = `central differences + Richardson on ${coverage(plan)}`;
  let directionalFailure: string | undefined;
  const evidence: Record<string, number | string> = {};
  if (plan.direction) {
    const u = plan.direction;
    const dir = directionalDerivative(ev.f.bind(ev), ev.x0, f0, u, tolerance, plan.noiseFloor);
    let engine = 0;
    for (let i = 0; i < ev.n; i++) engine += d.gradient[i] * u[i];
    const bound = tolerance.atol + tolerance.rtol * Math.abs(dir.value) + FD_SAFETY * dir.error;
    Object.assign(evidence, { directionalEngine: engine, directionalFd: dir.value, directionalErrorEstimate: dir.error, directionalBound: bound });
    method += ' + 1 random ±1 directional derivative (∇f·u) covering every entry';
    if (!(Math.abs(engine - dir.value) <= bound)) {
      directionalFailure = `the derivative along a random ±1 direction differs: engine ∇f·u = ${num(engine)}, finite differences ${num(dir.value)}`;
    }
  }
  if (est.adapted > 0) method += `; adaptive step on ${entries(est.adapted)}`;

  const verdict = judge(cmp, d.kinks, est, ev, 'gradient', plan, gaps(d.gradient, s.reference, est.indices, d.nonFiniteOrigin), plan.direction ? { failure: directionalFailure } : undefined);
  const check = fdCheck('gradient-vs-fd', verdict, cmp, s, ev.shape, tolerance, method);
  if (Object.keys(evidence).length > 0) check.evidence = evidence;
  const sweep =
    cmp.worst >= 0
      ? sweepSteps(coordinateLine(ev.f.bind(ev), ev.x0, cmp.worst, Float64Array.from(ev.x0)), ev.x0[cmp.worst], f0, 1, d.gradient[cmp.worst], multiIndex(ev.shape, cmp.worst), 'gradient')
      : undefined;
  return { check, sweep, notes: uncertainNote(cmp, 'gradient'), fdKinks: verdict.fdKinks };
}

/**
 * The primary reference differences the engine's gradient (first-difference accuracy); second differences of f are an
 * independent cross-check, and the reference when the gradient itself failed its check (its differences prove nothing).
 */
export function diagonalCheck(
  ev: Evaluator,
  d: Derivatives,
  f0: number,
  plan: FdPlan,
  tolerance: Tolerance,
  gradient: { failed: boolean; fdKinks: Kink[] },
): FdCheckOutcome {
  const gradientFailed = gradient.failed;
  const knownKinks = [...d.kinks, ...gradient.fdKinks];
  const atKnownKink = new Set(knownKinks.flatMap((k) => k.entries.map((e) => flatIndex(ev.shape, e))));
  const gradientAt = ev.gradientAt.bind(ev);
  const notes: string[] = [];
  let est: EntryEstimates, s: Spread, method: string;
  const products: ProductCheck[] = [];
  let skipped = 0;
  let unjudged = new Set<number>();
  let sampled: { judged: number; of: number } | undefined;
  if (gradientFailed) {
    const indices = evenlySpread(plan.indices, plan.secondLimit);
    est = diagonalBySecondDifferences(ev.f.bind(ev), ev.x0, f0, indices, tolerance, plan.noiseFloor);
    s = spread(est, ev.n, d.hessianDiagonalStdError);
    const where = indices.length === plan.indices.length ? coverage(plan) : `${count(indices.length)} of ${entries(plan.n)} (as many as the budget affords)`;
    method = `second differences of f + Richardson on ${where} (the engine's gradient failed its check, so its differences are not used)`;
  } else {
    const stdError = d.hessianDiagonalStdError;
    // The bound compareEntries will apply: an estimate within it is believed, anything else is differenced alone.
    const believe = (i: number, e: Estimate) =>
      Math.abs(d.hessianDiagonal[i] - e.value) <= tolerance.atol + tolerance.rtol * Math.abs(e.value) + FD_SAFETY * e.error + (stdError ? 3 * stdError[i] : 0);
    // Fast mode also compares the engine's H·u with each probe's differences at every row: a check of the second
    // derivatives that covers the entries a dense Hessian keeps the grouped values from judging.
    const onProbe = plan.mode === 'fast' ? (u: Float64Array, along: (t: number) => Float64Array) => products.push(hessianProductCheck(ev.hvp(u), d.gradient, along, tolerance)) : undefined;
    const f = ev.f.bind(ev);
    // Per entry, second differences of f at every entry are the cross-check; taken first, they also settle the entries
    // their probe could not isolate, which would otherwise cost 4 gradients each.
    const crossCheck = plan.direction || plan.mode === 'fast' ? undefined : diagonalBySecondDifferences(f, ev.x0, f0, plan.indices, tolerance, plan.noiseFloor);
    const rule: AloneRule = {
      second: crossCheck
        ? (indices) => estimatesAt(crossCheck, indices)
        : plan.preferSecond
          ? (indices) => diagonalBySecondDifferences(f, ev.x0, f0, indices, tolerance, plan.noiseFloor)
          : undefined,
      gradientLimit: plan.aloneLimit,
      ...(plan.sample !== undefined ? { sample: { size: plan.sample, uniform: seededUniform(plan.seed + 1) } } : {}),
    };
    const grouped = diagonalByGroupedGradientDifferences(gradientAt, ev.x0, d.gradient, plan.indices, plan.groups, seededUniform(plan.seed), tolerance, believe, rule, onProbe);
    est = grouped;
    unjudged = grouped.unjudged;
    skipped = grouped.skipped;
    sampled = grouped.unsampled > 0 ? { judged: grouped.bySecond + grouped.alone + grouped.skipped, of: grouped.bySecond + grouped.alone + grouped.skipped + grouped.unsampled } : undefined;
    s = spread(est, ev.n, stdError);
    method = `central differences of the engine's gradient + Richardson on ${coverage(plan)}`;
    if (crossCheck) {
      const secondSpread = spread(crossCheck, ev.n, stdError);
      const cross = compareEntries(d.hessianDiagonal, secondSpread.reference, ev, tolerance, secondSpread.widen, plan.indices);
      method += '; second differences of f as a cross-check';
      const disagree = cross.mismatches.filter((m) => !atKnownKink.has(flatIndex(ev.shape, m.index)));
      method += disagree.length === 0 ? ' (agree)' : ` (disagree at ${entries(disagree.length)})`;
      if (disagree.length > 0) {
        const worst = disagree[0];
        notes.push(
          `second differences of f disagree with the engine's Hessian diagonal at ${entries(disagree.length)} ` +
            `(worst ${worst.entry}: ${num(worst.expected)} vs ${num(worst.actual)}) although differences of its gradient agree`,
        );
      }
    } else {
      // Above the threshold or the budget f is expensive and the gradient passed its check: its differences are the reference.
      method += `; no second-difference cross-check ${plan.mode === 'fast' ? 'in fast mode' : 'when sampling'}`;
    }
    const were = (k: number) => (k === 1 ? 'was' : 'were');
    const settled = [
      grouped.bySecond > 0 ? `${entries(grouped.bySecond)} ${were(grouped.bySecond)} settled by second differences of f along ${grouped.bySecond === 1 ? 'its' : 'their'} own coordinate` : '',
      grouped.alone > 0 ? `${entries(grouped.alone)} ${were(grouped.alone)} differenced by the gradient along ${grouped.alone === 1 ? 'its' : 'their'} own coordinate` : '',
    ].filter((x) => x);
    method +=
      `; the gradient was differenced along ${count(grouped.probes)} random-sign combination${grouped.probes === 1 ? '' : 's'} of coordinates ` +
      `sharing no row and not adjacent, whose entry i is H_ii·u_i plus any Hessian coupling to the rest of its combination; ` +
      `that value was taken where it matched the engine's diagonal` +
      (sampled ? `; of the ${entries(sampled.of)} it could not settle, ${count(sampled.judged)} chosen at random were judged` : '') +
      (settled.length > 0 ? `; ${settled.join(' and ')}` : '') +
      (grouped.skipped > 0 ? `; ${entries(grouped.skipped)} whose value did not match could not be differenced alone within the budget and ${grouped.skipped === 1 ? 'is' : 'are'} not judged` : '');
  }
  if (d.hessianDiagonalStdError) method += `; bounds widened by 3 standard errors of the estimated diagonal`;
  if (est.adapted > 0) method += `; adaptive step on ${entries(est.adapted)}`;
  const cmp = compareEntries(d.hessianDiagonal, s.reference, ev, tolerance, s.widen, plan.indices);
  if (products.length > 0) method += `; the engine's Hessian-vector product along each probe compared with its differences at all ${entries(ev.n)}`;
  const productFailure = describeProductFailure(products, ev);
  const verdict = judge(cmp, knownKinks, est, ev, 'Hessian diagonal', plan, gaps(d.hessianDiagonal, s.reference, est.indices.filter((i) => !unjudged.has(i)), d.nonFiniteOrigin), products.length > 0 ? { failure: productFailure } : undefined);
  if (verdict.status === 'pass' && (plan.mode === 'fast' || skipped > 0)) {
    const rows = products.length > 0 ? `; the engine's H·u along ${count(products.length)} random-sign probe${products.length === 1 ? '' : 's'} matches differences of its gradient at every row` : '';
    // An entry whose value disagreed is coupled to its group, or wrong: left unjudged, it cannot pass.
    if (skipped > 0) verdict.status = 'warn';
    verdict.summary =
      (cmp.compared === 0
        ? `Hessian diagonal: no entry could be compared with finite differences within the budget`
        : `Hessian diagonal matches finite differences at ${count(cmp.compared)} of ${entries(ev.n)} (${plan.mode} mode, max rel error ${num(cmp.maxRelError)})`) +
      (sampled ? oddsClause(sampled) : '') +
      (skipped > 0 ? `; ${entries(skipped)} whose difference disagreed (coupled to their group, or wrong) could not be differenced alone within the budget` : '') +
      rows;
  }
  const check = fdCheck('hessian-diagonal-vs-fd', verdict, cmp, s, ev.shape, tolerance, method);
  let sweep: StepSweep | undefined;
  // In fast mode the sweep's 24 evaluations are spent only to show a failure.
  if (cmp.worst >= 0 && (plan.mode !== 'fast' || verdict.status !== 'pass')) {
    const w = cmp.worst;
    const index = multiIndex(ev.shape, w);
    // Sampled: f is expensive, and 24 more gradients would cost more than all the other differences of the diagonal.
    sweep = gradientFailed || plan.direction || plan.mode === 'fast'
      ? sweepSteps(coordinateLine(ev.f.bind(ev), ev.x0, w, Float64Array.from(ev.x0)), ev.x0[w], f0, 2, d.hessianDiagonal[w], index, 'hessian-diagonal')
      : sweepSteps(coordinateLine(gradientEntry(gradientAt)(w), ev.x0, w, Float64Array.from(ev.x0)), ev.x0[w], d.gradient[w], 1, d.hessianDiagonal[w], index, 'hessian-diagonal');
  }
  const guarantee = plan.mode === 'fast' ? diagonalGuarantee(cmp.compared, ev.n, productFailure ? 0 : products.length, sampled) : undefined;
  return { check, sweep, notes: [...notes, ...uncertainNote(cmp, 'Hessian diagonal')], fdKinks: verdict.fdKinks, guarantee };
}

/** At most `limit` of `indices`, evenly spread over them (all when they fit). */
function evenlySpread(indices: Int32Array, limit: number): Int32Array {
  if (indices.length <= limit) return indices;
  const k = Math.max(0, Math.floor(limit));
  return Int32Array.from({ length: k }, (_, j) => indices[Math.floor((j * indices.length) / k)]);
}

/**
 * Had a tenth of the `of` entries been wrong, the chance that a uniform sample of `judged` of them holds none of them:
 * C(of − wrong, judged) / C(of, judged) ≤ 0.9^judged.
 */
export function sampleEscape(of: number, judged: number): { wrong: string; escape: number } {
  const wrong = Math.max(1, Math.ceil(of / 10));
  let escape = 1;
  for (let j = 0; j < judged; j++) escape *= Math.max(0, of - wrong - j) / (of - j);
  return { wrong: wrong === 1 ? 'one' : `a tenth (${count(wrong)})`, escape };
}

/** "; had a tenth (30) of the 299 entries … been wrong, the 64 chosen at random would all have matched with probability ≤ …". */
function oddsClause(sampled: { judged: number; of: number }): string {
  const odds = sampleEscape(sampled.of, sampled.judged);
  return `; had ${odds.wrong} of the ${entries(sampled.of)} its probes could not settle been wrong, the ${count(sampled.judged)} chosen at random would all have matched with probability ≤ ${num(odds.escape)}`;
}

/** What fast mode's diagonal check vouches for: the entries compared one by one, the sample's odds, and H·u at every row. */
function diagonalGuarantee(compared: number, n: number, products: number, sampled?: { judged: number; of: number }): string {
  const rows = products > 0 ? `; H·u along ${count(products)} random-sign probe${products === 1 ? '' : 's'} matched differences of the gradient at every row` : '';
  if (compared === n) return `Hessian diagonal: every entry compared with finite differences${rows}`;
  const sample = sampled ? oddsClause(sampled) : `, ${count(n - compared)} not within the budget`;
  return `Hessian diagonal: ${count(compared)} of ${entries(n)} compared one by one with finite differences${sample}${rows}`;
}

function describeProductFailure(products: ProductCheck[], ev: Evaluator): string | undefined {
  const failing = [...new Set(products.flatMap((p) => p.failingRows))].sort((a, b) => a - b);
  if (failing.length === 0) return undefined;
  const worst = products.find((p) => p.worst)!.worst!;
  const names = failing.slice(0, 5).map((i) => entryName(ev, i));
  return (
    `the Hessian-vector product along a random-sign probe differs from differences of the gradient at ${entries(failing.length)} ` +
    `(${names.join(', ')}${failing.length > 5 ? ', …' : ''}; worst ${entryName(ev, worst.row)}: engine ${num(worst.engine)}, finite differences ${num(worst.fd)})`
  );
}

export interface Verdict {
  status: Check['status'];
  kinks: Kink[];
  fdKinks: Kink[];
  summary: string;
  headline?: string;
}

/** What a comparison cannot vouch for: engine entries that are NaN/±Infinity, and planned entries with no finite reference. */
interface Gaps {
  /** Flat positions where the engine's value is not finite, in index order. */
  nonFinite: number[];
  /** Flat positions that were differenced but whose reference is not finite (f undefined or infinite nearby). */
  uncovered: number[];
  values: ArrayLike<number>;
  /** Where the first non-finite derivative came from, when the engine could tell. */
  origin?: string;
}

/** `differenced`: the entries differences were taken at (in fast mode, or with entries skipped for the budget, the others never were). */
export function gaps(values: ArrayLike<number>, reference: ArrayLike<number>, differenced: ArrayLike<number>, origin?: string): Gaps {
  const nonFinite: number[] = [];
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) nonFinite.push(i);
  const uncovered: number[] = [];
  for (let j = 0; j < differenced.length; j++) {
    const i = differenced[j];
    if (Number.isFinite(values[i]) && !Number.isFinite(reference[i])) uncovered.push(i);
  }
  return { nonFinite, uncovered, values, ...(origin ? { origin } : {}) };
}

/** "x[0], x[2] and 3 more". */
function listed(names: string[], max = 3): string {
  if (names.length <= max) return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : (names[0] ?? '');
  return `${names.slice(0, max).join(', ')} and ${count(names.length - max)} more`;
}

/**
 * Pass, fail, or warn: mismatches only at known kinks (listed by the engine, or seen earlier) or at kinks seen in these
 * differences, or at NaN/Inf entries of the engine, warn; a kink seen in these differences warns even where the values
 * agree; anything else fails.
 */
export function judge(
  cmp: EntryComparison,
  knownKinks: Kink[],
  est: EntryEstimates,
  ev: Evaluator,
  quantity: string,
  plan: FdPlan,
  gap: Gaps,
  /** Present when a directional derivative was checked; `failure` says how it failed. */
  directional?: { failure?: string },
): Verdict {
  const directionalFailure = directional?.failure;
  const name = (index: number[]) => entryName(ev, flatIndex(ev.shape, index));
  const failing = new Set(cmp.failing);
  const engineKinks = knownKinks.filter((k) => k.entries.some((e) => failing.has(flatIndex(ev.shape, e))));
  const fdKinks: Kink[] = est.kinks.map((k) => ({
    op: 'kink',
    entries: [multiIndex(ev.shape, k.index)],
    detail: `one-sided derivatives ${num(k.left)} (left) and ${num(k.right)} (right)`,
  }));
  const kinks = [...engineKinks, ...fdKinks];
  const atKink = new Set(kinks.flatMap((k) => k.entries.map((e) => flatIndex(ev.shape, e))));
  const nonFinite = new Set(cmp.nonFinite);
  const unexplained = cmp.mismatches.filter((m) => !atKink.has(flatIndex(ev.shape, m.index)) && !nonFinite.has(flatIndex(ev.shape, m.index)));
  const unexplainedCount = cmp.failing.filter((i) => !atKink.has(i) && !nonFinite.has(i)).length;

  if (unexplainedCount > 0 || directionalFailure) {
    const parts: string[] = [];
    if (unexplainedCount > 0) {
      const m = unexplained[0] ?? cmp.mismatches[0];
      parts.push(
        `${quantity} differs from finite differences at ${count(cmp.mismatchCount)} of ${entries(cmp.compared)} ` +
          `(worst ${m.entry}: engine ${num(m.actual)}, finite differences ${num(m.expected)})`,
      );
    }
    if (directionalFailure) parts.push(parts.length > 0 ? directionalFailure : `${quantity}: ${directionalFailure}`);
    return { status: 'fail', kinks, fdKinks, summary: parts.join('; ') };
  }
  if (cmp.failing.length === 0 && fdKinks.length === 0 && gap.nonFinite.length === 0 && gap.uncovered.length === 0) {
    const sampled = plan.mode === 'fast' ? `${count(cmp.compared)} of ${entries(plan.n)}, fast mode` : plan.direction ? `${count(plan.indices.length)} sampled of ${entries(plan.n)}` : entries(cmp.compared);
    const scope = directional ? `${sampled} and a random direction` : sampled;
    return { status: 'pass', kinks, fdKinks, summary: `${quantity} matches finite differences (${scope}, max rel error ${num(cmp.maxRelError)})` };
  }
  // A pass needs every entry finite and judged: anything less warns, and the headline names the first reason.
  const words: string[] = [];
  const heads: string[] = [];
  if (gap.nonFinite.length > 0) {
    const named = gap.nonFinite.map((i) => `${name(multiIndex(ev.shape, i))} is ${gap.values[i]}`);
    heads.push(listed(named, 1));
    words.push(`${quantity}: ${listed(named)} while f is finite${gap.origin ? `: ${gap.origin}` : ''}`);
  }
  if (gap.uncovered.length > 0) {
    const named = gap.uncovered.map((i) => name(multiIndex(ev.shape, i)));
    heads.push(`${listed(named, 1)} not checked`);
    words.push(`finite differences could not check ${listed(named)} (f is not finite on one side), so ${gap.uncovered.length === 1 ? 'that entry is' : 'those entries are'} unverified`);
  }
  if (kinks.length > 0) {
    const where = kinks.slice(0, 3).map((k) => `${name(k.entries[0] ?? [])}: ${k.detail}${k.location ? ` (line ${k.location.line})` : ''}`);
    const lead = cmp.failing.length > nonFinite.size ? 'differs from finite differences only at non-differentiable points' : 'is taken at a non-differentiable point';
    words.push(`${quantity} ${lead} — ${where.join('; ')}`);
    heads.push(`kink at ${name(kinks[0].entries[0] ?? [])}`);
  }
  return { status: 'warn', kinks, fdKinks, summary: words.join('; '), headline: heads[0] };
}

function uncertainNote(cmp: EntryComparison, what: string): string[] {
  return cmp.uncertain > 0
    ? [`${what}: the finite-difference error estimate is as large as the value at ${entries(cmp.uncertain)}, so those entries could not be judged`]
    : [];
}
