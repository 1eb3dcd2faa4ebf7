// Loads a benchmark case's function the way the evaluation worker does (bundle, the sandbox realm's prepareBundle/loadBundle, the sandbox's planEvaluator), but in this thread, so each derivative mode can be timed on its own.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ADEvaluator } from '../engine/ad/differentiate';
import { bundleModule } from '../engine/load/bundle';
import { functionNamed } from '../engine/load/functions';
import { fnAlias } from '../engine/sandbox/protocol';
import { planEvaluator, type EvaluationPlan } from '../engine/sandbox/evaluate';
import { loadBundle, prepareBundle } from '../engine/sandbox/realm';
import { defaultEngineOptions } from '../engine/types';
import type { BenchCase } from './cases';

/** The rewritten function of a case, ready to be differentiated at the case's point any number of times. */
export interface LoadedCase {
  /** A fresh evaluator (its derivatives are computed once and cached, so each timed repetition takes a new one). */
  evaluator(): ADEvaluator;
}

export async function loadInProcess(root: string, c: Pick<BenchCase, 'file' | 'functionName' | 'at' | 'wrt'>): Promise<LoadedCase> {
  const file = join(root, c.file);
  const text = readFileSync(file, 'utf8');
  const info = functionNamed(text, file, c.functionName);
  const bundle = await bundleModule(file, text, { [fnAlias]: info.name });
  const loaded = loadBundle(prepareBundle(bundle.code));
  const fn = loaded.byMode(fnAlias)!;
  const { hessianDiagonal, estimateProbes, seed } = defaultEngineOptions;
  const plan: Omit<EvaluationPlan, 'checks'> = {
    functionName: c.functionName,
    points: info.params.map((p) => ({ name: p.name, kind: p.kind, source: 'at', value: c.at[p.name] })),
    wrtIndex: info.params.findIndex((p) => p.name === c.wrt),
    evaluator: { hessianDiagonal, estimateProbes, seed },
  };
  return {
    // The arguments are made in the realms of the function's copies, as the worker makes them.
    evaluator: () => planEvaluator(plan, { fn, supplied: {}, constant: () => undefined, containers: loaded.containers }).evaluator,
  };
}
