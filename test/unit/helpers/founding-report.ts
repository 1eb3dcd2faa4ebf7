// A Report for the founding case (README "Why"), built from the closed forms, for the extension's vscode-free tests.

import type { Check, Mismatch, Report } from '../../../engine/types';

const hot = [0, 1, 3, 2, 4, 4, 4];
const K = 5;
export const T: number[][] = hot.map((h) => Array.from({ length: K }, (_, k) => (k === h ? 1 : 0)));
const counts = Array.from({ length: K }, (_, k) => T.reduce<number>((acc, row) => acc + row[k], 0));
/** a_i = Σ_k w_k T_ik / c_k with w = 1. */
const a = T.map((row) => row.reduce((acc, t, k) => acc + t / counts[k], 0));
/** Row-wise softmax at Y = T. */
export const P = T.map((row) => {
  const e = row.map(Math.exp);
  const s = e.reduce((x, y) => x + y, 0);
  return e.map((v) => v / s);
});
export const gradient = P.map((row, i) => row.map((p, j) => a[i] * p - T[i][j] / counts[j]));
export const hessianDiagonal = P.map((row, i) => row.map((p) => a[i] * p * (1 - p)));
/** The story's pitfall: the Hessian's row sums, ≈ 0 up to rounding. */
export const rowSums = P.map((row, i) => row.map((p, j) => a[i] * p * (1 - p) - row.reduce((acc, q, l) => (l === j ? acc : acc + a[i] * p * q), 0)));

const suppliedTolerance = { rtol: 1e-8, atol: 1e-10 };

function mismatches(expected: number[][], actual: number[][]): Mismatch[] {
  const out: Mismatch[] = [];
  expected.forEach((row, i) =>
    row.forEach((e, j) => {
      const absError = Math.abs(actual[i][j] - e);
      const bound = suppliedTolerance.atol + suppliedTolerance.rtol * Math.abs(e);
      if (absError > bound) out.push({ entry: `Y[${i}][${j}]`, index: [i, j], expected: e, actual: actual[i][j], absError, bound });
    }),
  );
  return out.sort((x, y) => y.absError - x.absError);
}

const hessianMismatches = mismatches(hessianDiagonal, rowSums);

const file = '/ws/examples/founding-loss.ts';

function check(id: Check['id'], status: Check['status'], extra: Partial<Check> = {}): Check {
  return {
    id,
    status,
    maxAbsError: 0,
    maxRelError: 0,
    mismatches: [],
    mismatchCount: 0,
    summary: `${id}: ${status}`,
    tolerance: id.startsWith('supplied') ? suppliedTolerance : { rtol: 1e-3, atol: 1e-5 },
    ...extra,
  };
}

/** A fresh copy each call, so a test may modify it. */
export function foundingReport(): Report {
  return structuredClone({
    function: 'softmaxLoss',
    file,
    location: { file, line: 17, column: 17 },
    value: -T.reduce<number>((acc, row, i) => acc + row.reduce((s, t, k) => s + (t / counts[k]) * Math.log(P[i][k]), 0), 0),
    wrt: 'Y',
    shape: [7, 5],
    point: { Y: T, T, w: [1, 1, 1, 1, 1] },
    gradient,
    hessianDiagonal,
    hessianDiagonalMethod: 'exact: second-order adjoints over the tape',
    passes: 3,
    checks: [
      check('gradient-vs-fd', 'pass', { method: 'central differences + Richardson on all 35 entries' }),
      check('hessian-diagonal-vs-fd', 'pass'),
      check('supplied-gradient', 'pass', { location: { file, line: 52, column: 17 } }),
      check('supplied-hessian-diagonal', 'fail', {
        mismatches: hessianMismatches.slice(0, 20),
        mismatchCount: hessianMismatches.length,
        maxAbsError: hessianMismatches[0].absError,
        maxRelError: 1,
        summary: `softmaxLossHessianRowSums is not the Hessian diagonal of softmaxLoss: ${hessianMismatches.length} of 35 entries differ (worst Y[0][0]: 1.1e-17, engine 0.241)`,
        explanation: 'These are the Hessian row sums (H·1), not its diagonal.',
        location: { file, line: 68, column: 17 },
        supplied: rowSums,
      }),
    ],
    kinks: [],
    notes: [],
    stepSweeps: [],
    timingsMs: { evaluate: 1, gradient: 1, hessianDiagonal: 2, finiteDifference: 8, supplied: 1, bundle: 1, total: 14 },
    verdict: 'fail',
    inputs: [
      { name: 'Y', source: 'constant', shape: [7, 5], detail: 'T0' },
      { name: 'T', source: 'constant', shape: [7, 5], detail: 'T0' },
      { name: 'w', source: 'directive', shape: [5], detail: 'w = [1, 1, 1, 1, 1]' },
    ],
    directives: [{ tag: 'dlens-hessian-diagonal', text: 'softmaxLossHessianRowSums', location: { file, line: 15, column: 4 } }],
  } satisfies Report);
}
