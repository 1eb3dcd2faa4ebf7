// Starts evaluation workers through a V8 code cache of worker.js, made by the process's first worker once it has warmed up.
//
// Every check gets a fresh worker, and each compiled the 600 KB worker bundle and, during its warm-up check, the
// functions a check runs. V8 can serialise that code after it ran (vm.Script createCachedData, lazily compiled
// functions included) and take it back instead of compiling: a worker is then ready in about half the time. The
// cache lives in this process's memory only; V8 rejects data that does not match the source or its flags, and the
// worker then compiles as before.
import { Worker, type ResourceLimits } from 'node:worker_threads';

/** Runs worker.js (`workerData.file`) as Node would load it, from `workerData.cachedData` when given; sends new cache data when asked. */
const loaderSource = `'use strict';
const { workerData, parentPort } = require('node:worker_threads');
const { Script } = require('node:vm');
const Module = require('node:module');
const { readFileSync } = require('node:fs');
const { dirname } = require('node:path');
const { file, cachedData } = workerData;
const script = new Script(Module.wrap(readFileSync(file, 'utf8')), { filename: file, cachedData });
const mod = { exports: {}, filename: file, id: file, loaded: false, children: [], paths: [] };
script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(file), mod, file, dirname(file));
if (cachedData === undefined || script.cachedDataRejected) parentPort.postMessage({ type: 'code-cache', data: script.createCachedData() });
`;

/** The cache data of worker.js, once a worker has sent it. */
let cached: { file: string; data: Uint8Array } | undefined;

/** The size of the cache data new workers start from (0 until the first worker has sent it). */
export function codeCacheBytes(): number {
  return cached?.data.byteLength ?? 0;
}

/** A worker of `file` (which runs its warm-up as it loads) started from the code cache when there is one. */
export function startCachedWorker(file: string, resourceLimits: ResourceLimits): Worker {
  const cachedData = process.env.DERIVATIVE_LENS_NO_CODE_CACHE || cached?.file !== file ? undefined : cached.data;
  const worker = new Worker(loaderSource, { eval: true, workerData: { file, cachedData }, resourceLimits });
  const keep = (m: { type?: string; data?: Uint8Array }) => {
    if (m?.type !== 'code-cache' || !(m.data instanceof Uint8Array)) return;
    cached = { file, data: m.data };
    worker.off('message', keep);
  };
  // Also when data was given: a worker whose data V8 rejected sends data that fits.
  worker.on('message', keep);
  return worker;
}
