// Explanations of a wrong hand-written derivative: least-squares fits of known mistakes, each reported with its evidence.
//
// Each candidate model m (−t, c·t, tᵀ, H·1, t + α(H·1 − t), ∂f/∂other, t + c, a permutation of t, t + c·∇(one source
// line)) is accepted only when the supplied s fits it with a relative residual ‖s − m‖/max(‖s‖, ‖t‖) ≤ FIT_RESIDUAL: an
// explanation is a measured fit, never a guess. Only called for failed checks, so a correct derivative never gets one;
// and when s is itself that close to t, no model is tried (any would fit). Models are tried simplest first: the first
// that fits is the explanation, the others that fit too are its alternatives.

import type { SourceLocation } from '../types';
import type { Contributions } from '../evaluator';
import { lineFit } from './explain-lines';
import { permutation } from './explain-permutation';
import { FIT_RESIDUAL, dot, near, norm, problemCounts, residual } from './fit';
import { formatNumber } from '../numbers';
import { formatEntry, multiIndex } from '../shape';
import { entryName, type LeafSlot } from '../tree';

const MAX_NAMED_ENTRIES = 10;

export interface ExplainInput {
  quantity: 'gradient' | 'hessian-diagonal';
  wrt: string;
  shape: number[];
  /** For a tree or several paths: where each leaf sits in the flat values. */
  leaves?: LeafSlot[];
  /** The engine's values (the truth), flat row-major. */
  truth: Float64Array;
  /** The supplied values, flat row-major in the order they were returned (same count as truth). */
  supplied: Float64Array;
  /** Flat positions of the entries that failed the comparison. */
  failing: number[];
  /** H·1 at x0, computed on demand (one Hessian-vector product). */
  rowSums?: () => Float64Array;
  /** The gradients with respect to the other parameters of the same size, computed on demand. */
  otherGradients?: () => { name: string; gradient: Float64Array }[];
  /** The other parameters' shapes: a factor equal to one of their sizes is a sum taken for a mean. */
  otherShapes?: { name: string; shape: number[] }[];
  /** f split by source line, computed on demand (one extra recording). */
  contributions?: () => Contributions;
}

export interface Explanation {
  explanation: string;
  evidence: Record<string, number | string>;
  /** Other fits of the same numbers, less simple. */
  alternatives?: string[];
  /** The source line the explanation names. */
  location?: SourceLocation;
}

/** The simplest fit that the numbers support, with the other fits as alternatives; else the wrong entries, if not all. */
export function explain(given: ExplainInput): Explanation | undefined {
  // Several models read H·1, the other gradients and the split by line: each is computed once.
  const input = { ...given, rowSums: once(given.rowSums), otherGradients: once(given.otherGradients), contributions: once(given.contributions) };
  const perLeaf = oneLeaf(input);
  if (perLeaf) return perLeaf;
  const { truth: t, supplied: s, quantity } = input;
  const scale = Math.max(norm(s), norm(t));
  if (residual(s, t, scale) <= FIT_RESIDUAL) return someEntries(input);
  const hessian = quantity === 'hessian-diagonal';
  const models: (() => Explanation | undefined)[] = [
    () => transposed(input, scale),
    () => (hessian ? rowSums(input, scale) : undefined),
    () => (hessian ? undefined : wrongArgument(input, scale)),
    () => constantFactor(input, scale),
    () => offset(input, scale),
    () => permutation(input, scale),
    () => lineFit(input, scale),
    () => (hessian ? offDiagonalMass(input, scale) : undefined),
  ];
  const fits = models.map((m) => m()).filter((e): e is Explanation => e !== undefined);
  if (fits.length === 0) {
    const byLine = input.contributions?.();
    const found = someEntries(input);
    if (!byLine || !('skipped' in byLine)) return found;
    const why = `no line-by-line fit: ${byLine.skipped}`;
    return found ? { ...found, explanation: `${found.explanation} (${why})` } : { explanation: `no known mistake fits the numbers (${why})`, evidence: { byLine: byLine.skipped } };
  }
  const [best, ...others] = fits;
  const alternatives = [...(best.alternatives ?? []), ...others.map((e) => e.explanation)].filter((a, i, all) => a !== best.explanation && all.indexOf(a) === i);
  return alternatives.length > 0 ? { ...best, alternatives } : best;
}

function once<T>(compute: (() => T) | undefined): (() => T) | undefined {
  if (!compute) return undefined;
  let done = false, value: T;
  return () => (done ? value! : ((done = true), (value = compute())));
}

function transposed({ shape, truth, supplied }: ExplainInput, scale: number): Explanation | undefined {
  if (shape.length !== 2 || shape[0] === 1 || shape[1] === 1) return undefined;
  const [r, c] = shape;
  const tt = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) tt[j * r + i] = truth[i * c + j];
  const res = residual(supplied, tt, scale);
  if (res > FIT_RESIDUAL) return undefined;
  return {
    explanation: `transposed: the values are right but laid out as ${c}×${r} (entry [j][i] holds [i][j]); transpose the result`,
    evidence: { fit: 'transpose', residual: res },
  };
}

function rowSums({ rowSums: compute, supplied }: ExplainInput, scale: number): Explanation | undefined {
  if (!compute) return undefined;
  const r = compute();
  const res = residual(supplied, r, scale);
  if (res > FIT_RESIDUAL) return undefined;
  const largest = r.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const vanish = largest <= FIT_RESIDUAL * scale;
  return {
    explanation:
      "these are the Hessian's row sums (H·1), not its diagonal: differentiating the gradient 'elementwise' sums each row" +
      (vanish ? `; here they vanish (max |H·1| = ${formatNumber(largest)}), as they do for softmax, which is shift-invariant` : ''),
    evidence: { fit: 'H·1', residual: res, maxAbsRowSum: largest },
  };
}

function wrongArgument({ otherGradients, supplied, wrt }: ExplainInput, scale: number): Explanation | undefined {
  for (const { name, gradient } of otherGradients?.() ?? []) {
    const res = residual(supplied, gradient, Math.max(scale, norm(gradient)));
    if (res <= FIT_RESIDUAL) {
      return {
        explanation: `this is the gradient with respect to ${name}, not ${wrt}`,
        evidence: { fit: `∂f/∂${name}`, residual: res },
      };
    }
  }
  return undefined;
}

function constantFactor(input: ExplainInput, scale: number): Explanation | undefined {
  const { truth: t, supplied: s, quantity } = input;
  const tt = dot(t, t);
  if (tt === 0) return undefined;
  const c = dot(s, t) / tt;
  const res = residual(s, t.map((v) => c * v), scale);
  if (res > FIT_RESIDUAL || near(c, 1)) return undefined;
  const what = quantity === 'gradient' ? 'gradient' : 'diagonal';
  const evidence = { fit: 'c·truth', factor: c, residual: res };
  const mean = sumVersusMean(input, c);
  let explanation: string;
  if (near(c, -1)) explanation = `opposite sign: every entry is −1× the true ${what}`;
  else if (near(c, 2))
    explanation =
      quantity === 'hessian-diagonal'
        ? "2× the true diagonal — XGBoost's softmax 'hessian' 2p(1−p) is a documented upper bound, not the diagonal"
        : '2× the true gradient: a factor 2 too many';
  else if (near(c, 0.5)) explanation = `half the true ${what}: missing factor 2 (as in d(x²)/dx = 2x)`;
  else if (Math.abs(c) <= FIT_RESIDUAL) explanation = `the values are all (nearly) zero while the true ${what} is not`;
  else if (mean) return { explanation: mean.text, evidence: { ...evidence, N: mean.N, counts: mean.counts } };
  else explanation = `a constant factor: every entry is ${formatNumber(c)}× the true ${what} (a missing chain-rule factor or scaling, e.g. a 1/n of a mean)`;
  return { explanation, evidence, ...(mean ? { alternatives: [mean.text] } : {}) };
}

/** A factor N or 1/N, with N a count of the problem (entries, rows or columns of a parameter): a sum taken for a mean or back. */
function sumVersusMean({ wrt, shape, otherShapes, quantity }: ExplainInput, c: number): { N: number; counts: string; text: string } | undefined {
  const what = quantity === 'gradient' ? 'gradient' : 'Hessian diagonal';
  for (const { N, what: counts_ } of problemCounts([{ name: wrt, shape }, ...(otherShapes ?? [])])) {
    if (near(c, N)) return { N, counts: counts_, text: `a factor of N = ${N} (${counts_}): the ${what} of the sum, but the loss is the mean` };
    if (near(c, 1 / N)) return { N, counts: counts_, text: `a factor of 1/N with N = ${N} (${counts_}): the ${what} of the mean, but the loss is the sum` };
  }
  return undefined;
}

/** s = t + c, or + a constant per row or per column of a matrix. */
function offset({ truth: t, supplied: s, shape, quantity, wrt }: ExplainInput, scale: number): Explanation | undefined {
  const d = s.map((v, i) => v - t[i]);
  const fitted = (constantOf: (i: number) => number) => residual(s, t.map((v, i) => v + constantOf(i)), scale);
  const c = d.reduce((a, b) => a + b, 0) / d.length;
  const res = fitted(() => c);
  if (res <= FIT_RESIDUAL) {
    const size = formatNumber(Math.abs(c));
    const hint =
      quantity === 'hessian-diagonal'
        ? c > 0 ? 'a damping or regularisation constant added to the Hessian?' : `the curvature of a term (${size}/2)·Σ${wrt}² that the diagonal lacks?`
        : c > 0 ? `the gradient of a linear term ${size}·Σ${wrt} that the loss does not have?` : `the loss has a linear term ${size}·Σ${wrt} that the gradient lacks?`;
    return { explanation: `every entry is ${size} too ${c > 0 ? 'large' : 'small'}: ${hint}`, evidence: { fit: 'truth + c', offset: c, residual: res } };
  }
  if (shape.length !== 2 || shape[0] < 2 || shape[1] < 2) return undefined;
  const [r, k] = shape;
  for (const [along, count, len, at] of [
    ['row', r, k, (g: number, j: number) => g * k + j],
    ['column', k, r, (g: number, j: number) => j * k + g],
  ] as const) {
    const per = new Float64Array(count);
    for (let g = 0; g < count; g++) for (let j = 0; j < len; j++) per[g] += d[at(g, j)] / len;
    const resPer = fitted((i) => per[along === 'row' ? Math.floor(i / k) : i % k]);
    // Some rows off and the others right is "only these rows are wrong" (below), not a constant per row.
    if (resPer > FIT_RESIDUAL || per.some((v) => Math.abs(v) <= FIT_RESIDUAL * scale)) continue;
    const listedOffsets = Array.from(per.slice(0, 4), (v, g) => `${along} ${g}: ${v >= 0 ? '+' : '−'}${formatNumber(Math.abs(v))}`).join(', ');
    return {
      explanation: `each ${along} is off by its own constant (${listedOffsets}${count > 4 ? ', …' : ''}): supplied = engine + a constant per ${along}`,
      evidence: { fit: `truth + c per ${along}`, offsets: Array.from(per.slice(0, MAX_NAMED_ENTRIES), (v) => formatNumber(v)).join(', ') + (count > MAX_NAMED_ENTRIES ? ', …' : ''), residual: resPer },
    };
  }
  return undefined;
}

function offDiagonalMass({ rowSums: compute, truth: t, supplied: s }: ExplainInput, scale: number): Explanation | undefined {
  if (!compute) return undefined;
  const r = compute();
  const mass = r.map((v, i) => v - t[i]);
  const mm = dot(mass, mass);
  if (mm <= (FIT_RESIDUAL * scale) ** 2) return undefined;
  const added = s.map((v, i) => v - t[i]);
  const alpha = dot(added, mass) / mm;
  const res = residual(s, t.map((v, i) => v + alpha * mass[i]), scale);
  if (res > FIT_RESIDUAL) return undefined;
  return {
    explanation: `the diagonal is right but ${formatNumber(alpha)}× the off-diagonal row mass Σ_{j≠i} H_ij is added to each entry: off-diagonal terms of the Hessian leaked in`,
    evidence: { fit: 'diag + α·(H·1 − diag)', alpha, residual: res },
  };
}

/** When every wrong entry is in one leaf of a tree: that leaf, explained on its own (transposed, a factor, ...). */
function oneLeaf(input: ExplainInput): Explanation | undefined {
  const { leaves, failing } = input;
  if (!leaves || failing.length === 0) return undefined;
  const leaf = leaves.find((l) => failing[0] >= l.offset && failing[0] < l.offset + l.size)!;
  if (!failing.every((k) => k >= leaf.offset && k < leaf.offset + leaf.size)) return undefined;
  const part = (v: Float64Array) => v.subarray(leaf.offset, leaf.offset + leaf.size);
  const { rowSums, contributions } = input;
  // The split by line, restricted to this leaf: a term of f that only this leaf's derivative gets wrong.
  const leafContributions = contributions && ((): Contributions => {
    const split = contributions();
    return 'skipped' in split ? split : { groups: split.groups.map((g) => ({ ...g, gradient: part(g.gradient), hessianDiagonal: part(g.hessianDiagonal) })) };
  });
  const inner = explain({
    quantity: input.quantity,
    wrt: leaf.path,
    shape: leaf.shape,
    truth: part(input.truth),
    supplied: part(input.supplied),
    failing: failing.map((k) => k - leaf.offset),
    ...(input.otherShapes ? { otherShapes: input.otherShapes } : {}),
    ...(rowSums ? { rowSums: () => part(rowSums()) } : {}),
    ...(leafContributions ? { contributions: leafContributions } : {}),
  });
  const evidence = { ...inner?.evidence, leaf: leaf.path };
  if (inner) return { ...inner, explanation: `only ${leaf.path} is wrong: ${inner.explanation}`, evidence };
  return failing.length === leaf.size && leaves.length > 1
    ? { explanation: `only ${leaf.path} is wrong (every entry); the other leaves match`, evidence }
    : undefined;
}

/** Lists the wrong entries, as whole rows or columns when that is what they are. */
function someEntries({ failing, shape, wrt, truth , leaves }: ExplainInput): Explanation | undefined {
  const n = truth.length;
  if (failing.length === 0 || failing.length === n) return undefined;
  const evidence = { wrongEntries: failing.length, entries: n };
  if (shape.length === 2) {
    const [r, c] = shape;
    const wrong = new Set(failing);
    const grouped = (count: number, len: number, at: (g: number, k: number) => number) => {
      const full: number[] = [];
      for (let g = 0; g < count; g++) {
        let all = true;
        for (let k = 0; k < len && all; k++) all = wrong.has(at(g, k));
        if (all) full.push(g);
      }
      return full.length * len === failing.length ? full : undefined;
    };
    const rows = grouped(r, c, (i, j) => i * c + j);
    if (rows) return { explanation: `only ${plural(rows.length, 'row')} ${listed(rows)} of ${wrt} ${rows.length === 1 ? 'is' : 'are'} wrong (every entry); the other rows match`, evidence };
    const cols = grouped(c, r, (j, i) => i * c + j);
    if (cols) return { explanation: `only ${plural(cols.length, 'column')} ${listed(cols)} of ${wrt} ${cols.length === 1 ? 'is' : 'are'} wrong (every entry); the other columns match`, evidence };
  }
  const sorted = [...failing].sort((a, b) => a - b);
  const names = sorted.slice(0, MAX_NAMED_ENTRIES).map((i) => entryName({ wrt, shape, leaves }, i));
  const more = sorted.length > MAX_NAMED_ENTRIES ? ` and ${sorted.length - MAX_NAMED_ENTRIES} more` : '';
  return { explanation: `only some entries are wrong (${failing.length} of ${n}): ${names.join(', ')}${more}; the others match`, evidence };
}

const plural = (k: number, word: string) => (k === 1 ? word : `${word}s`);
const listed = (xs: number[]) => (xs.length <= MAX_NAMED_ENTRIES ? xs.join(', ') : `${xs.slice(0, MAX_NAMED_ENTRIES).join(', ')} and ${xs.length - MAX_NAMED_ENTRIES} more`);

/** Gradient-boosting libraries need hess > 0: a supplied objective hessian with entries ≤ 0 gets a warning. */
export function nonPositiveHessianWarning(values: Float64Array, wrt: string, shape: number[]): string | undefined {
  let count = 0, smallest = Infinity, at = -1;
  values.forEach((v, i) => {
    if (v <= 0) count++;
    if (v < smallest) (smallest = v), (at = i);
  });
  if (count === 0) return undefined;
  return `${count} of ${values.length} hessian entries are ≤ 0 (smallest ${formatNumber(smallest)} at ${formatEntry(wrt, multiIndex(shape, at))}): boosting clips or stops splitting there`;
}
