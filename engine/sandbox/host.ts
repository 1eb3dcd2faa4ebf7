// Runs one check plan in a worker thread with a wall-clock limit, a heap limit and cancellation.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { EngineError, type EngineOptions } from '../types';
import type { WorkerMessage, WorkerPlan, WorkerSuccess } from './protocol';

/** The build puts worker.js beside every bundle that can start a check (dist/, out/test/unit/). */
export const workerPath = () => path.join(__dirname, 'worker.js');

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

/** Resolves with the worker's result; rejects with EngineError (timeout, out-of-memory, cancelled, or what the worker reported). */
export function runInSandbox(
  plan: WorkerPlan,
  limits: Pick<EngineOptions, 'timeoutMs' | 'memoryMb'>,
  signal?: AbortSignal,
): Promise<WorkerSuccess> {
  if (signal?.aborted) return Promise.reject(new EngineError('cancelled', 'the check was cancelled'));
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerPath(), {
      workerData: plan,
      // A larger young generation: recording allocates one short-lived active scalar per operation, and the
      // default nursery made garbage collection a fifth of a gradient's time.
      resourceLimits: { maxOldGenerationSizeMb: limits.memoryMb, maxYoungGenerationSizeMb: 48 },
    });
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      outcome();
    };
    const timer = setTimeout(
      () => finish(() => reject(new EngineError('timeout', `${plan.functionName} did not finish within ${seconds(limits.timeoutMs)} (a runaway loop?)`))),
      limits.timeoutMs,
    );
    const onAbort = () => finish(() => reject(new EngineError('cancelled', 'the check was cancelled')));
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (msg: WorkerMessage) =>
      finish(() => {
        if (msg.type === 'result') resolve(msg);
        else reject(new EngineError(msg.error.kind, msg.error.message, msg.error));
      }),
    );
    worker.on('error', (err: Error & { code?: string }) =>
      finish(() =>
        reject(
          err.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? new EngineError('out-of-memory', `${plan.functionName} ran out of memory (heap limit ${limits.memoryMb} MB)`)
            : new EngineError('internal', `the evaluation worker failed: ${err.message}`),
        ),
      ),
    );
    // 'exit' can overtake the last 'message' or 'error' (an out-of-memory exit, for one): give them a moment to arrive.
    worker.on('exit', (code) =>
      setTimeout(() => finish(() => reject(new EngineError('internal', `the evaluation worker exited (code ${code}) without a result`))), 200),
    );
  });
}
