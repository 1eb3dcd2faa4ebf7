// Fast mode of the gradient check: directional derivatives along random ±1 vectors, and bisection to name the wrong entries.
//
// What a pass guarantees. Let e = g_engine − g_true and u a random ±1 vector; the check along u fails when |uᵀe| > τ
// (τ: its bound). If some entry has |e_i| > τ, fix every sign but u_i: the two values uᵀe can take differ by 2|e_i| > 2τ,
// so at most one of them lies in [−τ, τ]. Hence a wrong gradient escapes one direction with probability ≤ 1/2, and k
// independent directions with probability ≤ 2^-k, whatever the other entries are.

import type { Tolerance } from '../types';
import type { Derivatives, Evaluator } from '../evaluator';
import { FD_SAFETY, compareEntries } from './compare';
import { directionalDerivative, gradientByDifferences } from './fd';
import { MIN_DIRECTIONS } from './fd-plan';
import { fdCheck, gaps, judge, spread, type FdCheckOutcome, type FdPlan } from './fd-checks';
import { count, num } from './words';

/** Entries named by bisection at most (the report lists 20 mismatches). */
const MAX_NAMED = 20;

interface Along {
  engine: number;
  fd: number;
  bound: number;
  ok: boolean;
}

function along(ev: Evaluator, g: Float64Array, f0: number, u: Float64Array, tolerance: Tolerance, floor: number): Along {
  const dir = directionalDerivative(ev.f.bind(ev), ev.x0, f0, u, tolerance, floor);
  let engine = 0;
  for (let i = 0; i < u.length; i++) if (u[i] !== 0) engine += g[i] * u[i];
  const bound = tolerance.atol + tolerance.rtol * Math.abs(dir.value) + FD_SAFETY * dir.error;
  return { engine, fd: dir.value, bound, ok: Math.abs(engine - dir.value) <= bound };
}

function restricted(u: Float64Array, support: number[]): Float64Array {
  const r = new Float64Array(u.length);
  for (const i of support) r[i] = u[i];
  return r;
}

/**
 * Halves the support of a failing direction and follows the halves that fail too (the worse one when neither does,
 * as errors of opposite sign may hide in a sum), down to single entries, until `deadline` (after the first) or MAX_NAMED.
 */
function localise(check: (support: number[]) => Along, support: number[], found: Set<number>, deadline: number): void {
  // The first entry is always named, whatever the budget: a failure that names nothing leaves the user nowhere to look.
  if (found.size >= MAX_NAMED || (found.size > 0 && performance.now() > deadline)) return;
  if (support.length === 1) {
    found.add(support[0]);
    return;
  }
  const mid = support.length >> 1;
  const halves = [support.slice(0, mid), support.slice(mid)].map((s) => ({ s, r: check(s) }));
  const failing = halves.filter((h) => !h.r.ok);
  const excess = (r: Along) => Math.abs(r.engine - r.fd) / r.bound;
  const next = failing.length > 0 ? failing : [halves.reduce((a, b) => (excess(a.r) >= excess(b.r) ? a : b))];
  for (const h of next) localise(check, h.s, found, deadline);
}

/** The gradient check of fast mode; `deadline` (performance.now() time) bounds the localisation of a failure. */
export function fastGradientCheck(ev: Evaluator, d: Derivatives, f0: number, plan: FdPlan, tolerance: Tolerance, deadline: number): FdCheckOutcome {
  const directions = plan.fast!.directions;
  // Planned from one evaluation's time; the adaptive step can cost more, so beyond the minimum the deadline decides.
  const results: { u: Float64Array; r: Along }[] = [];
  for (const u of directions) {
    if (results.length >= MIN_DIRECTIONS && performance.now() > deadline) break;
    results.push({ u, r: along(ev, d.gradient, f0, u, tolerance, plan.noiseFloor) });
  }
  const failed = results.filter((x) => !x.r.ok);
  const found = new Set<number>();
  for (const { u } of failed) {
    const support = [...u.keys()];
    localise((s) => along(ev, d.gradient, f0, restricted(u, s), tolerance, plan.noiseFloor), support, found, deadline);
  }
  const named = Int32Array.from([...found].sort((a, b) => a - b));
  const est = gradientByDifferences(ev.f.bind(ev), ev.x0, f0, named, tolerance, plan.noiseFloor);
  const s = spread(est, ev.n);
  const cmp = compareEntries(d.gradient, s.reference, ev, tolerance, s.widen, named);

  const k = results.length;
  const tau = Math.max(...results.map((x) => x.r.bound));
  let norm = 0;
  for (const v of d.gradient) norm += v * v;
  norm = Math.sqrt(norm);
  const escape = 2 ** -k;
  let failure: string | undefined;
  if (failed.length > 0) {
    const worst = failed[0].r;
    failure =
      `the derivative differs along ${count(failed.length)} of ${count(k)} random ±1 directions (engine ∇f·u = ${num(worst.engine)}, finite differences ${num(worst.fd)})` +
      `; bisection named ${count(named.length)} ${named.length === 1 ? 'entry' : 'entries'}` +
      (performance.now() > deadline && named.length < MAX_NAMED ? ' before the budget ran out (more may be wrong)' : '');
  }
  const method =
    `fast mode: central differences + Richardson along ${count(k)} random ±1 directions (∇f·u), each covering every entry` +
    (named.length > 0 ? `, then bisection of the failing directions and central differences at the ${count(named.length)} named` : '');
  const verdict = judge(cmp, d.kinks, est, ev, 'gradient', plan, gaps(d.gradient, s.reference, est.indices, d.nonFiniteOrigin), { failure });
  if (verdict.status === 'pass') {
    verdict.summary = `gradient matches finite differences along ${count(k)} random ±1 directions (fast mode); a gradient with an entry off by more than ${num(tau)} would pass with probability ≤ ${num(escape)}`;
  }
  const check = fdCheck('gradient-vs-fd', verdict, cmp, s, ev.shape, tolerance, method);
  check.evidence = {
    directions: k,
    failedDirections: failed.length,
    directionalBound: tau,
    boundRelativeToGradientNorm: norm > 0 ? tau / norm : tau,
    escapeProbability: escape,
  };
  const guarantee =
    `gradient: an error larger than ${num(tau)} (${num(norm > 0 ? tau / norm : tau)} × ‖∇f‖₂) in any one entry passes all ${count(k)} random ±1 directions with probability ≤ 2^-${k} = ${num(escape)}`;
  return { check, notes: [], fdKinks: verdict.fdKinks, guarantee };
}
