// Runs one check plan in a worker thread with a wall-clock limit, a heap limit and cancellation.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { EngineError, type CheckProgress, type EngineOptions } from '../types';
import type { WorkerMessage, WorkerPlan, WorkerSuccess } from './protocol';
import { timeoutMessage } from './timeout';

/** The build puts worker.js beside every bundle that can start a check (dist/, out/test/unit/). */
export const workerPath = () => path.join(__dirname, 'worker.js');

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

/**
 * Idle workers kept between checks: a fresh thread pays for loading the engine and for a cold JIT on every
 * check (most of a small check's time). One is kept by default; `check --all` keeps one per parallel check. A
 * worker is reused only after a normal answer; a timeout, a cancellation, an out-of-memory or a crash terminates
 * it. Idle, it is unref'd so it never keeps a CLI process alive.
 */
const idle: { worker: Worker; memoryMb: number }[] = [];
let idleLimit = 1;

/** How many idle workers to keep warm (at least 1): one per check that runs in parallel. */
export function keepWarmWorkers(count: number): void {
  idleLimit = Math.max(1, Math.floor(count));
}

function takeWorker(memoryMb: number): Worker {
  const i = idle.findIndex((k) => k.memoryMb === memoryMb);
  if (i >= 0) {
    const [kept] = idle.splice(i, 1);
    kept.worker.ref();
    return kept.worker;
  }
  // A larger young generation: recording allocates one short-lived active scalar per operation, and the
  // default nursery made garbage collection a fifth of a gradient's time.
  return new Worker(workerPath(), { resourceLimits: { maxOldGenerationSizeMb: memoryMb, maxYoungGenerationSizeMb: 48 } });
}

function keepWorker(worker: Worker, memoryMb: number): void {
  // The oldest idle worker makes room (it may have a memory limit no longer asked for).
  if (idle.length >= idleLimit) void idle.shift()!.worker.terminate();
  worker.unref();
  const kept = { worker, memoryMb };
  idle.push(kept);
  worker.once('exit', () => {
    const i = idle.indexOf(kept);
    if (i >= 0) idle.splice(i, 1);
  });
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
    const finish = (reuse: boolean, outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      if (reuse) keepWorker(worker, limits.memoryMb);
      else void worker.terminate();
      outcome();
    };
    // The limit is on silence, not on the whole check: the worker reports progress as evaluations complete, so only a
    // step that makes none for timeoutMs (loading the module, one evaluation of f, one derivative pass) is stopped.
    let last: CheckProgress | undefined;
    const expire = () => finish(false, () => reject(new EngineError('timeout', timeoutMessage(plan.functionName, seconds(limits.timeoutMs), last))));
    let timer = setTimeout(expire, limits.timeoutMs);
    const onAbort = () => finish(false, () => reject(new EngineError('cancelled', 'the check was cancelled')));
    signal?.addEventListener('abort', onAbort, { once: true });
    // A user error (it threw, returned NaN, ...) is a normal answer too, but user code may have left the thread's
    // own objects changed (inputs are created there): only a clean result lets the thread serve again.
    const onMessage = (msg: WorkerMessage) => {
      if (msg.type === 'progress') {
        last = msg.progress;
        clearTimeout(timer);
        timer = setTimeout(expire, limits.timeoutMs);
        onProgress?.(msg.progress);
        return;
      }
      finish(msg.type === 'result', () => {
        if (msg.type === 'result') resolve(msg);
        else reject(new EngineError(msg.error.kind, msg.error.message, msg.error));
      });
    };
    const onError = (err: Error & { code?: string }) =>
      finish(false, () =>
        reject(
          err.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? new EngineError('out-of-memory', `${plan.functionName} ran out of memory (heap limit ${limits.memoryMb} MB)`)
            : new EngineError('internal', `the evaluation worker failed: ${err.message}`),
        ),
      );
    // 'exit' can overtake the last 'message' or 'error' (an out-of-memory exit, for one): give them a moment to arrive.
    const onExit = (code: number) =>
      setTimeout(() => finish(false, () => reject(new EngineError('internal', `the evaluation worker exited (code ${code}) without a result`))), 200);
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage(plan);
  });
}
