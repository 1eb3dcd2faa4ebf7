// Timing (warm-up, repetitions, medians) and peak-memory sampling for the benchmark.
import { Worker } from 'node:worker_threads';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export interface Timing {
  /** Median time of one call, ms. */
  ms: number;
  /** Timed repetitions (each may batch several calls, see below). */
  reps: number;
}

/** A repetition of a very fast function batches calls until it lasts about this long, so timer resolution stays out of the median. */
const MIN_BATCH_MS = 2;
/** Repeat until both hold … */
const MIN_REPS = 5;
const MIN_TOTAL_MS = 200;
/** … but a slow measurement stops once it has run this long. */
const SLOW_TOTAL_MS = 1_000;
/** A warm-up call this slow is already far from JIT effects and stands as the one sample (the bench must stay within minutes). */
const SINGLE_SAMPLE_MS = 5_000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Median wall time of `fn` after one warm-up call (more for fast functions, which the JIT needs to see a few times). */
export async function time(fn: () => unknown | Promise<unknown>): Promise<Timing> {
  let t0 = performance.now();
  await fn();
  let first = performance.now() - t0;
  if (first >= SINGLE_SAMPLE_MS) return { ms: first, reps: 1 };
  let batch = 1;
  if (first < MIN_BATCH_MS) {
    // Warm up for ~50 ms, then size the batch from the warmed-up speed.
    let calls = 0;
    t0 = performance.now();
    while (performance.now() - t0 < 50) {
      await fn();
      calls++;
    }
    first = (performance.now() - t0) / calls;
    batch = Math.max(1, Math.ceil(MIN_BATCH_MS / first));
  }
  const samples: number[] = [];
  const start = performance.now();
  for (;;) {
    const t = performance.now();
    for (let k = 0; k < batch; k++) await fn();
    samples.push((performance.now() - t) / batch);
    const elapsed = performance.now() - start;
    if (samples.length >= MIN_REPS && elapsed >= MIN_TOTAL_MS) break;
    if (elapsed >= SLOW_TOTAL_MS) break;
  }
  return { ms: median(samples), reps: samples.length };
}

/**
 * Median of times that `measureOnce` measures itself (it returns ms), for what needs untimed set-up per repetition
 * or is timed inside the engine. One warm-up call, then the same stopping rule as `time`.
 */
export function timeInner(measureOnce: () => number): Timing {
  const first = measureOnce();
  if (first >= SINGLE_SAMPLE_MS) return { ms: first, reps: 1 };
  const samples: number[] = [];
  const start = performance.now();
  for (;;) {
    samples.push(measureOnce());
    const elapsed = performance.now() - start;
    if (samples.length >= MIN_REPS && elapsed >= MIN_TOTAL_MS) break;
    if (elapsed >= SLOW_TOTAL_MS) break;
  }
  return { ms: median(samples), reps: samples.length };
}

let gcFunction: (() => void) | undefined;

/** A full garbage collection between cases, so one case's garbage does not count against the next. */
export function collectGarbage(): void {
  if (!gcFunction) {
    setFlagsFromString('--expose-gc');
    gcFunction = runInNewContext('gc') as () => void;
  }
  gcFunction();
}

/**
 * The process's resident set size sampled every millisecond by a watcher thread, so that peaks inside long
 * synchronous calls (which block the main thread's timers) are seen. RSS is process-wide: it includes the
 * evaluation worker of runCheck and every heap.
 */
export class RssWatcher {
  /** [0]: peak RSS in KiB since the last reset, written by the watcher. */
  private readonly peak = new Int32Array(new SharedArrayBuffer(4));
  private readonly worker: Worker;

  constructor() {
    const source = `
      const { workerData } = require('node:worker_threads');
      const peak = new Int32Array(workerData);
      setInterval(() => {
        const kib = Math.round(process.memoryUsage.rss() / 1024);
        if (kib > Atomics.load(peak, 0)) Atomics.store(peak, 0, kib);
      }, 1);`;
    this.worker = new Worker(source, { eval: true, workerData: this.peak.buffer });
    this.worker.unref();
  }

  /** Starts a new window at the current RSS. */
  reset(): void {
    Atomics.store(this.peak, 0, Math.round(process.memoryUsage.rss() / 1024));
  }

  /** Peak RSS since the last reset, MB. */
  peakMb(): number {
    const now = Math.round(process.memoryUsage.rss() / 1024);
    return Math.max(now, Atomics.load(this.peak, 0)) / 1024;
  }

  stop(): Promise<number> {
    return this.worker.terminate();
  }
}
