// Which forward gradients the exact Hessian diagonal builds by merging its inputs' and which by one reverse sweep of their own.
//
// The diagonal is a sum over non-linear nodes of v̄·(second partials)·(∂input/∂x_i)² (engine/ad/sweeps.ts), so it needs
// ∂input/∂x for the inputs of non-linear nodes. Built forward, node by node, a long accumulation `z += w_k` over K terms
// costs Σ_k |support of the partial sum| ≈ K·n when its support grows to all n entries (t-SNE's normaliser Z: 22,350
// terms × 300 entries). The same gradient is also one reverse sweep from z, costing the number of nodes below z. So an
// input whose support may be wide becomes a *root*: its gradient comes from a reverse sweep, and the nodes below it
// need no forward gradients on its account. Each choice of "wide" gives a cost; the cheapest plan is taken. Both paths
// compute the same exact partials (they differ in rounding only).

import type { Tape } from './tape';

/** Widths tried as the root threshold besides "no roots"; every candidate costs one marking pass over the tape. */
const WIDTHS = [16, 1024];

/** The plan: `needed` nodes get a forward gradient, `root` nodes among them get it from a reverse sweep. */
export interface DiagonalPlan {
  needed: Uint8Array;
  root: Uint8Array;
  /** The last node that reads each needed node's gradient (its slot is freed there); -1 for none. */
  lastUse: Int32Array;
  /** Estimated cost: sparse entries merged forward plus nodes swept backward. */
  cost: number;
}

/** Whether node i has a non-zero second partial: only such nodes (with v̄ ≠ 0) contribute to the diagonal. */
export function curved(tape: Tape, i: number): boolean {
  return tape.daa[i] !== 0 || tape.dab[i] !== 0 || tape.dbb[i] !== 0;
}

/**
 * Upper bounds of each node's support (the entries its gradient may hold), as the forward build would merge them:
 * |a| + |b|, capped at n, exact while a chain of nodes depends on one entry only (x·x + x stays one entry).
 */
export function supportBounds(tape: Tape, top: number, n: number, bound: Int32Array, single: Int32Array): void {
  const { a, b, da, db } = tape;
  for (let j = 0; j < n; j++) {
    bound[j] = 1;
    single[j] = j;
  }
  for (let i = n; i <= top; i++) {
    const ai = a[i], bi = b[i];
    const useA = ai >= 0 && da[i] !== 0, useB = bi >= 0 && bi !== ai && db[i] !== 0;
    const sameA = bi === ai && ai >= 0 && da[i] + db[i] !== 0;
    if ((useA || sameA) && useB) {
      const one = single[ai] >= 0 && single[ai] === single[bi];
      bound[i] = one ? 1 : Math.min(n, bound[ai] + bound[bi]);
      single[i] = one ? single[ai] : -1;
    } else if (useA || sameA) {
      bound[i] = bound[ai];
      single[i] = single[ai];
    } else if (useB) {
      bound[i] = bound[bi];
      single[i] = single[bi];
    } else {
      bound[i] = 0;
      single[i] = -1;
    }
  }
}

/** Marks node j needed (a root when wider than `width`); returns what building its gradient costs. */
function need(j: number, n: number, bound: Int32Array, width: number, needed: Uint8Array, root: Uint8Array): number {
  needed[j] = 1;
  if (j < n || bound[j] <= width) return bound[j];
  root[j] = 1;
  return j - n + 1;
}

/**
 * One marking pass from `top` down with inputs wider than `width` made roots: which gradients are needed, where each is
 * last read, and the plan's cost; it stops early (returning Infinity) once the cost passes `limit`. `adj` holds the
 * adjoints of the sum whose diagonal is wanted.
 */
function mark(tape: Tape, top: number, n: number, adj: Float64Array, bound: Int32Array, width: number, limit: number, plan: DiagonalPlan): number {
  const { a, b, da, db, daa, dab, dbb } = tape;
  const { needed, root, lastUse } = plan;
  needed.fill(0, 0, top + 1);
  root.fill(0, 0, top + 1);
  lastUse.fill(-1, 0, top + 1);
  let cost = 0;
  for (let i = top; i >= n; i--) {
    const ai = a[i], bi = b[i];
    const consumer = adj[i] !== 0 && (daa[i] !== 0 || dab[i] !== 0 || dbb[i] !== 0);
    const propagate = needed[i] === 1 && root[i] === 0;
    // Inputs read here: by a curved node's own term, or to build this node's gradient from theirs.
    const useA = consumer || (propagate && da[i] !== 0);
    const useB = bi >= 0 && (consumer || (propagate && db[i] !== 0));
    if (consumer) cost += bound[ai] + (bi >= 0 ? bound[bi] : 0);
    if (useA) {
      if (needed[ai] === 0) cost += need(ai, n, bound, width, needed, root);
      if (lastUse[ai] < 0) lastUse[ai] = i;
    }
    if (useB) {
      if (needed[bi] === 0) cost += need(bi, n, bound, width, needed, root);
      if (lastUse[bi] < 0) lastUse[bi] = i;
    }
    if (cost > limit) return Infinity;
  }
  return cost;
}

/**
 * The cheapest plan among "everything forward" and roots wider than each of WIDTHS. The narrowest width is marked
 * first: when it makes no root it is the all-forward plan, and otherwise its cost cuts the other markings short.
 */
export function planDiagonal(tape: Tape, top: number, n: number, adj: Float64Array, bound: Int32Array, single: Int32Array, plans: [DiagonalPlan, DiagonalPlan]): DiagonalPlan {
  supportBounds(tape, top, n, bound, single);
  let [best, spare] = plans;
  best.cost = mark(tape, top, n, adj, bound, WIDTHS[0], Infinity, best);
  if (!best.root.subarray(0, top + 1).includes(1)) return best;
  for (const width of [...WIDTHS.slice(1).filter((w) => w < n), Infinity]) {
    spare.cost = mark(tape, top, n, adj, bound, width, best.cost, spare);
    if (spare.cost < best.cost) [best, spare] = [spare, best];
  }
  return best;
}
