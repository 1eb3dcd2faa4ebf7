// A check of the engine's own small function, run by a worker before it serves: the bytecode of the rewriter, the realm and the checks is compiled while the worker waits, not while a user waits.
import { defaultEngineOptions, defaultTolerances } from '../types';
import { fnAlias, moduleGlobal, type WorkerPlan } from './protocol';

/** What esbuild writes for a module exporting one function under the worker's alias (no source map is needed). */
const code = `var ${moduleGlobal} = (() => {
  function warm(x) {
    let s = 0;
    for (let i = 0; i < x.length; i++) s += Math.exp(x[i]) * x[i] + Math.max(x[i], 0) / (1 + x[i] * x[i]);
    return s;
  }
  return { ${fnAlias}: warm };
})();
`;

export const warmUpPlan: WorkerPlan = {
  code,
  map: JSON.stringify({ version: 3, sources: [], names: [], mappings: '' }),
  sourceRoot: '/',
  functionName: 'warm',
  points: [{ name: 'x', kind: 'vector', source: 'default', value: [0.3, -0.7, 1.1] }],
  wrtIndex: 0,
  supplied: {},
  evaluator: { hessianDiagonal: defaultEngineOptions.hessianDiagonal, estimateProbes: defaultEngineOptions.estimateProbes, seed: defaultEngineOptions.seed },
  checks: { ...defaultTolerances, sampleThreshold: defaultEngineOptions.fdSampleThreshold, sampleSize: defaultEngineOptions.fdSampleSize, seed: defaultEngineOptions.seed },
};
