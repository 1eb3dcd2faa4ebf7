// The "missing or extra term" fit: supplied − engine is the derivative of one or two source lines' contributions to f.

import type { Explanation, ExplainInput } from './explain';
import type { ContributionGroup } from '../evaluator';
import { FIT_RESIDUAL, dot, near, norm, problemCounts, residual } from './fit';
import { formatNumber } from '../numbers';

type Meaning = [number, (line: string) => string];

/**
 * What each named coefficient c in supplied = engine + c·∂(line) says about the hand-written derivative: −1 missing,
 * +1 twice, −2 wrong sign, −½ half, and N − 1 or 1/N − 1 for one term summed where the loss takes its mean (or back).
 */
function meanings({ wrt, shape, otherShapes }: ExplainInput): Meaning[] {
  const fixed: Meaning[] = [
    [-1, (line) => `lacks the contribution of ${line}`],
    [1, (line) => `has the contribution of ${line} twice`],
    [-2, (line) => `has the contribution of ${line} with the wrong sign`],
    // d(½λw²)/dw = λw written as ½λw: the square's factor 2 dropped.
    [-0.5, (line) => `has half the contribution of ${line}`],
  ];
  const counts = problemCounts([{ name: wrt, shape }, ...(otherShapes ?? [])]);
  return [
    ...fixed,
    ...counts.map(({ N, what }): Meaning => [N - 1, (line) => `has the contribution of ${line} N = ${N} times (${what}): its sum where the loss takes its mean`]),
    ...counts.map(({ N, what }): Meaning => [1 / N - 1, (line) => `has 1/N of the contribution of ${line} (N = ${N}, ${what}): its mean where the loss takes its sum`]),
  ];
}

const QUOTE_MAX = 60;

function lineName(g: ContributionGroup): string {
  if (!g.text) return `line ${g.location.line}`;
  const text = g.text.length > QUOTE_MAX ? `${g.text.slice(0, QUOTE_MAX - 1)}…` : g.text;
  return `line ${g.location.line} (\`${text}\`)`;
}

/** "− ∇(line 14)", "+ 2·diag ∇²(line 9)". */
function term(c: number, g: ContributionGroup, hessian: boolean): string {
  const size = Math.abs(c);
  return `${c < 0 ? '−' : '+'} ${near(size, 1) ? '' : `${formatNumber(size)}·`}${hessian ? 'diag ∇²' : '∇'}(line ${g.location.line})`;
}

/**
 * One group, then (when no single group fits) two groups at once: least squares of d = s − t on the groups' derivatives,
 * accepted when the residual is small and every coefficient is a named one.
 */
export function lineFit(input: ExplainInput, scale: number): Explanation | undefined {
  const split = input.contributions?.();
  if (!split || 'skipped' in split) return undefined;
  const hessian = input.quantity === 'hessian-diagonal';
  const { truth: t, supplied: s } = input;
  const named = meanings(input);
  const meaningOf = (c: number) => named.find(([target]) => near(c, target));
  const d = s.map((v, i) => v - t[i]);
  const model = (g: ContributionGroup) => (hessian ? g.hessianDiagonal : g.gradient);
  // A line whose derivative is nil here says nothing; one whose derivative is all of f's would restate a constant factor.
  const groups = split.groups.filter((g) => norm(model(g)) > FIT_RESIDUAL * scale && residual(t, model(g), scale) > FIT_RESIDUAL);
  const fits: { parts: [ContributionGroup, number][]; res: number }[] = [];

  for (const g of groups) {
    const m = model(g);
    const c = dot(d, m) / dot(m, m);
    if (!meaningOf(c)) continue;
    const res = residual(s, t.map((v, i) => v + c * m[i]), scale);
    if (res <= FIT_RESIDUAL) fits.push({ parts: [[g, c]], res });
  }
  if (fits.length === 0) {
    for (let i = 0; i < groups.length; i++) {
      for (let j = i + 1; j < groups.length; j++) {
        const a = model(groups[i]), b = model(groups[j]);
        const aa = dot(a, a), ab = dot(a, b), bb = dot(b, b), ad = dot(a, d), bd = dot(b, d);
        const det = aa * bb - ab * ab;
        // Nearly parallel derivatives cannot be told apart: such a pair is no evidence.
        if (det <= 1e-12 * aa * bb) continue;
        const ca = (ad * bb - bd * ab) / det, cb = (bd * aa - ad * ab) / det;
        if (!meaningOf(ca) || !meaningOf(cb)) continue;
        const res = residual(s, t.map((v, k) => v + ca * a[k] + cb * b[k]), scale);
        if (res <= FIT_RESIDUAL) fits.push({ parts: [[groups[i], ca], [groups[j], cb]], res });
      }
    }
  }
  if (fits.length === 0) return undefined;

  const words = fits.map(({ parts }) => {
    const what = parts.map(([g, c]) => meaningOf(c)![1](lineName(g))).join(' and ');
    return `${what}: supplied = engine ${parts.map(([g, c]) => term(c, g, hessian)).join(' ')}`;
  });
  const [best] = fits;
  return {
    explanation: words[0],
    evidence: {
      fit: `engine + Σ c·${hessian ? 'diag ∇²' : '∇'}(line)`,
      lines: best.parts.map(([g]) => g.location.line).join(', '),
      coefficients: best.parts.map(([, c]) => formatNumber(c)).join(', '),
      residual: best.res,
      groups: split.groups.length,
    },
    location: best.parts[0][0].location,
    ...(words.length > 1 ? { alternatives: words.slice(1) } : {}),
  };
}
