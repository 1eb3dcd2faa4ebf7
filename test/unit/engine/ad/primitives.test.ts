// Every primitive: value, first and second derivatives against closed forms and against Richardson finite differences.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEvaluator } from '../../../../engine/ad/differentiate';
import { createSandboxGlobals } from '../../../../engine/ad/js/globals';
import { binary, unary, type Scalar } from '../../../../engine/ad/ops';
import type { BinaryOp, UnaryOp } from '../../../../engine/ad/primitives';
import { close, richardson } from '../../helpers/ad-fd';

const options = { hessianDiagonal: 'exact' as const, estimateProbes: 8, seed: 1 };

/** The engine's value, derivative and second derivative of g at x (through a recording, as users get them). */
function engine(g: (x: Scalar) => unknown, x: number): { value: number; d: number; dd: number; dAt: (t: number) => number } {
  const ev = createEvaluator({ fn: g as (...args: unknown[]) => unknown, params: [{ name: 'x', kind: 'number', value: x }], wrtIndex: 0, options });
  const r = ev.derivatives();
  return { value: r.value, d: r.gradient[0], dd: r.hessianDiagonal[0], dAt: (t) => ev.gradientAt(Float64Array.of(t))[0] };
}

/** value, first and second derivatives of g at each point against closed forms (1e-13) and Richardson differences (1e-8). */
function check(label: string, g: (x: Scalar) => unknown, f: (x: number) => number, d: (x: number) => number, dd: (x: number) => number, points: number[]): void {
  const problems: string[] = [];
  for (const x of points) {
    const e = engine(g, x);
    const h = 1e-3 * Math.max(1, Math.abs(x));
    const fd1 = richardson((t) => engine(g, t).value, x, h);
    const fd2 = richardson(e.dAt, x, h);
    for (const p of [
      close(e.value, f(x), 1e-14, 1e-300, `${label} value at ${x}`),
      close(e.d, d(x), 1e-13, 1e-300, `${label} d at ${x}`),
      close(e.dd, dd(x), 1e-13, 1e-300, `${label} d² at ${x}`),
      close(e.d, fd1, 1e-8, 1e-9, `${label} d vs FD at ${x}`),
      close(e.dd, fd2, 1e-8, 1e-9, `${label} d² vs FD at ${x}`),
    ]) {
      if (p) problems.push(p);
    }
  }
  assert.deepEqual(problems, []);
}

const checkUnary = (op: UnaryOp, f: (x: number) => number, d: (x: number) => number, dd: (x: number) => number, points: number[]) =>
  check(op, (x) => unary(op, x), f, d, dd, points);

/** A binary primitive along a line through (a, b): exercises both operands active (a + s·u, b + s·v), then each one alone. */
function checkBinary(op: BinaryOp, f: (a: number, b: number) => number, grad: (a: number, b: number) => [number, number], hess: (a: number, b: number) => [number, number, number], at: [number, number][]) {
  for (const [a, b] of at) {
    check(`${op}(x, ${b})`, (x) => binary(op, x, b), (x) => f(x, b), (x) => grad(x, b)[0], (x) => hess(x, b)[0], [a]);
    check(`${op}(${a}, x)`, (x) => binary(op, a, x), (x) => f(a, x), (x) => grad(a, x)[1], (x) => hess(a, x)[2], [b]);
    // Both active: s ↦ op(a + s, b − 2s) has second derivative φ_aa − 4φ_ab + 4φ_bb.
    const line = (s: number) => [a + s, b - 2 * s] as const;
    check(
      `${op}(a + s, b − 2s)`,
      (s) => binary(op, binary('add', a, s), binary('sub', b, binary('mul', 2, s))),
      (s) => f(...line(s)),
      (s) => grad(...line(s))[0] - 2 * grad(...line(s))[1],
      (s) => {
        const [haa, hab, hbb] = hess(...line(s));
        return haa - 4 * hab + 4 * hbb;
      },
      [0],
    );
  }
}

const general = [-1.3, 0.2, 1.7];
const positive = [0.4, 1.3, 3.1];
const unit = [-0.7, 0.1, 0.6];

test('unary primitives', () => {
  checkUnary('neg', (x) => -x, () => -1, () => 0, general);
  checkUnary('exp', Math.exp, Math.exp, Math.exp, general);
  checkUnary('log', Math.log, (x) => 1 / x, (x) => -1 / x ** 2, positive);
  checkUnary('log1p', Math.log1p, (x) => 1 / (1 + x), (x) => -1 / (1 + x) ** 2, [-0.5, 0.3, 2]);
  checkUnary('expm1', Math.expm1, Math.exp, Math.exp, general);
  checkUnary('log2', Math.log2, (x) => 1 / (x * Math.log(2)), (x) => -1 / (x * x * Math.log(2)), positive);
  checkUnary('log10', Math.log10, (x) => 1 / (x * Math.log(10)), (x) => -1 / (x * x * Math.log(10)), positive);
  checkUnary('sqrt', Math.sqrt, (x) => 0.5 / Math.sqrt(x), (x) => -0.25 * x ** -1.5, positive);
  checkUnary('cbrt', Math.cbrt, (x) => 1 / (3 * Math.cbrt(x) ** 2), (x) => (-2 / 9) / Math.cbrt(x) ** 5, [-2, ...positive]);
  checkUnary('abs', Math.abs, Math.sign, () => 0, [-1.5, 0.7]);
  checkUnary('sin', Math.sin, Math.cos, (x) => -Math.sin(x), general);
  checkUnary('cos', Math.cos, (x) => -Math.sin(x), (x) => -Math.cos(x), general);
  checkUnary('tan', Math.tan, (x) => 1 / Math.cos(x) ** 2, (x) => (2 * Math.sin(x)) / Math.cos(x) ** 3, [-1, 0.3, 1.2]);
  checkUnary('asin', Math.asin, (x) => 1 / Math.sqrt(1 - x * x), (x) => x * (1 - x * x) ** -1.5, unit);
  checkUnary('acos', Math.acos, (x) => -1 / Math.sqrt(1 - x * x), (x) => -x * (1 - x * x) ** -1.5, unit);
  checkUnary('atan', Math.atan, (x) => 1 / (1 + x * x), (x) => (-2 * x) / (1 + x * x) ** 2, general);
  checkUnary('sinh', Math.sinh, Math.cosh, Math.sinh, general);
  checkUnary('cosh', Math.cosh, Math.sinh, Math.cosh, general);
  checkUnary('tanh', Math.tanh, (x) => 1 / Math.cosh(x) ** 2, (x) => (-2 * Math.sinh(x)) / Math.cosh(x) ** 3, general);
  checkUnary('asinh', Math.asinh, (x) => 1 / Math.sqrt(x * x + 1), (x) => -x * (x * x + 1) ** -1.5, general);
  checkUnary('acosh', Math.acosh, (x) => 1 / Math.sqrt(x * x - 1), (x) => -x * (x * x - 1) ** -1.5, [1.3, 2, 4]);
  checkUnary('atanh', Math.atanh, (x) => 1 / (1 - x * x), (x) => (2 * x) / (1 - x * x) ** 2, unit);
  for (const op of ['sign', 'floor', 'ceil', 'round', 'trunc'] as const) checkUnary(op, Math[op], () => 0, () => 0, [-1.3, 0.4, 2.7]);
});

test('binary primitives, each operand active alone and both together', () => {
  checkBinary('add', (a, b) => a + b, () => [1, 1], () => [0, 0, 0], [[0.3, -1.2]]);
  checkBinary('sub', (a, b) => a - b, () => [1, -1], () => [0, 0, 0], [[0.3, -1.2]]);
  checkBinary('mul', (a, b) => a * b, (a, b) => [b, a], () => [0, 1, 0], [[0.3, -1.2], [2, 5]]);
  checkBinary('div', (a, b) => a / b, (a, b) => [1 / b, -a / b ** 2], (a, b) => [0, -1 / b ** 2, (2 * a) / b ** 3], [[0.3, -1.2], [2, 5]]);
  checkBinary('pow', (a, b) => a ** b, (a, b) => [b * a ** (b - 1), a ** b * Math.log(a)], (a, b) => [b * (b - 1) * a ** (b - 2), a ** (b - 1) * (1 + b * Math.log(a)), a ** b * Math.log(a) ** 2], [[1.7, 2.3], [0.6, -1.4]]);
  checkBinary('mod', (a, b) => a % b, (a, b) => [1, -Math.trunc(a / b)], () => [0, 0, 0], [[5.3, 2.1], [-7.4, 3]]);
  const r2 = (a: number, b: number) => a * a + b * b;
  checkBinary('atan2', Math.atan2, (a, b) => [b / r2(a, b), -a / r2(a, b)], (a, b) => [(-2 * a * b) / r2(a, b) ** 2, (a * a - b * b) / r2(a, b) ** 2, (2 * a * b) / r2(a, b) ** 2], [[0.7, 1.9], [-1.1, -0.4]]);
  const h = Math.hypot;
  checkBinary('hypot', h, (a, b) => [a / h(a, b), b / h(a, b)], (a, b) => [b ** 2 / h(a, b) ** 3, (-a * b) / h(a, b) ** 3, a ** 2 / h(a, b) ** 3], [[0.7, -1.9]]);
  checkBinary('max', Math.max, (a, b) => (a > b ? [1, 0] : [0, 1]), () => [0, 0, 0], [[0.7, -1.9], [-3, 2]]);
  checkBinary('min', Math.min, (a, b) => (a < b ? [1, 0] : [0, 1]), () => [0, 0, 0], [[0.7, -1.9], [-3, 2]]);
});

test('pow with a constant exponent: squares at 0, negative bases with integer exponents, roots; constant base 2**x', () => {
  checkUnaryPow(2, [-1.5, 0, 0.8], (x) => 2 * x, () => 2);
  checkUnaryPow(3, [-1.5, -0.2, 0.8], (x) => 3 * x * x, (x) => 6 * x);
  checkUnaryPow(-2, [-1.5, 0.8], (x) => -2 * x ** -3, (x) => 6 * x ** -4);
  checkUnaryPow(0.5, [0.3, 2], (x) => 0.5 * x ** -0.5, (x) => -0.25 * x ** -1.5);
  check('2 ** x', (x) => binary('pow', 2, x), (x) => 2 ** x, (x) => 2 ** x * Math.LN2, (x) => 2 ** x * Math.LN2 ** 2, [-1, 0, 2.5]);
});

function checkUnaryPow(p: number, points: number[], d: (x: number) => number, dd: (x: number) => number): void {
  check(`x ** ${p}`, (x) => binary('pow', x, p), (x) => x ** p, d, dd, points);
}

test('x * x with both operands the same node', () => {
  check('x * x', (x) => binary('mul', x, x), (x) => x * x, (x) => 2 * x, () => 2, [-0.8, 1.9]);
  check('x / x', (x) => binary('div', x, x), () => 1, () => 0, () => 0, [0.8]);
});

test('conventions at kinks: finite partials, and the path through a smooth argument is kept', () => {
  const M = createSandboxGlobals().Math;
  // hypot(x, 0.3 + x²) = 0.3 + (8/3)x² + O(x⁴) at 0: Math.hypot's fold must not pass x through |x|.
  check('Math.hypot(x, 0.3 + x²)', (x) => M.hypot(x as number, binary('add', 0.3, binary('mul', x, x)) as number), (x) => Math.hypot(x, 0.3 + x * x), (x) => (x + 2 * x * (0.3 + x * x)) / Math.hypot(x, 0.3 + x * x), () => 16 / 3, [0]);
  // atan2 at the origin and |x| at 0: every partial 0 (a subgradient), never NaN.
  check('atan2(x − x, x − x)', (x) => binary('atan2', binary('sub', x, x), binary('sub', x, x)), () => 0, () => 0, () => 0, [0.7]);
  check('|x − x|', (x) => unary('abs', binary('sub', x, x)), () => 0, () => 0, () => 0, [0.7]);
});
