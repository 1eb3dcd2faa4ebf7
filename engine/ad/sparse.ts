// Sparse vectors (sorted index lists + values) for the forward gradients of the exact Hessian diagonal, in one growable arena.

const INITIAL_ENTRIES = 1 << 12;
const INITIAL_SLOTS = 1 << 10;
/** Size classes 2^0 .. 2^31. */
const CLASSES = 32;

function grownInt(x: Int32Array, size: number) {
  const y = new Int32Array(size);
  y.set(x);
  return y;
}

/**
 * Every slot lives in two shared typed arrays: slot s holds `len[s]` entries at `idx`/`val`[start[s] ..], indices
 * strictly increasing, within a capacity of 2^k entries. Freed slots go to one free list per k. A pool of separate
 * small typed arrays per slot cost a fresh evaluator 20–30× its warm time (allocation and the collector's copying);
 * here a sweep makes a handful of doubling allocations at most.
 *
 * `idx`, `val`, `start` and `len` are replaced when they grow: read them again after every `alloc`, `scaled` or
 * `combined`.
 */
export class SparsePool {
  idx = new Int32Array(INITIAL_ENTRIES);
  val = new Float64Array(INITIAL_ENTRIES);
  start = new Int32Array(INITIAL_SLOTS);
  len = new Int32Array(INITIAL_SLOTS);
  private sizeClass = new Uint8Array(INITIAL_SLOTS);
  /** Free lists threaded through `nextFree`, one head per size class (-1: empty). */
  private nextFree = new Int32Array(INITIAL_SLOTS);
  private freeHead = new Int32Array(CLASSES).fill(-1);
  private slots = 0;
  private used = 0;

  alloc(capacity: number): number {
    const k = capacity <= 1 ? 0 : 32 - Math.clz32(capacity - 1);
    const reused = this.freeHead[k];
    if (reused >= 0) {
      this.freeHead[k] = this.nextFree[reused];
      this.len[reused] = 0;
      return reused;
    }
    const s = this.slots++;
    if (s === this.start.length) this.growSlots();
    const size = 1 << k;
    if (this.used + size > this.idx.length) this.growEntries(this.used + size);
    this.start[s] = this.used;
    this.len[s] = 0;
    this.sizeClass[s] = k;
    this.used += size;
    return s;
  }

  release(s: number): void {
    const k = this.sizeClass[s];
    this.nextFree[s] = this.freeHead[k];
    this.freeHead[k] = s;
  }

  /** Forget every slot, keeping the buffers (a sweep starts clean even if the previous one threw). */
  releaseAll(): void {
    this.slots = 0;
    this.used = 0;
    this.freeHead.fill(-1);
  }

  private growSlots(): void {
    const size = this.start.length * 2;
    this.start = grownInt(this.start, size);
    this.len = grownInt(this.len, size);
    this.nextFree = grownInt(this.nextFree, size);
    const sizeClass = new Uint8Array(size);
    sizeClass.set(this.sizeClass);
    this.sizeClass = sizeClass;
  }

  private growEntries(needed: number): void {
    let size = this.idx.length * 2;
    while (size < needed) size *= 2;
    this.idx = grownInt(this.idx.subarray(0, this.used), size);
    const val = new Float64Array(size);
    val.set(this.val.subarray(0, this.used));
    this.val = val;
  }

  /** A new slot holding α·x. */
  scaled(alpha: number, x: number): number {
    const n = this.len[x];
    const s = this.alloc(n);
    const { idx, val } = this;
    const xo = this.start[x], so = this.start[s];
    for (let k = 0; k < n; k++) {
      idx[so + k] = idx[xo + k];
      val[so + k] = alpha * val[xo + k];
    }
    this.len[s] = n;
    return s;
  }

  /** A new slot holding α·x + β·y (a merge of the two sorted index lists). */
  combined(alpha: number, x: number, beta: number, y: number): number {
    const nx = this.len[x], ny = this.len[y];
    const s = this.alloc(nx + ny);
    const { idx, val } = this;
    const xo = this.start[x], yo = this.start[y], so = this.start[s];
    const xEnd = xo + nx, yEnd = yo + ny;
    let i = xo, j = yo, k = so;
    while (i < xEnd && j < yEnd) {
      const a = idx[i], b = idx[j];
      if (a === b) {
        idx[k] = a;
        val[k++] = alpha * val[i++] + beta * val[j++];
      } else if (a < b) {
        idx[k] = a;
        val[k++] = alpha * val[i++];
      } else {
        idx[k] = b;
        val[k++] = beta * val[j++];
      }
    }
    for (; i < xEnd; i++, k++) {
      idx[k] = idx[i];
      val[k] = alpha * val[i];
    }
    for (; j < yEnd; j++, k++) {
      idx[k] = idx[j];
      val[k] = beta * val[j];
    }
    this.len[s] = k - so;
    return s;
  }
}
