// Seeded random programs written as the rewriter emits them (__ad operators, sandbox Math), and their differential check.
//
// A program is a list of statements defining v0, v1, ... from the inputs, earlier values and constants, with loops
// over the inputs, accumulations, branches on values and reuse of intermediates. Every operation runs on a safe
// domain. Each branch and each operation with a kink (abs, min/max, floor, %, ...) records which side it took in a
// trace: a finite difference whose points take another side than x0 crossed a kink and is not compared.
// Some statements are plain JavaScript that the rewriter turns into __ad calls (the whole program goes through it):
// truthiness of active zeros, || && ?: and !, switch, typed arrays of both widths, default and optional parameters,
// Math.random and console calls. The engine's value must equal the plain evaluation's exactly.

import { createEvaluator, type ADEvaluator } from '../../../engine/ad/differentiate';
import { createSandboxGlobals } from '../../../engine/ad/js/globals';
import { runtime } from '../../../engine/ad/runtime';
import { rewriteOperators } from '../../../engine/load/rewrite';
import { seededUniform } from '../../../engine/random';

/** A positive expression of v: the argument of log, sqrt, acosh, ... */
const positive = (v: string, c = '1.5') => `__ad.add(${c}, __ad.mul(${v}, ${v}))`;
const squashed = (v: string) => `__ad.mul(0.9, Math.tanh(${v}))`;

/** Operation templates over operand names; `trace` is what decides the piece (kinks and jumps). */
const unaryTemplates: ((v: string) => { expr: string; trace?: string })[] = [
  (v) => ({ expr: `__ad.neg(${v})` }),
  (v) => ({ expr: `Math.exp(${squashed(v)})` }),
  (v) => ({ expr: `Math.exp(${v})` }),
  (v) => ({ expr: `Math.log(${positive(v)})` }),
  (v) => ({ expr: `Math.log1p(${positive(v, '0.2')})` }),
  (v) => ({ expr: `Math.expm1(${squashed(v)})` }),
  (v) => ({ expr: `Math.log2(${positive(v)})` }),
  (v) => ({ expr: `Math.log10(${positive(v)})` }),
  (v) => ({ expr: `Math.sqrt(${positive(v, '0.5')})` }),
  (v) => ({ expr: `Math.cbrt(__ad.neg(${positive(v)}))` }),
  (v) => ({ expr: `Math.abs(${v})`, trace: `${v} > 0` }),
  (v) => ({ expr: `Math.sin(${v})` }),
  (v) => ({ expr: `Math.cos(${v})` }),
  (v) => ({ expr: `Math.tan(${squashed(v)})` }),
  (v) => ({ expr: `Math.asin(${squashed(v)})` }),
  (v) => ({ expr: `Math.acos(${squashed(v)})` }),
  (v) => ({ expr: `Math.atan(${v})` }),
  (v) => ({ expr: `Math.sinh(${squashed(v)})` }),
  (v) => ({ expr: `Math.cosh(${squashed(v)})` }),
  (v) => ({ expr: `Math.tanh(${v})` }),
  (v) => ({ expr: `Math.asinh(${v})` }),
  (v) => ({ expr: `Math.acosh(${positive(v, '1.2')})` }),
  (v) => ({ expr: `Math.atanh(${squashed(v)})` }),
  (v) => ({ expr: `__ad.pow(${v}, 2)` }),
  (v) => ({ expr: `__ad.pow(${v}, 3)` }),
  (v) => ({ expr: `__ad.pow(${positive(v)}, -1.5)` }),
  (v) => ({ expr: `__ad.pow(${positive(v)}, 0.5)` }),
  (v) => ({ expr: `__ad.pow(2, ${squashed(v)})` }),
  (v) => ({ expr: `__ad.mul(${v}, ${v})` }),
  (v) => ({ expr: `__ad.div(1, ${positive(v)})` }),
  (v) => ({ expr: `__ad.add(${v}, __ad.mul(0.5, Math.floor(${v})))`, trace: `Math.floor(${v})` }),
  (v) => ({ expr: `__ad.mul(${v}, Math.sign(${v}))`, trace: `Math.sign(${v})` }),
  (v) => ({ expr: `__ad.sub(${v}, Math.round(${v}))`, trace: `Math.round(${v})` }),
  (v) => ({ expr: `__ad.add(Math.trunc(${v}), Math.ceil(${v}))`, trace: `Math.trunc(${v}) + 10 * Math.ceil(${v})` }),
];

const binaryTemplates: ((a: string, b: string) => { expr: string; trace?: string })[] = [
  (a, b) => ({ expr: `__ad.add(${a}, ${b})` }),
  (a, b) => ({ expr: `__ad.sub(${a}, ${b})` }),
  (a, b) => ({ expr: `__ad.mul(${a}, ${b})` }),
  (a, b) => ({ expr: `__ad.div(${a}, ${positive(b, '0.8')})` }),
  (a, b) => ({ expr: `__ad.div(${a}, __ad.add(2, Math.sin(${b})))` }),
  (a, b) => ({ expr: `__ad.pow(${positive(a, '0.7')}, ${squashed(b)})` }),
  (a, b) => ({ expr: `Math.pow(${positive(a)}, __ad.mul(0.5, Math.cos(${b})))` }),
  (a, b) => ({ expr: `__ad.mod(${a}, __ad.add(1.3, Math.sin(${b})))`, trace: `Math.trunc(${a} / (1.3 + Math.sin(${b})))` }),
  (a, b) => ({ expr: `Math.atan2(${a}, ${positive(b, '0.6')})` }),
  (a, b) => ({ expr: `Math.atan2(${a}, ${b})`, trace: `${a} > 0 || ${b} > 0` }),
  (a, b) => ({ expr: `Math.hypot(${a}, ${positive(b, '0.3')})` }),
  (a, b) => ({ expr: `Math.hypot(${a}, ${b}, 0.4)` }),
  (a, b) => ({ expr: `Math.max(${a}, ${b})`, trace: `${a} > ${b}` }),
  (a, b) => ({ expr: `Math.min(${a}, ${b})`, trace: `${a} < ${b}` }),
  (a, b) => ({ expr: `Math.max(${a}, ${b}, -0.3)`, trace: `(${a} > ${b}) + 2 * (${a} > -0.3) + 4 * (${b} > -0.3)` }),
];

export interface Program {
  source: string;
  n: number;
  x0: Float64Array;
  /** Stores into a Float32Array: rounding (taken as the identity) makes finite differences meaningless at the fuzz's tolerance. */
  float32: boolean;
}

/**
 * Statements in plain JavaScript that observe active values (`a`, `b` operands, `v` the target): truthiness of an
 * active zero, the logical operators' chosen operand, switch, typed arrays, the default and optional parameters
 * (`s = 1.5`, `o?`), Math.random and console. Each leaves v differentiable away from kinks.
 */
const observingTemplates: ((a: string, b: string, v: string) => { lines: string[]; float32?: true })[] = [
  (a, b, v) => ({ lines: [`const z${v} = ${a} - ${a};`, `let ${v};`, `if (z${v}) ${v} = 100 * ${b}; else ${v} = ${a} * ${b};`] }),
  (a, b, v) => ({ lines: [`const z${v} = ${a} - ${a};`, `const ${v} = (z${v} || ${b}) + (${a} && z${v}) + (z${v} ?? 3) * ${a};`] }),
  (a, b, v) => ({ lines: [`const z${v} = ${b} * 0;`, `const ${v} = !z${v} ? ${a} * ${a} : ${b};`] }),
  (a, b, v) => ({ lines: [`const z${v} = ${a} - ${a};`, `let ${v} = z${v};`, `${v} ||= ${b} * s;`, `${v} &&= ${v} + (o ?? 0.25);`] }),
  (a, b, v) => ({
    lines: [`let ${v};`, `switch (__t(Math.sign(${a}))) {`, `  case 1: ${v} = ${a} * ${b}; break;`, `  case -1: ${v} = ${a} - ${b}; break;`, `  default: ${v} = ${b};`, `}`],
  }),
  (a, b, v) => ({ lines: [`const f${v} = new Float64Array([${a}, ${b}]);`, `f${v}[1] *= f${v}[0];`, `const ${v} = f${v}[0] + f${v}[1];`] }),
  (a, b, v) => ({ lines: [`const f${v} = new Float32Array(2);`, `f${v}[0] = ${a};`, `f${v}[1] = ${b} * 0.1;`, `const ${v} = f${v}[0] * f${v}[1];`], float32: true }),
  (a, b, v) => ({ lines: [`const ${v} = ${a} * Math.random() + ${b} * Math.random();`] }),
  (a, b, v) => ({ lines: [`const ${v} = [${a}, ${b}].includes(${b}) ? ${a} + ${b} : 0;`, `console.log(\`${v} = \${${v}}\`, ${v}.toFixed(3));`] }),
];

/** A random program of n inputs: straight-line statements, loops with accumulations and branches. */
export function generateProgram(seed: number): Program {
  const random = seededUniform(seed);
  const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)];
  const n = 1 + Math.floor(random() * 5);
  const x0 = Float64Array.from({ length: n }, () => Math.round((random() * 3 - 1.5) * 1000) / 1000);
  const lines: string[] = [];
  const names: string[] = [];
  const operand = () => (random() < 0.15 ? String(Math.round((random() * 4 - 2) * 100) / 100 || 0.5) : names.length && random() < 0.7 ? pick(names) : `x[${Math.floor(random() * n)}]`);
  const operation = (a: string, b: string) => {
    const t = random() < 0.5 ? pick(unaryTemplates)(a) : pick(binaryTemplates)(a, b);
    return t;
  };
  const define = (indent: string, target: string, a: string, b: string, declare: boolean) => {
    const { expr, trace } = operation(a, b);
    if (trace) lines.push(`${indent}__t(${trace});`);
    lines.push(`${indent}${declare ? 'let ' : ''}${target} = ${expr};`);
  };
  const statements = 3 + Math.floor(random() * 10);
  let float32 = false;
  for (let s = 0; s < statements; s++) {
    const v = `v${names.length}`;
    const kind = random();
    if (kind < 0.12) {
      const t = pick(observingTemplates)(operand(), operand(), v);
      lines.push(...t.lines);
      float32 ||= t.float32 === true;
    } else if (kind < 0.55) {
      define('', v, operand(), operand(), true);
    } else if (kind < 0.8) {
      // An accumulation over the inputs, reading earlier values inside the loop.
      lines.push(`let ${v} = ${operand()};`);
      lines.push(`for (let i = 0; i < x.length; i = __ad.inc(i)) {`);
      define('  ', 'const t', 'x[i]', operand(), false);
      lines.push(random() < 0.5 ? `  ${v} = __ad.add(${v}, t);` : `  ${v} = __ad.sub(${v}, __ad.mul(t, ${operand()}));`);
      lines.push('}');
    } else {
      const a = operand();
      const c = Math.round((random() * 2 - 1) * 100) / 100;
      lines.push(`let ${v};`);
      lines.push(`if (__t(${a} > ${c})) {`);
      define('  ', v, a, operand(), false);
      lines.push('} else {');
      define('  ', v, operand(), a, false);
      lines.push('}');
    }
    names.push(v);
  }
  // Sum a random subset (always the last value) so most intermediates matter.
  const terms = names.filter((_v, k) => k === names.length - 1 || random() < 0.5);
  lines.push(`return ${terms.reduce((acc, t) => `__ad.add(${acc}, ${t})`)};`);
  return { source: lines.join('\n'), n, x0, float32 };
}

/** The program as a callable of x, and the trace of the sides it took on its last call. */
export function compileProgram(source: string): { fn: (x: unknown) => unknown; lastTrace: () => string } {
  const globals = createSandboxGlobals(7);
  let trace: unknown[] = [];
  const record = (v: unknown) => (trace.push(v), v);
  const printed: string[] = [];
  const console = { log: (...args: unknown[]) => printed.length < 100 && printed.push(args.map(String).join(' ')) };
  const code = rewriteOperators(`(function (__ad, Math, __t, console, Float64Array, Float32Array, x, s = 1.5, o) {\n${source}\n})`).code;
  const body = new Function(code.replace(/^var [^;]*; /, '$&return '))() as (...a: unknown[]) => unknown;
  return {
    fn: (x) => {
      trace = [];
      globals.random.restart();
      return body(runtime, globals.Math, record, console, globals.Float64Array, globals.Float32Array, x);
    },
    lastTrace: () => trace.join(','),
  };
}

export interface ProgramResult {
  /** Disagreements, empty when the engine matched every reference. */
  failures: string[];
  /** Entries not compared with finite differences (a difference crossed a kink or a branch, or was ill-conditioned). */
  skipped: number;
  compared: number;
  /** Disagreements on entries that a recorded kink depends on. */
  excused: number;
  /** True when the program was rejected as a whole (non-finite or huge at x0). */
  rejected: boolean;
}

const H = 1e-3;
/** Richardson estimates at steps h and h/2 must agree this well (relative) before an entry is compared. */
const CONDITIONED = 1e-7;
const RTOL_FD = 1e-6;
const RTOL_EXACT = 1e-10;

/** Compares the engine's gradient and exact diagonal with Richardson differences and with H·e_i columns. */
export function checkProgram(seed: number): ProgramResult {
  const program = generateProgram(seed);
  const { fn, lastTrace } = compileProgram(program.source);
  const result: ProgramResult = { failures: [], skipped: 0, compared: 0, excused: 0, rejected: false };
  let ev: ADEvaluator;
  let base: string;
  try {
    ev = createEvaluator({ fn, params: [{ name: 'x', kind: 'vector', value: [...program.x0] }], wrtIndex: 0, options: { hessianDiagonal: 'exact', estimateProbes: 4, seed: 1 } });
    const value = ev.f(ev.x0);
    base = lastTrace();
    if (!Number.isFinite(value) || Math.abs(value) > 1e8) throw new Error('rejected');
  } catch {
    result.rejected = true;
    return result;
  }
  const d = ev.derivatives();
  const plain = ev.f(ev.x0);
  if (!Object.is(d.value, plain)) result.failures.push(`seed ${seed}: value: engine ${d.value}, plain JavaScript ${plain}`);
  // Entries a recorded kink depends on have one-sided or conventional derivatives there: a disagreement is excused.
  const atKink = new Set(d.kinks.flatMap((k) => k.entries.map(([i]) => i)));
  const fail = (i: number, what: string, got: number, want: number) => {
    if (atKink.has(i)) result.excused++;
    else result.failures.push(`seed ${seed}: ${what}: engine ${got}, reference ${want}`);
  };
  /** Richardson at h and h/2 along coordinate i of g; undefined when a point left x0's pieces or the estimates disagree. */
  const fd = (g: (x: Float64Array) => number, i: number): number | undefined => {
    const h = H * Math.max(1, Math.abs(ev.x0[i]));
    const x = Float64Array.from(ev.x0);
    let crossed = false;
    const at = (t: number) => {
      x[i] = t;
      const v = g(x);
      if (lastTrace() !== base) crossed = true;
      return v;
    };
    const central = (s: number) => (at(ev.x0[i] + s) - at(ev.x0[i] - s)) / (2 * s);
    const [d1, d2, d4] = [central(h), central(h / 2), central(h / 4)];
    const r1 = (4 * d2 - d1) / 3;
    const r2 = (4 * d4 - d2) / 3;
    if (crossed || !(Math.abs(r1 - r2) <= CONDITIONED * Math.max(1, Math.abs(r2)))) return undefined;
    return r2;
  };
  for (let i = 0; i < ev.n; i++) {
    const e = new Float64Array(ev.n);
    e[i] = 1;
    const column = ev.hvp(e);
    const scale = Math.max(1, ...column.map(Math.abs));
    if (!(Math.abs(d.hessianDiagonal[i] - column[i]) <= RTOL_EXACT * scale)) fail(i, `diag[${i}] vs (H·e_${i})_${i}`, d.hessianDiagonal[i], column[i]);
    if (program.float32) continue;
    for (const [what, engine, reference] of [
      [`gradient[${i}] vs FD`, d.gradient[i], fd((x) => ev.f(x), i)],
      [`diag[${i}] vs FD of the gradient`, d.hessianDiagonal[i], fd((x) => ev.gradientAt(x)[i], i)],
    ] as const) {
      if (reference === undefined) {
        result.skipped++;
        continue;
      }
      result.compared++;
      if (!(Math.abs(engine - reference) <= RTOL_FD * Math.max(1, Math.abs(reference)))) fail(i, what, engine, reference);
    }
  }
  return result;
}
