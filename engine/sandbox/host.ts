// Runs one check plan in a fresh worker thread with a wall-clock limit, a memory limit (heap and resident) and cancellation.
import * as path from 'node:path';
import { deserialize } from 'node:v8';
import type { Worker } from 'node:worker_threads';
import { EngineError, type CheckProgress, type EngineOptions } from '../types';
import type { WorkerMessage, WorkerPlan, WorkerSuccess } from './protocol';
import { timeoutMessage } from './timeout';
import { startCachedWorker } from './worker-cache';

/** The build puts worker.js beside every bundle that can start a check (dist/, out/test/unit/). */
export const workerPath = () => path.join(__dirname, 'worker.js');

/** How often the host samples the process's resident memory while a check runs (typed arrays live off the heap). */
const RSS_SAMPLE_MS = 25;
/** Resident memory a booting worker may take, beside the checked code's limit. */
const SPARE_WORKER_MB = 64;

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

function startWorker(memoryMb: number): Worker {
  // A larger young generation: recording allocates one short-lived active scalar per operation, and the
  // default nursery made garbage collection a fifth of a gradient's time.
  const worker = startCachedWorker(workerPath(), { maxOldGenerationSizeMb: memoryMb, maxYoungGenerationSizeMb: 48 });
  worker.unref();
  return worker;
}

/**
 * The next checks' workers, started ahead of time (loading the engine is most of a small check's time). A worker
 * serves exactly one check and is then terminated: nothing user code changed in it (prototypes, the stand-ins,
 * pending promise callbacks) can reach a later check. One is kept by default; `check --all` keeps one per parallel
 * check. Idle, they are unref'd so they never keep a process alive.
 */
const spares: { worker: Worker; memoryMb: number; drop: () => void }[] = [];
let spareLimit = 1;

/** How many workers to keep started ahead (at least 1): one per check that runs in parallel. */
export function keepWarmWorkers(count: number): void {
  spareLimit = Math.max(1, Math.floor(count));
}

/** Starts workers in the background until `spareLimit` with this memory limit are waiting (others make room). */
function startSpares(memoryMb: number): void {
  while (spares.filter((s) => s.memoryMb === memoryMb).length < spareLimit) {
    const other = spares.findIndex((s) => s.memoryMb !== memoryMb);
    if (other >= 0 && spares.length >= spareLimit) void spares.splice(other, 1)[0].worker.terminate();
    const worker = startWorker(memoryMb);
    // An error or exit while idle (it was terminated, the process is shutting down): the next check starts its own.
    const drop = () => {
      const i = spares.findIndex((s) => s.worker === worker);
      if (i >= 0) spares.splice(i, 1);
    };
    spares.push({ worker, memoryMb, drop });
    worker.once('error', drop);
    worker.once('exit', drop);
  }
}

function takeWorker(memoryMb: number): Worker {
  startSpares(memoryMb);
  const [{ worker, drop }] = spares.splice(
    spares.findIndex((s) => s.memoryMb === memoryMb),
    1,
  );
  worker.off('error', drop);
  worker.off('exit', drop);
  worker.ref();
  // The next check's worker boots while this one runs.
  startSpares(memoryMb);
  return worker;
}

/** Resolves with the worker's result; rejects with EngineError (timeout, out-of-memory, cancelled, or what the worker reported). */
export function runInSandbox(
  plan: WorkerPlan,
  limits: Pick<EngineOptions, 'timeoutMs' | 'memoryMb'>,
  signal?: AbortSignal,
  onProgress?: (p: CheckProgress) => void,
): Promise<WorkerSuccess> {
  if (signal?.aborted) return Promise.reject(new EngineError('cancelled', 'the check was cancelled'));
  return new Promise((resolve, reject) => {
    const worker = takeWorker(limits.memoryMb);
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(watch);
      signal?.removeEventListener('abort', onAbort);
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      void worker.terminate();
      outcome();
    };
    const outOfMemory = (what: string) => finish(() => reject(new EngineError('out-of-memory', `${plan.functionName} ran out of memory (${what})`)));
    // The limit is on silence, not on the whole check: the worker reports progress as evaluations complete, so only a
    // step that makes none for timeoutMs (loading the module, one evaluation of f, one derivative pass) is stopped.
    let last: CheckProgress | undefined;
    const expire = () => finish(() => reject(new EngineError('timeout', timeoutMessage(plan.functionName, seconds(limits.timeoutMs), last))));
    let timer = setTimeout(expire, limits.timeoutMs);
    // The heap limit does not cover ArrayBuffers: the process's resident memory may grow by at most the limit (and
    // what the next check's worker takes while it boots).
    const rssLimit = process.memoryUsage.rss() + (limits.memoryMb + SPARE_WORKER_MB) * 2 ** 20;
    const watch = setInterval(() => {
      if (process.memoryUsage.rss() > rssLimit) outOfMemory(`resident memory grew past the ${limits.memoryMb} MB limit; typed arrays count`);
    }, RSS_SAMPLE_MS);
    const onAbort = () => finish(() => reject(new EngineError('cancelled', 'the check was cancelled')));
    signal?.addEventListener('abort', onAbort, { once: true });
    // Progress arrives as plain messages; the answer as the worker's own serialization (it bounds its size).
    const onMessage = (data: Uint8Array | WorkerMessage) => {
      if (!(data instanceof Uint8Array)) {
        if (data.type !== 'progress') return;
        last = data.progress;
        clearTimeout(timer);
        timer = setTimeout(expire, limits.timeoutMs);
        onProgress?.(data.progress);
        return;
      }
      finish(() => {
        const msg = deserialize(data) as WorkerMessage;
        if (msg.type === 'progress') return;
        if (msg.type === 'result') resolve(msg);
        else reject(new EngineError(msg.error.kind, msg.error.message, msg.error));
      });
    };
    const onError = (err: Error & { code?: string }) =>
      err.code === 'ERR_WORKER_OUT_OF_MEMORY'
        ? outOfMemory(`heap limit ${limits.memoryMb} MB`)
        : finish(() => reject(new EngineError('internal', `the evaluation worker failed: ${err.message}`)));
    // 'exit' can overtake the last 'message' or 'error' (an out-of-memory exit, for one): give them a moment to arrive.
    const onExit = (code: number) =>
      setTimeout(() => finish(() => reject(new EngineError('internal', `the evaluation worker exited (code ${code}) without a result`))), 200);
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage(plan);
  });
}
