// Pooled sparse vectors (sorted index lists + values in typed arrays) for the forward gradients of the exact Hessian diagonal.

/**
 * Slots of capacity 2^k, recycled through one free list per k: after the first evaluation a sweep allocates nothing.
 * A slot holds `len[s]` entries, indices strictly increasing.
 */
export class SparsePool {
  idx: Int32Array[] = [];
  val: Float64Array[] = [];
  len: number[] = [];
  private sizeClass: number[] = [];
  private free: number[][] = [];

  alloc(capacity: number): number {
    const k = capacity <= 1 ? 0 : 32 - Math.clz32(capacity - 1);
    const list = (this.free[k] ??= []);
    const reused = list.pop();
    if (reused !== undefined) {
      this.len[reused] = 0;
      return reused;
    }
    const s = this.idx.length;
    this.idx.push(new Int32Array(1 << k));
    this.val.push(new Float64Array(1 << k));
    this.len.push(0);
    this.sizeClass.push(k);
    return s;
  }

  release(s: number): void {
    this.free[this.sizeClass[s]].push(s);
  }

  /** Every slot back to the free lists (a sweep starts clean even if the previous one threw). */
  releaseAll(): void {
    for (const list of this.free) if (list) list.length = 0;
    for (let s = 0; s < this.idx.length; s++) this.free[this.sizeClass[s]].push(s);
  }

  /** A new slot holding α·x. */
  scaled(alpha: number, x: number): number {
    const n = this.len[x];
    const s = this.alloc(n);
    const xi = this.idx[x], xv = this.val[x], si = this.idx[s], sv = this.val[s];
    for (let k = 0; k < n; k++) {
      si[k] = xi[k];
      sv[k] = alpha * xv[k];
    }
    this.len[s] = n;
    return s;
  }

  /** A new slot holding α·x + β·y (a merge of the two sorted index lists). */
  combined(alpha: number, x: number, beta: number, y: number): number {
    const nx = this.len[x], ny = this.len[y];
    const s = this.alloc(nx + ny);
    const xi = this.idx[x], xv = this.val[x], yi = this.idx[y], yv = this.val[y], si = this.idx[s], sv = this.val[s];
    let i = 0, j = 0, k = 0;
    while (i < nx && j < ny) {
      const a = xi[i], b = yi[j];
      if (a === b) {
        si[k] = a;
        sv[k++] = alpha * xv[i++] + beta * yv[j++];
      } else if (a < b) {
        si[k] = a;
        sv[k++] = alpha * xv[i++];
      } else {
        si[k] = b;
        sv[k++] = beta * yv[j++];
      }
    }
    for (; i < nx; i++, k++) {
      si[k] = xi[i];
      sv[k] = alpha * xv[i];
    }
    for (; j < ny; j++, k++) {
      si[k] = yi[j];
      sv[k] = beta * yv[j];
    }
    this.len[s] = k;
    return s;
  }
}
