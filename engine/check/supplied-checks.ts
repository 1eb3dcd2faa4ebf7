// The supplied-vs-engine checks: a hand-written gradient or Hessian diagonal against the engine, with shapes and explanations.

import type { Check, CheckId, Tolerance } from '../types';
import type { Supplied } from '../evaluator';
import { FD_SAFETY, compareEntries, relateShapes } from './compare';
import { explain, nonPositiveHessianWarning, type ExplainInput } from './explain';
import { flattenSupplied, nest } from '../shape';
import { flattenSuppliedTree, type LeafSlot } from '../tree';
import { entries, num } from './words';

export interface SuppliedContext {
  /** The checked function's name: messages start "handGrad is not the gradient of loss". */
  functionName?: string;
  wrt: string;
  shape: number[];
  /** For a tree or several paths: where each leaf sits, and the paths (the supplied result has their structure). */
  leaves?: LeafSlot[];
  paths?: string[];
  /** The engine's values (flat) and, for an estimated diagonal, their standard errors. */
  truth: Float64Array;
  stdError?: Float64Array;
  rowSums?: ExplainInput['rowSums'];
  otherGradients?: ExplainInput['otherGradients'];
  /** Set when `truth` is finite differences (the engine failed against them), with their per-entry error estimates. */
  finiteDifferences?: { errorEstimate: Float64Array };
  otherShapes?: ExplainInput['otherShapes'];
  contributions?: ExplainInput['contributions'];
}

export function suppliedCheck(id: CheckId, supplied: Supplied, ctx: SuppliedContext, tolerance: Tolerance): Check {
  const quantity = id === 'supplied-gradient' ? 'gradient' : 'hessian-diagonal';
  const what = ctx.finiteDifferences
    ? 'finite differences (the engine failed against them, so it is not the reference)'
    : quantity === 'gradient'
      ? "the engine's gradient"
      : "the engine's Hessian diagonal";
  const base = { id, tolerance, location: supplied.location };
  const flat = ctx.leaves ? suppliedTree(supplied.result, ctx) : flattenSupplied(supplied.result);
  if ('error' in flat) return failed(base, `${supplied.name} ${flat.error}`);

  const shapes = relateShapes(flat.shape, ctx.shape);
  if (!shapes.sameCount) return failed(base, `${supplied.name} ${shapes.description}`);

  // An estimated diagonal is uncertain by its standard error, finite differences by their error estimate: three
  // of them keep a right answer from failing.
  const widen = (ctx.finiteDifferences?.errorEstimate ?? ctx.stdError)?.map((e) => FD_SAFETY * e);
  const cmp = compareEntries(flat.values, ctx.truth, ctx, tolerance, widen);
  const objectiveWarning = quantity === 'hessian-diagonal' && supplied.fromObjective ? nonPositiveHessianWarning(flat.values, ctx.wrt, ctx.shape) : undefined;
  const numbers = {
    ...base,
    maxAbsError: cmp.maxAbsError,
    maxRelError: cmp.maxRelError,
    mismatches: cmp.mismatches,
    mismatchCount: cmp.mismatchCount,
    supplied: nest(ctx.shape, flat.values),
  };

  if (cmp.mismatchCount === 0) {
    if (!shapes.compatible) {
      return { ...numbers, status: 'fail', summary: `${supplied.name} ${shapes.description} (the values are right when read row by row)` };
    }
    const summary = `${supplied.name} matches ${what} (${entries(cmp.compared)}, max rel error ${num(cmp.maxRelError)})`;
    return objectiveWarning ? { ...numbers, status: 'warn', summary: `${summary}, but ${objectiveWarning}` } : { ...numbers, status: 'pass', summary };
  }

  const fit = explain({
    quantity,
    wrt: ctx.wrt,
    shape: ctx.shape,
    leaves: ctx.leaves,
    truth: ctx.truth,
    supplied: flat.values,
    failing: cmp.failing,
    rowSums: ctx.rowSums,
    otherGradients: ctx.otherGradients,
    otherShapes: ctx.otherShapes,
    // The split by line is the engine's: no evidence when the engine itself failed against finite differences.
    contributions: ctx.finiteDifferences ? undefined : ctx.contributions,
  });
  if (!shapes.compatible && fit?.evidence.fit !== 'transpose') return failed(base, `${supplied.name} ${shapes.description}`);
  const worst = cmp.mismatches[0];
  const check: Check = {
    ...numbers,
    status: 'fail',
    summary:
      `${supplied.name} is not the ${quantity === 'gradient' ? 'gradient' : 'Hessian diagonal'} of ${ctx.functionName ?? 'the function'}: ` +
      `${cmp.mismatchCount} of ${entries(cmp.compared)} ${cmp.mismatchCount === 1 ? 'differs' : 'differ'} (worst ${worst.entry}: ${num(worst.actual)}, ${ctx.finiteDifferences ? 'finite differences' : 'engine'} ${num(worst.expected)})`,
  };
  const explanation = [fit?.explanation, objectiveWarning].filter(Boolean).join('; ');
  if (explanation) check.explanation = explanation;
  if (fit) check.evidence = fit.evidence;
  if (fit?.alternatives) check.alternatives = fit.alternatives;
  if (fit?.location) check.explanationLocation = fit.location;
  return check;
}

/** A tree-shaped result in the input vector's order (shape [n], like the vector of leaves it is compared with). */
function suppliedTree(result: unknown, ctx: SuppliedContext): { shape: number[]; values: Float64Array } | { error: string } {
  const flat = flattenSuppliedTree(result, ctx.paths ?? [ctx.wrt], ctx.leaves!);
  return 'error' in flat ? flat : { shape: ctx.shape, values: flat.values };
}

function failed(base: { id: CheckId; tolerance: Tolerance; location: Supplied['location'] }, summary: string): Check {
  return { ...base, status: 'fail', maxAbsError: NaN, maxRelError: NaN, mismatches: [], mismatchCount: 0, summary };
}

/** A supplied derivative that cannot be judged: the engine failed against finite differences, which were sampled. */
export function inconclusiveCheck(id: CheckId, supplied: Supplied, tolerance: Tolerance, why: string): Check {
  return { id, tolerance, location: supplied.location, status: 'warn', maxAbsError: NaN, maxRelError: NaN, mismatches: [], mismatchCount: 0, summary: `${supplied.name} not judged: ${why}` };
}
