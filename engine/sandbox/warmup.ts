// A check of the engine's own small function, run by a worker before it serves: the bytecode of the rewriter, the realm and the checks is compiled while the worker waits, not while a user waits.
import { defaultEngineOptions, defaultTolerances } from '../types';
import { fnAlias, moduleGlobal, suppliedAliases, type WorkerPlan } from './protocol';

/**
 * What esbuild writes for a module exporting the worker's aliases (no source map is needed): a small weighted softmax
 * loss over nested arrays with its gradient and a wrong Hessian diagonal, so the paths of a typical check (loops,
 * Math, supplied derivatives, an explanation) are compiled.
 */
const code = `var ${moduleGlobal} = (() => {
  function probabilities(Y) {
    return Y.map((row) => {
      const m = Math.max(...row);
      const e = row.map((y) => Math.exp(y - m));
      const s = e.reduce((a, b) => a + b, 0);
      return e.map((v) => v / s);
    });
  }
  function loss(Y, T, w) {
    let total = 0;
    for (let i = 0; i < Y.length; i++) {
      let s = 0;
      for (let k = 0; k < Y[i].length; k++) s += Math.exp(Y[i][k]);
      const logZ = Math.log(s);
      for (let k = 0; k < Y[i].length; k++) if (T[i][k] !== 0) total -= w[k] * T[i][k] * (Y[i][k] - logZ);
    }
    return total;
  }
  function gradient(Y, T, w) {
    const a = T.map((row) => row.reduce((acc, t, k) => acc + w[k] * t, 0));
    return probabilities(Y).map((row, i) => row.map((p, j) => a[i] * p - w[j] * T[i][j]));
  }
  function rowSums(Y, T, w) {
    const a = T.map((row) => row.reduce((acc, t, k) => acc + w[k] * t, 0));
    return probabilities(Y).map((row, i) => row.map(() => 0 * a[i]));
  }
  return { ${fnAlias}: loss, ${suppliedAliases.gradient}: gradient, ${suppliedAliases.hessianDiagonal}: rowSums };
})();
`;

export const warmUpPlan: WorkerPlan = {
  code,
  map: JSON.stringify({ version: 3, sources: [], names: [], mappings: '' }),
  sourceRoot: '/',
  functionName: 'loss',
  points: [
    { name: 'Y', kind: 'matrix-array', source: 'at', value: [[0.3, -0.7, 1.1], [0.2, 0.5, -0.4], [1, 0, -1]] },
    { name: 'T', kind: 'matrix-array', source: 'at', value: [[1, 0, 0], [0, 1, 0], [0, 0, 1]] },
    { name: 'w', kind: 'vector', source: 'at', value: [0.5, 1, 2] },
  ],
  wrtIndex: 0,
  wrt: [{ root: 'Y', steps: [], text: 'Y' }],
  supplied: { gradient: { name: 'gradient' }, hessianDiagonal: { name: 'rowSums' } },
  evaluator: { hessianDiagonal: defaultEngineOptions.hessianDiagonal, estimateProbes: defaultEngineOptions.estimateProbes, seed: defaultEngineOptions.seed },
  checks: { ...defaultTolerances, sampleThreshold: defaultEngineOptions.fdSampleThreshold, sampleSize: defaultEngineOptions.fdSampleSize, seed: defaultEngineOptions.seed, budgetMs: defaultEngineOptions.checkBudgetMs },
};
