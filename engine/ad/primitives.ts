// THE primitives table: every scalar operation with its value, first and second partials, and where it has kinks.
//
// Nothing else in the engine knows a derivative formula. Partials receive the arguments and the result y, so rules
// reuse y where it is cheaper (d exp = exp). A kink rule returns words when an argument sits on a
// non-differentiable point; the derivative there is the one of a neighbouring piece (or a subgradient).

export type UnaryOp =
  | 'neg' | 'exp' | 'log' | 'log1p' | 'expm1' | 'log2' | 'log10' | 'sqrt' | 'cbrt' | 'abs'
  | 'sin' | 'cos' | 'tan' | 'asin' | 'acos' | 'atan' | 'sinh' | 'cosh' | 'tanh' | 'asinh' | 'acosh' | 'atanh'
  | 'sign' | 'floor' | 'ceil' | 'round' | 'trunc' | 'fround';
export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'mod' | 'atan2' | 'hypot' | 'min' | 'max';
export type Primitive = UnaryOp | BinaryOp;

export interface UnaryRule {
  /** The operation as the user wrote it, for kinks and messages. */
  name: string;
  value(x: number): number;
  /** dy/dx and d²y/dx² at x, with y = value(x). */
  d(x: number, y: number): number;
  dd(x: number, y: number): number;
  /** Words after the name ("at 0") when x sits on a non-differentiable point. */
  kink?(x: number): string | undefined;
  /** Derivative 0 wherever it exists: the gradient says nothing about this operation, which deserves a note. */
  piecewiseConstant?: true;
  /** A derivative by convention rather than by calculus: the note the report carries when it is used. */
  convention?: string;
}

export interface BinaryRule {
  name: string;
  value(a: number, b: number): number;
  /** ∂y/∂a, ∂y/∂b, ∂²y/∂a², ∂²y/∂a∂b, ∂²y/∂b² at (a, b), with y = value(a, b). */
  da(a: number, b: number, y: number): number;
  db(a: number, b: number, y: number): number;
  daa(a: number, b: number, y: number): number;
  dab(a: number, b: number, y: number): number;
  dbb(a: number, b: number, y: number): number;
  /** `bActive`: whether b is a tape node (pow's exponent matters only then). */
  kink?(a: number, b: number, y: number, bActive: boolean): string | undefined;
}

export type Rule<P extends Primitive> = P extends UnaryOp ? UnaryRule : BinaryRule;

const zero = () => 0;
const one = () => 1;

/** A step function: value only, every derivative 0, a kink where it jumps. */
function step(name: string, value: (x: number) => number, jumps: (x: number) => boolean): UnaryRule {
  return { name, value, d: zero, dd: zero, kink: (x) => (jumps(x) ? 'at a jump' : undefined), piecewiseConstant: true };
}

export const primitives: { [P in Primitive]: Rule<P> } = {
  // ── arithmetic ──
  // d(a + b) = da + db
  add: { name: '+', value: (a, b) => a + b, da: one, db: one, daa: zero, dab: zero, dbb: zero },
  // d(a − b) = da − db
  sub: { name: '-', value: (a, b) => a - b, da: one, db: () => -1, daa: zero, dab: zero, dbb: zero },
  // d(ab) = b da + a db; the only second partial is ∂²/∂a∂b = 1
  mul: { name: '*', value: (a, b) => a * b, da: (_a, b) => b, db: (a) => a, daa: zero, dab: one, dbb: zero },
  // d(a/b) = da/b − (a/b²) db; ∂²/∂a∂b = −1/b², ∂²/∂b² = 2a/b³
  div: {
    name: '/',
    value: (a, b) => a / b,
    da: (_a, b) => 1 / b,
    db: (_a, b, y) => -y / b,
    daa: zero,
    dab: (_a, b) => -1 / (b * b),
    dbb: (_a, b, y) => (2 * y) / (b * b),
  },
  // d(aᵇ) = b aᵇ⁻¹ da + aᵇ ln a db; written with aᵇ⁻¹, aᵇ⁻² so a = 0 and negative bases with integer b work.
  // ln a only enters when the exponent is active: defined for a > 0, 0 for a = 0 (aᵇ ≡ 0 for b > 0), NaN below.
  pow: {
    name: '**',
    value: (a, b) => a ** b,
    da: (a, b) => b * a ** (b - 1),
    db: (a, _b, y) => (a === 0 ? 0 : y * Math.log(a)),
    daa: (a, b) => b * (b - 1) * a ** (b - 2),
    dab: (a, b) => (a === 0 ? 0 : a ** (b - 1) * (1 + b * Math.log(a))),
    dbb: (a, _b, y) => (a === 0 ? 0 : y * Math.log(a) ** 2),
    kink: (a, _b, _y, bActive) => (bActive && a < 0 ? 'with a negative base and an active exponent' : undefined),
  },
  // a % b = a − b·trunc(a/b): slope 1 in a, −trunc(a/b) in b; it jumps where the quotient is an integer
  mod: {
    name: '%',
    value: (a, b) => a % b,
    da: one,
    db: (a, b, y) => -Math.round((a - y) / b),
    daa: zero,
    dab: zero,
    dbb: zero,
    kink: (_a, _b, y) => (y === 0 ? 'at a jump (the quotient is an integer)' : undefined),
  },

  // ── two-argument Math functions ──
  // d atan2(a, b) = (b da − a db)/(a² + b²); at the origin (a kink) every partial is taken as 0
  atan2: {
    name: 'Math.atan2',
    value: Math.atan2,
    da: (a, b) => (a === 0 && b === 0 ? 0 : b / (a * a + b * b)),
    db: (a, b) => (a === 0 && b === 0 ? 0 : -a / (a * a + b * b)),
    daa: (a, b) => (a === 0 && b === 0 ? 0 : (-2 * a * b) / (a * a + b * b) ** 2),
    dab: (a, b) => (a === 0 && b === 0 ? 0 : (a * a - b * b) / (a * a + b * b) ** 2),
    dbb: (a, b) => (a === 0 && b === 0 ? 0 : (2 * a * b) / (a * a + b * b) ** 2),
    kink: (a, b) => (a === 0 && b <= 0 ? (b === 0 ? 'at the origin' : 'on its branch cut (y = 0, x < 0)') : undefined),
  },
  // d hypot(a, b) = (a da + b db)/y; second partials b²/y³, −ab/y³, a²/y³ (taken as 0 at the origin, a kink)
  hypot: {
    name: 'Math.hypot',
    value: Math.hypot,
    da: (a, _b, y) => (y === 0 ? 0 : a / y),
    db: (_a, b, y) => (y === 0 ? 0 : b / y),
    daa: (_a, b, y) => (y === 0 ? 0 : (b * b) / y ** 3),
    dab: (a, b, y) => (y === 0 ? 0 : (-a * b) / y ** 3),
    dbb: (a, _b, y) => (y === 0 ? 0 : (a * a) / y ** 3),
    kink: (_a, _b, y) => (y === 0 ? 'at 0' : undefined),
  },
  // d min(a, b) = da where a < b, db where b < a, half of each at a tie
  min: {
    name: 'Math.min',
    value: Math.min,
    da: (a, b) => (a < b ? 1 : a === b ? 0.5 : 0),
    db: (a, b) => (b < a ? 1 : a === b ? 0.5 : 0),
    daa: zero,
    dab: zero,
    dbb: zero,
    kink: (a, b) => (a === b ? 'with a tie' : undefined),
  },
  // d max(a, b) = da where a > b, db where b > a, half of each at a tie
  max: {
    name: 'Math.max',
    value: Math.max,
    da: (a, b) => (a > b ? 1 : a === b ? 0.5 : 0),
    db: (a, b) => (b > a ? 1 : a === b ? 0.5 : 0),
    daa: zero,
    dab: zero,
    dbb: zero,
    kink: (a, b) => (a === b ? 'with a tie' : undefined),
  },

  // ── one-argument functions ──
  // d(−x) = −dx
  neg: { name: 'unary -', value: (x) => -x, d: () => -1, dd: zero },
  // d eˣ = eˣ dx
  exp: { name: 'Math.exp', value: Math.exp, d: (_x, y) => y, dd: (_x, y) => y },
  // d ln x = dx/x
  log: { name: 'Math.log', value: Math.log, d: (x) => 1 / x, dd: (x) => -1 / (x * x) },
  // d ln(1 + x) = dx/(1 + x)
  log1p: { name: 'Math.log1p', value: Math.log1p, d: (x) => 1 / (1 + x), dd: (x) => -1 / ((1 + x) * (1 + x)) },
  // d(eˣ − 1) = eˣ dx
  expm1: { name: 'Math.expm1', value: Math.expm1, d: (_x, y) => y + 1, dd: (_x, y) => y + 1 },
  // d log₂ x = dx/(x ln 2)
  log2: { name: 'Math.log2', value: Math.log2, d: (x) => 1 / (x * Math.LN2), dd: (x) => -1 / (x * x * Math.LN2) },
  // d log₁₀ x = dx/(x ln 10)
  log10: { name: 'Math.log10', value: Math.log10, d: (x) => 1 / (x * Math.LN10), dd: (x) => -1 / (x * x * Math.LN10) },
  // d √x = dx/(2√x)
  sqrt: { name: 'Math.sqrt', value: Math.sqrt, d: (_x, y) => 1 / (2 * y), dd: (_x, y) => -1 / (4 * y * y * y) },
  // d ∛x = dx/(3 ∛x²)
  cbrt: { name: 'Math.cbrt', value: Math.cbrt, d: (_x, y) => 1 / (3 * y * y), dd: (_x, y) => -2 / (9 * y ** 5) },
  // d|x| = sign(x) dx (0 at 0, a kink)
  abs: { name: 'Math.abs', value: Math.abs, d: (x) => Math.sign(x), dd: zero, kink: (x) => (x === 0 ? 'at 0' : undefined) },
  // d sin x = cos x dx
  sin: { name: 'Math.sin', value: Math.sin, d: (x) => Math.cos(x), dd: (_x, y) => -y },
  // d cos x = −sin x dx
  cos: { name: 'Math.cos', value: Math.cos, d: (x) => -Math.sin(x), dd: (_x, y) => -y },
  // d tan x = (1 + tan²x) dx
  tan: { name: 'Math.tan', value: Math.tan, d: (_x, y) => 1 + y * y, dd: (_x, y) => 2 * y * (1 + y * y) },
  // d asin x = dx/√(1 − x²)
  asin: { name: 'Math.asin', value: Math.asin, d: (x) => 1 / Math.sqrt(1 - x * x), dd: (x) => x / (1 - x * x) ** 1.5 },
  // d acos x = −dx/√(1 − x²)
  acos: { name: 'Math.acos', value: Math.acos, d: (x) => -1 / Math.sqrt(1 - x * x), dd: (x) => -x / (1 - x * x) ** 1.5 },
  // d atan x = dx/(1 + x²)
  atan: { name: 'Math.atan', value: Math.atan, d: (x) => 1 / (1 + x * x), dd: (x) => (-2 * x) / (1 + x * x) ** 2 },
  // d sinh x = cosh x dx
  sinh: { name: 'Math.sinh', value: Math.sinh, d: (x) => Math.cosh(x), dd: (_x, y) => y },
  // d cosh x = sinh x dx
  cosh: { name: 'Math.cosh', value: Math.cosh, d: (x) => Math.sinh(x), dd: (_x, y) => y },
  // d tanh x = (1 − tanh²x) dx
  tanh: { name: 'Math.tanh', value: Math.tanh, d: (_x, y) => 1 - y * y, dd: (_x, y) => -2 * y * (1 - y * y) },
  // d asinh x = dx/√(x² + 1)
  asinh: { name: 'Math.asinh', value: Math.asinh, d: (x) => 1 / Math.sqrt(x * x + 1), dd: (x) => -x / (x * x + 1) ** 1.5 },
  // d acosh x = dx/√(x² − 1)
  acosh: { name: 'Math.acosh', value: Math.acosh, d: (x) => 1 / Math.sqrt(x * x - 1), dd: (x) => -x / (x * x - 1) ** 1.5 },
  // d atanh x = dx/(1 − x²)
  atanh: { name: 'Math.atanh', value: Math.atanh, d: (x) => 1 / (1 - x * x), dd: (x) => (2 * x) / (1 - x * x) ** 2 },

  // ── piecewise constant: derivative 0 between jumps ──
  sign: step('Math.sign', Math.sign, (x) => x === 0),
  floor: step('Math.floor', Math.floor, Number.isInteger),
  ceil: step('Math.ceil', Math.ceil, Number.isInteger),
  // Math.round(x) = ⌊x + ½⌋ jumps at half-integers
  round: step('Math.round', Math.round, (x) => x - Math.floor(x) === 0.5),
  // Rounding to float32 (Math.fround, a Float32Array store) is taken as the identity, d = 1: what float32 code means,
  // though the staircase's true derivative is 0 almost everywhere
  fround: { name: 'Math.fround', value: Math.fround, d: one, dd: zero, convention: 'rounding to float32 is taken as the identity in the derivative' },
  // trunc is continuous at 0
  trunc: step('Math.trunc', Math.trunc, (x) => x !== 0 && Number.isInteger(x)),
};

/** Tape op codes: 0 marks an independent variable, primitives follow in table order. */
export const VARIABLE = 0;
export const opCode = Object.fromEntries(Object.keys(primitives).map((p, i) => [p, i + 1])) as Record<Primitive, number>;
