// Loads a benchmark case's function the way the evaluation worker does (bundle, then the sandbox realm's prepareBundle/loadBundle), but in this thread, so each derivative mode can be timed on its own.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEvaluator, type ADEvaluator } from '../engine/ad/differentiate';
import { makeMatrix } from '../engine/ad/matrix/matrix';
import { bundleModule } from '../engine/load/bundle';
import { functionNamed } from '../engine/load/functions';
import { fnAlias } from '../engine/sandbox/protocol';
import { loadBundle, prepareBundle } from '../engine/sandbox/realm';
import { defaultEngineOptions } from '../engine/types';
import type { BenchCase } from './cases';

/** The rewritten function of a case, ready to be differentiated at the case's point any number of times. */
export interface LoadedCase {
  /** A fresh evaluator (its derivatives are computed once and cached, so each timed repetition takes a new one). */
  evaluator(): ADEvaluator;
}

export async function loadInProcess(root: string, c: BenchCase): Promise<LoadedCase> {
  const file = join(root, c.file);
  const text = readFileSync(file, 'utf8');
  const info = functionNamed(text, file, c.functionName);
  const bundle = await bundleModule(file, text, { [fnAlias]: info.name });
  const fn = loadBundle(prepareBundle(bundle.code)).byMode(fnAlias)!;
  const params = info.params.map((p) => ({ name: p.name, kind: p.kind, value: c.at[p.name] }));
  const wrtIndex = params.findIndex((p) => p.name === c.wrt);
  const { hessianDiagonal, estimateProbes, seed } = defaultEngineOptions;
  return {
    evaluator: () => createEvaluator({ fn, name: c.functionName, params, wrtIndex, options: { hessianDiagonal, estimateProbes, seed }, makeMatrix }),
  };
}
