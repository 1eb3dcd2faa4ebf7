// Which forward gradients the exact Hessian diagonal builds by merging its inputs' and which by one reverse sweep of their own.
//
// The diagonal is a sum over non-linear nodes of v̄·(second partials)·(∂input/∂x_i)² (engine/ad/sweeps.ts), so it needs
// ∂input/∂x for the inputs of non-linear nodes. Built forward, node by node, a long accumulation `z += w_k` over K terms
// costs Σ_k |support of the partial sum| ≈ K·n when its support grows to all n entries (t-SNE's normaliser Z: 22,350
// terms × 300 entries). The same gradient is also one reverse sweep from z, costing the number of nodes below z. So a
// node whose forward build would cost more than that sweep is a *candidate*; a needed candidate becomes a *root*, takes
// its gradient from its own reverse sweep, and the nodes below it need no forward gradients on its account. The forward
// estimate counts a shared ancestor once per use, so the plan with roots is kept only when its total cost is below the
// all-forward plan's. Both paths compute the same exact partials (they differ in rounding only). Planning costs two or
// three passes over the tape, so the sweep (engine/ad/sweeps.ts) first merges everything forward under a work limit and
// plans only when that limit is passed.

import type { Tape } from './tape';

/** Supports up to this many entries are always merged forward: a reverse sweep never pays for so few. */
const NARROW = 16;

/** The plan: `needed` nodes get a forward gradient, `root` nodes among them get it from a reverse sweep. */
export interface DiagonalPlan {
  needed: Uint8Array;
  root: Uint8Array;
  /** The last node that reads each needed node's gradient (its slot is freed there); -1 for none. */
  lastUse: Int32Array;
  /** Estimated cost: sparse entries merged forward plus nodes swept backward. */
  cost: number;
}

/** Per-node estimates, filled by `estimate`. */
export interface NodeEstimates {
  /** Upper bound of the support (entries of the gradient), capped at n. */
  bound: Int32Array;
  /** The one entry a node depends on, or -1: x·x + x keeps a support of one. */
  single: Int32Array;
  /** Entries merged to build the gradient forward from the independents, candidates' own ancestry counted as free. */
  build: Float32Array;
  candidate: Uint8Array;
}

/** Whether node i has a non-zero second partial: only such nodes (with v̄ ≠ 0) contribute to the diagonal. */
export function curved(tape: Tape, i: number): boolean {
  return tape.daa[i] !== 0 || tape.dab[i] !== 0 || tape.dbb[i] !== 0;
}

/** One forward pass: supports as the forward build would merge them (|a| + |b|), build costs, and candidates. */
function estimate(tape: Tape, top: number, n: number, e: NodeEstimates): void {
  const { a, b, da, db } = tape;
  const { bound, single, build, candidate } = e;
  for (let j = 0; j < n; j++) {
    bound[j] = 1;
    single[j] = j;
    build[j] = 1;
  }
  for (let i = n; i <= top; i++) {
    const ai = a[i], bi = b[i];
    const useA = da[i] !== 0 || (bi === ai && db[i] !== 0);
    const useB = bi >= 0 && bi !== ai && db[i] !== 0;
    let cost = 0;
    if (useA && useB) {
      const one = single[ai] >= 0 && single[ai] === single[bi];
      bound[i] = one ? 1 : Math.min(n, bound[ai] + bound[bi]);
      single[i] = one ? single[ai] : -1;
      cost = build[ai] + build[bi];
    } else if (useA || useB) {
      const j = useA ? ai : bi;
      bound[i] = bound[j];
      single[i] = single[j];
      cost = build[j];
    } else {
      bound[i] = 0;
      single[i] = -1;
    }
    cost += bound[i];
    // A candidate's descendants read its gradient (bound entries) and never rebuild its ancestry.
    const wide = bound[i] > NARROW && cost > i - n + 1;
    candidate[i] = wide ? 1 : 0;
    build[i] = wide ? bound[i] : cost;
  }
}

/** Marks node j needed (a root when `roots` and a candidate); returns what building its gradient costs (NaN unestimated). */
function need(j: number, n: number, e: NodeEstimates | undefined, roots: boolean, needed: Uint8Array, plan: DiagonalPlan | undefined): number {
  needed[j] = 1;
  if (e === undefined) return NaN;
  if (!roots || j < n || e.candidate[j] === 0) return e.bound[j];
  if (plan !== undefined) plan.root[j] = 1;
  return j - n + 1;
}

/**
 * One marking pass from `top` down, with or without roots: which gradients are needed and the plan's cost (NaN without
 * estimates `e`), and when `plan` is given also its roots and where each gradient is last read. It stops early
 * (returning Infinity) once the cost passes `limit`. `adj` holds the adjoints of the sum whose diagonal is wanted.
 */
function mark(tape: Tape, top: number, n: number, adj: Float64Array, e: NodeEstimates | undefined, roots: boolean, limit: number, needed: Uint8Array, plan?: DiagonalPlan): number {
  const { a, b, da, db, daa, dab, dbb } = tape;
  needed.fill(0, 0, top + 1);
  plan?.root.fill(0, 0, top + 1);
  plan?.lastUse.fill(-1, 0, top + 1);
  let cost = 0;
  for (let i = top; i >= n; i--) {
    const ai = a[i], bi = b[i];
    const consumer = adj[i] !== 0 && (daa[i] !== 0 || dab[i] !== 0 || dbb[i] !== 0);
    const propagate = needed[i] === 1 && (!roots || e?.candidate[i] === 0);
    // Inputs read here: by a curved node's own term, or to build this node's gradient from theirs.
    const useA = consumer || (propagate && da[i] !== 0);
    const useB = bi >= 0 && (consumer || (propagate && db[i] !== 0));
    if (consumer && e !== undefined) cost += e.bound[ai] + (bi >= 0 ? e.bound[bi] : 0);
    if (useA && needed[ai] === 0) cost += need(ai, n, e, roots, needed, plan);
    if (useB && needed[bi] === 0) cost += need(bi, n, e, roots, needed, plan);
    if (plan !== undefined) {
      if (useA && plan.lastUse[ai] < 0) plan.lastUse[ai] = i;
      if (useB && plan.lastUse[bi] < 0) plan.lastUse[bi] = i;
    }
    if (cost > limit) return Infinity;
  }
  return cost;
}

/** The plan without roots or estimates: every needed gradient merged forward, its cost unknown (NaN). */
export function markAllForward(tape: Tape, top: number, n: number, adj: Float64Array, plan: DiagonalPlan): void {
  plan.cost = mark(tape, top, n, adj, undefined, false, Infinity, plan.needed, plan);
}

/**
 * The cheaper of the plan with roots and the all-forward plan. The plan with roots is marked first: when it makes no
 * root it is the all-forward plan, and otherwise its cost cuts the other marking (into `scratch`) short.
 */
export function planDiagonal(tape: Tape, top: number, n: number, adj: Float64Array, e: NodeEstimates, plan: DiagonalPlan, scratch: Uint8Array): DiagonalPlan {
  estimate(tape, top, n, e);
  plan.cost = mark(tape, top, n, adj, e, true, Infinity, plan.needed, plan);
  if (!plan.root.subarray(0, top + 1).includes(1)) return plan;
  const forward = mark(tape, top, n, adj, e, false, plan.cost, scratch);
  if (forward < plan.cost) plan.cost = mark(tape, top, n, adj, e, false, Infinity, plan.needed, plan);
  return plan;
}
