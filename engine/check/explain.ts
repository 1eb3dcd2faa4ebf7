// Explanations of a wrong hand-written derivative: least-squares fits of known mistakes, each reported with its evidence.
//
// Each candidate model m (−t, c·t, tᵀ, H·1, t + α(H·1 − t), ∂f/∂other) is accepted only when the supplied s fits it
// with a relative residual ‖s − m‖/max(‖s‖, ‖t‖) ≤ FIT_RESIDUAL: an explanation is a measured fit, never a guess.
// Only called for failed checks, so a correct derivative never gets one.

import { formatEntry, multiIndex } from './shape';

/** Largest relative residual of an accepted fit: far above float64 rounding, far below any real mistake. */
const FIT_RESIDUAL = 1e-6;
/** How close a fitted factor must be to a named one (−1, 2, ½) to be called by that name. */
const FACTOR_MATCH = 1e-6;
const MAX_NAMED_ENTRIES = 10;

export interface ExplainInput {
  quantity: 'gradient' | 'hessian-diagonal';
  wrt: string;
  shape: number[];
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
}

export interface Explanation {
  explanation: string;
  evidence: Record<string, number | string>;
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};
const norm = (a: ArrayLike<number>) => Math.sqrt(dot(a, a));

function residual(s: Float64Array, model: ArrayLike<number>, scale: number): number {
  let sq = 0;
  for (let i = 0; i < s.length; i++) sq += (s[i] - model[i]) ** 2;
  return scale > 0 ? Math.sqrt(sq) / scale : Math.sqrt(sq) === 0 ? 0 : Infinity;
}

const short = (x: number) => Number(x.toPrecision(4)).toString();

/** The first fit that the numbers support, or undefined when none does. */
export function explain(input: ExplainInput): Explanation | undefined {
  const { truth: t, supplied: s } = input;
  const scale = Math.max(norm(s), norm(t));
  return (
    transposed(input, scale) ??
    (input.quantity === 'hessian-diagonal' ? rowSums(input, scale) : undefined) ??
    (input.quantity === 'gradient' ? wrongArgument(input, scale) : undefined) ??
    constantFactor(input, scale) ??
    (input.quantity === 'hessian-diagonal' ? offDiagonalMass(input, scale) : undefined) ??
    someEntries(input)
  );
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
      (vanish ? `; here they vanish (max |H·1| = ${short(largest)}), as they do for softmax, which is shift-invariant` : ''),
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

function constantFactor({ truth: t, supplied: s, quantity }: ExplainInput, scale: number): Explanation | undefined {
  const tt = dot(t, t);
  if (tt === 0) return undefined;
  const c = dot(s, t) / tt;
  const res = residual(s, t.map((v) => c * v), scale);
  if (res > FIT_RESIDUAL || Math.abs(c - 1) <= FACTOR_MATCH) return undefined;
  const what = quantity === 'gradient' ? 'gradient' : 'diagonal';
  const near = (target: number) => Math.abs(c - target) <= FACTOR_MATCH * Math.abs(target);
  let explanation: string;
  if (near(-1)) explanation = `opposite sign: every entry is −1× the true ${what}`;
  else if (near(2))
    explanation =
      quantity === 'hessian-diagonal'
        ? "2× the true diagonal — XGBoost's softmax 'hessian' 2p(1−p) is a documented upper bound, not the diagonal"
        : '2× the true gradient: a factor 2 too many';
  else if (near(0.5)) explanation = `half the true ${what}: missing factor 2 (as in d(x²)/dx = 2x)`;
  else if (Math.abs(c) <= FIT_RESIDUAL) explanation = `the values are all (nearly) zero while the true ${what} is not`;
  else explanation = `a constant factor: every entry is ${short(c)}× the true ${what} (a missing chain-rule factor or scaling, e.g. a 1/n of a mean)`;
  return { explanation, evidence: { fit: 'c·truth', factor: c, residual: res } };
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
    explanation: `the diagonal is right but ${short(alpha)}× the off-diagonal row mass Σ_{j≠i} H_ij is added to each entry: off-diagonal terms of the Hessian leaked in`,
    evidence: { fit: 'diag + α·(H·1 − diag)', alpha, residual: res },
  };
}

/** Lists the wrong entries, as whole rows or columns when that is what they are. */
function someEntries({ failing, shape, wrt, truth }: ExplainInput): Explanation | undefined {
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
  const names = sorted.slice(0, MAX_NAMED_ENTRIES).map((i) => formatEntry(wrt, multiIndex(i, shape)));
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
  return `${count} of ${values.length} hessian entries are ≤ 0 (smallest ${short(smallest)} at ${formatEntry(wrt, multiIndex(at, shape))}): boosting clips or stops splitting there`;
}
