// Sweeps over a recorded tape that read only its numbers: reverse gradient, H·v (forward over reverse), exact Hessian diagonal.

import { curved, markAllForward, planDiagonal, type DiagonalPlan, type NodeEstimates } from './diagonal-plan';
import { SparsePool } from './sparse';
import type { Tape } from './tape';

/**
 * Sparse entries per tape node the all-forward attempt may merge before the diagonal is planned with roots: row-wise
 * losses stay near 2–3 (the founding loss: 2.2), a dense sum feeding a curved node runs far past it.
 */
const ATTEMPT_WORK = 8;

function emptyPlan(size = 0): DiagonalPlan {
  return { needed: new Uint8Array(size), root: new Uint8Array(size), lastUse: new Int32Array(size), cost: 0 };
}

function emptyEstimates(size = 0): NodeEstimates {
  return { bound: new Int32Array(size), single: new Int32Array(size), build: new Float32Array(size), candidate: new Uint8Array(size) };
}

/**
 * Buffers live as long as the evaluator: first touches of fresh pages are expensive, and checks run many sweeps.
 * In every sweep, `out` is the node of f's value and nodes 0..n-1 are the independent variables.
 */
export class Sweeps {
  private adj = new Float64Array(0);
  private tangent = new Float64Array(0);
  private adjTangent = new Float64Array(0);
  private slotOf = new Int32Array(0);
  private estimates = emptyEstimates();
  private plan = emptyPlan();
  private scratch = new Uint8Array(0);
  private pool = new SparsePool();
  /** Sparse entries read or written, and nodes swept, by the last diagonal sweep: its cost, deterministic (tests compare it across sizes). */
  diagonalWork = 0;
  /** Wide nodes whose gradient the last diagonal sweep took from a reverse sweep of their own, and the plan's estimated cost. */
  diagonalPlan = { roots: 0, cost: 0 };

  private ensure(size: number): void {
    if (this.adj.length >= size) return;
    const cap = Math.max(size, this.adj.length * 2);
    this.adj = new Float64Array(cap);
    this.tangent = new Float64Array(cap);
    this.adjTangent = new Float64Array(cap);
  }

  private ensurePlan(size: number): void {
    this.ensure(size);
    if (this.slotOf.length >= size) return;
    const cap = Math.max(size, this.slotOf.length * 2);
    this.slotOf = new Int32Array(cap);
    this.estimates = emptyEstimates(cap);
    this.plan = emptyPlan(cap);
    this.scratch = new Uint8Array(cap);
  }

  /** ū += w̄·φ_u for every node from `out` down; returns ∂f/∂x (a fresh array). Leaves the adjoints for `diagonal`. */
  gradient(tape: Tape, out: number, n: number): Float64Array {
    const size = Math.max(out + 1, n);
    this.ensure(size);
    this.adj.fill(0, 0, size);
    this.adj[out] = 1;
    return this.reverse(tape, out, n);
  }

  /**
   * ∂/∂x of Σ_k weights[k]·node[seeds[k]], every seed ≤ `top`: the gradient of one group of f's contributions.
   * Leaves the adjoints for `diagonal(tape, top, n)`, which then gives that group's exact Hessian diagonal.
   */
  gradientOfSum(tape: Tape, top: number, n: number, seeds: ArrayLike<number>, weights: ArrayLike<number>): Float64Array {
    const size = Math.max(top + 1, n);
    this.ensure(size);
    this.adj.fill(0, 0, size);
    for (let k = 0; k < seeds.length; k++) this.adj[seeds[k]] += weights[k];
    return this.reverse(tape, top, n);
  }

  private reverse(tape: Tape, top: number, n: number): Float64Array {
    const { a, b, da, db } = tape;
    const adj = this.adj;
    for (let i = top; i >= n; i--) {
      const w = adj[i];
      if (w === 0) continue;
      const ai = a[i], bi = b[i];
      if (ai >= 0) adj[ai] += w * da[i];
      if (bi >= 0) adj[bi] += w * db[i];
    }
    return adj.slice(0, n);
  }

  /** H·v: tangents ẇ = φ_u u̇ + φ_v v̇ forward, then adjoints and their tangents backward. */
  hvp(tape: Tape, out: number, n: number, v: Float64Array): Float64Array {
    const size = Math.max(out + 1, n);
    this.ensure(size);
    const { a, b, da, db, daa, dab, dbb } = tape;
    const { adj, tangent: t, adjTangent: at } = this;
    t.set(v.subarray(0, n));
    for (let i = n; i <= out; i++) {
      const ai = a[i], bi = b[i];
      t[i] = (ai >= 0 ? da[i] * t[ai] : 0) + (bi >= 0 ? db[i] * t[bi] : 0);
    }
    adj.fill(0, 0, size);
    at.fill(0, 0, size);
    adj[out] = 1;
    for (let i = out; i >= n; i--) {
      const w = adj[i], wt = at[i];
      if (w === 0 && wt === 0) continue;
      const ai = a[i], bi = b[i];
      const ta = ai >= 0 ? t[ai] : 0;
      const tb = bi >= 0 ? t[bi] : 0;
      if (ai >= 0) {
        adj[ai] += w * da[i];
        at[ai] += wt * da[i] + w * (daa[i] * ta + dab[i] * tb);
      }
      if (bi >= 0) {
        adj[bi] += w * db[i];
        at[bi] += wt * db[i] + w * (dab[i] * ta + dbb[i] * tb);
      }
    }
    return at.slice(0, n);
  }

  /**
   * Exact diag(H) as a sum over non-linear nodes: H_ii = Σ_v v̄_v [φ_aa g_a[i]² + 2φ_ab g_a[i] g_b[i] + φ_bb g_b[i]²],
   * with g = ∂node/∂x sparse. Call right after `gradient` on the same recording (it reads those adjoints).
   * A backward pass marks the nodes whose g is needed (engine/ad/diagonal-plan.ts); one forward pass builds only those,
   * each from its inputs' or, for a wide root, by a reverse sweep of its own, and frees each after its last use.
   * Most functions need no root: the first attempt merges everything forward, as cheap to plan as it gets, and only when
   * its work passes ATTEMPT_WORK per tape node is the diagonal planned with roots and built again.
   */
  diagonal(tape: Tape, out: number, n: number): Float64Array {
    const size = out + 1;
    this.ensurePlan(Math.max(size, n));
    markAllForward(tape, out, n, this.adj, this.plan);
    const first = this.build(tape, out, n, ATTEMPT_WORK * size);
    if (first !== undefined) {
      this.diagonalPlan = { roots: 0, cost: this.diagonalWork };
      return first;
    }
    const attempted = this.diagonalWork;
    const { root, cost } = planDiagonal(tape, out, n, this.adj, this.estimates, this.plan, this.scratch);
    this.diagonalPlan = { roots: root.subarray(0, size).reduce((s, r) => s + r, 0), cost };
    const diag = this.build(tape, out, n, Infinity)!;
    this.diagonalWork += attempted;
    return diag;
  }

  /** The forward pass of `diagonal` along `this.plan`; undefined once its work passes `limit`. */
  private build(tape: Tape, out: number, n: number, limit: number): Float64Array | undefined {
    const { a, b, da, db, daa, dab, dbb } = tape;
    const { adj, slotOf, pool } = this;
    const { needed, root, lastUse } = this.plan;
    const size = out + 1;
    const diag = new Float64Array(n);
    pool.releaseAll();
    let work = 0;
    for (let j = 0; j < Math.min(n, size); j++) {
      if (!needed[j]) continue;
      const s = pool.alloc(1);
      pool.idx[pool.start[s]] = j;
      pool.val[pool.start[s]] = 1;
      pool.len[s] = 1;
      slotOf[j] = s;
    }
    for (let i = n; i < size; i++) {
      const ai = a[i], bi = b[i];
      const w = adj[i];
      if (w !== 0 && curved(tape, i)) {
        // The pool's arrays are read here, after the previous node's allocation may have grown them.
        const { idx, val, start, len } = pool;
        const sa = slotOf[ai];
        const xo = start[sa], xEnd = xo + len[sa];
        work += len[sa];
        if (bi < 0 || bi === ai) {
          // One input: φ_aa for unary nodes; for x∘x the pure second derivative is φ_aa + 2φ_ab + φ_bb.
          const c = w * (bi < 0 ? daa[i] : daa[i] + 2 * dab[i] + dbb[i]);
          for (let k = xo; k < xEnd; k++) diag[idx[k]] += c * val[k] * val[k];
        } else {
          const sb = slotOf[bi];
          const yo = start[sb], yEnd = yo + len[sb];
          work += len[sb];
          const caa = w * daa[i], cab = 2 * w * dab[i], cbb = w * dbb[i];
          let p = xo, q = yo;
          while (p < xEnd || q < yEnd) {
            const ia = p < xEnd ? idx[p] : n, ib = q < yEnd ? idx[q] : n;
            const ga = ia <= ib ? val[p++] : 0;
            const gb = ib <= ia ? val[q++] : 0;
            diag[ia <= ib ? ia : ib] += caa * ga * ga + cab * ga * gb + cbb * gb * gb;
          }
        }
      }
      if (root[i]) {
        slotOf[i] = this.gradientOfNode(tape, i, n);
        work += i - n + 1;
      } else if (needed[i]) {
        const useA = da[i] !== 0, useB = bi >= 0 && db[i] !== 0;
        let s: number;
        if (useA && useB) s = ai === bi ? pool.scaled(da[i] + db[i], slotOf[ai]) : pool.combined(da[i], slotOf[ai], db[i], slotOf[bi]);
        else if (useA) s = pool.scaled(da[i], slotOf[ai]);
        else if (useB) s = pool.scaled(db[i], slotOf[bi]);
        else s = pool.alloc(0);
        work += pool.len[s];
        slotOf[i] = s;
      }
      if (lastUse[ai] === i) pool.release(slotOf[ai]);
      if (bi >= 0 && bi !== ai && lastUse[bi] === i) pool.release(slotOf[bi]);
      if (work > limit) {
        this.diagonalWork = work;
        return undefined;
      }
    }
    this.diagonalWork = work;
    return diag;
  }

  /** ∂node/∂x by a reverse sweep from `node` alone, as a new sparse slot: what a wide root costs instead of merges. */
  private gradientOfNode(tape: Tape, node: number, n: number): number {
    const { a, b, da, db } = tape;
    // The tangents of `hvp` are free during a diagonal sweep.
    const r = this.tangent;
    r.fill(0, 0, node + 1);
    r[node] = 1;
    for (let i = node; i >= n; i--) {
      const w = r[i];
      if (w === 0) continue;
      const ai = a[i], bi = b[i];
      r[ai] += w * da[i];
      if (bi >= 0) r[bi] += w * db[i];
    }
    let count = 0;
    for (let j = 0; j < n; j++) if (r[j] !== 0) count++;
    const pool = this.pool;
    const s = pool.alloc(count);
    const { idx, val } = pool;
    let k = pool.start[s];
    for (let j = 0; j < n; j++) {
      if (r[j] === 0) continue;
      idx[k] = j;
      val[k++] = r[j];
    }
    pool.len[s] = count;
    return s;
  }
}
