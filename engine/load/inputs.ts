// Evaluation points: seeded generators, defaults from declared types, and validation of a value against its parameter's kind.
import { EngineError, type EngineOptions, type Nested, type ParamInfo, type PointValue, type SourceLocation, type TypeTree } from '../types';
import { asLeaf, flattenTree } from '../tree';
import { describeKind } from '../shape';
import type { PointSpec } from './directives';
import { seededUniform } from '../random';

/** Uniform floats in [0, 1), fully determined by the seed: the same generator the checks sample with. */
export const mulberry32 = seededUniform;

/** Standard normal samples by the Box–Muller transform over mulberry32. */
export function normalSampler(seed: number): () => number {
  const uniform = mulberry32(seed);
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    const u = 1 - uniform(); // (0, 1]: log(u) is finite
    const r = Math.sqrt(-2 * Math.log(u));
    const theta = 2 * Math.PI * uniform();
    spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  };
}

/** Fills `shape` ([] a scalar, [n], [r, c], ...) row-major from a sampler. */
function fill(shape: number[], sample: () => number): Nested {
  if (shape.length === 0) return sample();
  const [n, ...rest] = shape;
  return Array.from({ length: n }, () => fill(rest, sample));
}

export function generate(spec: Extract<PointSpec, { kind: 'normal' | 'uniform' }>, defaultSeed: number): Nested {
  const seed = spec.seed ?? defaultSeed;
  if (spec.kind === 'normal') {
    const z = normalSampler(seed);
    return fill(spec.shape, () => spec.mean + spec.std * z());
  }
  const u = mulberry32(seed);
  return fill(spec.shape, () => spec.min + (spec.max - spec.min) * u());
}

/**
 * A point for a parameter nobody gave one: 0.5 for scalars, seeded normal values in the default shapes otherwise
 * (never exactly 0 and never tied, so |x|, max and friends are not at their kinks). Each parameter gets its own seed.
 */
export function defaultPoint(param: Pick<ParamInfo, 'kind' | 'tree'>, index: number, options: EngineOptions): PointValue | undefined {
  const z = normalSampler(options.seed * 1000 + index);
  const sample = () => {
    let v = z();
    while (Math.abs(v) < 1e-3) v = z();
    return v;
  };
  // A typed tree: each field as its kind would be on its own, from the same generator.
  const ofTree = (t: TypeTree): PointValue =>
    typeof t === 'object' ? Object.fromEntries(Object.entries(t).map(([k, f]) => [k, ofTree(f)])) : t === 'number' ? 0.5 : fill(t === 'vector' || t === 'float64array' ? [options.vectorLength] : [...options.matrixShape], sample);
  if (param.kind === 'tree') return param.tree === undefined ? undefined : ofTree(param.tree);
  switch (param.kind) {
    case 'number':
      return 0.5;
    case 'vector':
    case 'float64array':
      return fill([options.vectorLength], sample);
    case 'matrix-array':
    case 'matrix':
      return fill([...options.matrixShape], sample);
    default:
      return undefined;
  }
}

const kindWords: Record<ParamInfo['kind'], string> = {
  number: 'number',
  vector: 'number[] (a vector)',
  float64array: 'Float64Array (a vector)',
  'matrix-array': 'number[][] (a matrix)',
  matrix: 'Matrix (a matrix)',
  tree: 'an object whose leaves are numbers, arrays or matrices',
  unknown: 'a number or nested arrays of numbers',
};
const kindDepth: Record<ParamInfo['kind'], number | undefined> = { number: 0, vector: 1, float64array: 1, 'matrix-array': 2, matrix: 2, tree: undefined, unknown: undefined };

/** The shape of a rectangular nested array of finite numbers, or an EngineError naming the first problem. */
function shapeOf(value: unknown, name: string, where?: Partial<SourceLocation>): number[] {
  const fail = (kind: 'bad-shape' | 'bad-argument', msg: string) => new EngineError(kind, msg, where);
  const walk = (v: unknown, label: string): number[] => {
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw fail('bad-argument', `${label} is ${v}: evaluation points must be finite`);
      return [];
    }
    if (!Array.isArray(v)) throw fail('bad-shape', `${label}: expected a number, got ${describeKind(v)}`);
    if (v.length === 0) throw fail('bad-shape', `${label}: empty array`);
    const first = walk(v[0], `${label}[0]`);
    for (let i = 1; i < v.length; i++) {
      const s = walk(v[i], `${label}[${i}]`);
      if (s.length !== first.length || s.some((n, k) => n !== first[k])) {
        throw fail('bad-shape', `${name}: ragged array: ${label}[${i}] has shape [${s.join(', ')}], ${label}[0] has [${first.join(', ')}]`);
      }
    }
    return [v.length, ...first];
  };
  return walk(value, name);
}

/** Checks a point against its parameter's declared kind ("Y: expected number[][] (a matrix), got a number"); returns its shape. */
export function validatePoint(param: Pick<ParamInfo, 'name' | 'kind'>, value: unknown, where?: Partial<SourceLocation>): number[] | undefined {
  if ((param.kind === 'tree' || param.kind === 'unknown') && typeof value === 'object' && value !== null && !asLeaf(value)) {
    validateTree(param.name, value, where);
    return undefined;
  }
  const depth = kindDepth[param.kind];
  if (depth !== undefined) {
    let actualDepth = 0;
    for (let v = value; Array.isArray(v) && v.length > 0; v = v[0]) actualDepth++;
    const isArray = Array.isArray(value);
    if ((depth === 0 && isArray) || (depth > 0 && !isArray) || (isArray && (value as unknown[]).length > 0 && actualDepth !== depth)) {
      const got = actualDepth > 1 ? `a ${actualDepth}-level nested array` : describeKind(value);
      throw new EngineError('bad-shape', `${param.name}: expected ${kindWords[param.kind]}, got ${got}`, where);
    }
  }
  return shapeOf(value, param.name, where);
}

/** A tree point: at least one numeric leaf, and every leaf finite. */
function validateTree(name: string, value: object, where?: Partial<SourceLocation>): void {
  const { leaves } = flattenTree(value, name);
  if (leaves.length === 0) throw new EngineError('bad-shape', `${name}: expected numbers, arrays or matrices somewhere in it, got ${describeKind(value)} without any`, where);
  for (const leaf of leaves) {
    const bad = leaf.values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new EngineError('bad-argument', `${leaf.path} holds ${leaf.values[bad]}: evaluation points must be finite`, where);
  }
}

/** Converts a module constant (arrays, typed arrays, Matrix-like objects) into nested arrays of numbers, or returns it untouched. */
export function toNested(value: unknown): unknown {
  if (value && typeof value === 'object') {
    const m = value as { to2DArray?: () => unknown };
    if (typeof m.to2DArray === 'function') return m.to2DArray();
    if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as Float64Array);
    if (Array.isArray(value)) return value.map(toNested);
  }
  return value;
}

/** Where a parameter's evaluation point comes from (InputSource's names); constants are read in the sandbox, where the module runs. */
export type PlannedPoint = { name: string; kind: ParamInfo['kind']; location?: SourceLocation; detail?: string } & (
  | { source: 'at' | 'directive' | 'generated'; value: PointValue }
  | { source: 'constant'; constant: string }
  /** The function receives undefined: its own default applies, or the optional parameter stays undefined. */
  | { source: 'default-value' | 'omitted' }
);

/** Words for a generated point: "0.5", "normal 4×3, seed 1". */
function generatedDetail(value: PointValue, options: EngineOptions): string {
  if (typeof value === 'number') return String(value);
  // A typed tree: each field's own detail.
  if (!Array.isArray(value)) return `{ ${Object.entries(value).map(([k, v]) => `${k}: ${generatedDetail(v, options)}`).join(', ')} }`;
  const shape: number[] = [];
  for (let v: PointValue = value; Array.isArray(v); v = v[0]) shape.push(v.length);
  return `normal ${shape.join('×')}, seed ${options.seed}`;
}

/**
 * Each parameter's point: the request's `at` overrides a directive. Without either, a parameter with a default value in
 * code or declared optional receives undefined (its own default applies); only a required one — or the wrt parameter,
 * which needs numbers to differentiate — gets a generated value from its declared type.
 */
export function planPoints(
  params: ParamInfo[],
  at: Record<string, PointValue> | undefined,
  directives: Map<string, { spec: PointSpec; directive: { location: SourceLocation; text?: string } }>,
  options: EngineOptions,
  fnName: string,
  /** The parameters wrt paths start at: they need a value even when optional. */
  wrtRoots: string[] = [],
): PlannedPoint[] {
  for (const name of Object.keys(at ?? {})) {
    if (!params.some((p) => p.name === name)) {
      throw new EngineError('bad-argument', `--at ${name}: ${fnName} has no parameter '${name}' (parameters: ${params.map((p) => p.name).join(', ')})`);
    }
  }
  return params.map((p, i): PlannedPoint => {
    const given = at?.[p.name];
    if (given !== undefined) {
      validatePoint(p, given);
      return { name: p.name, kind: p.kind, source: 'at', value: given };
    }
    const d = directives.get(p.name);
    if (d) {
      const location = d.directive.location;
      const detail = d.directive.text;
      if (d.spec.kind === 'constant') return { name: p.name, kind: p.kind, source: 'constant', constant: d.spec.name, location, detail: d.spec.name };
      const value = d.spec.kind === 'json' ? d.spec.value : generate(d.spec, options.seed);
      validatePoint(p, value, location);
      return { name: p.name, kind: p.kind, source: 'directive', value, location, ...(detail ? { detail } : {}) };
    }
    if (!wrtRoots.includes(p.name) && (p.hasDefault || p.optional)) return { name: p.name, kind: p.kind, source: p.hasDefault ? 'default-value' : 'omitted' };
    const value = defaultPoint(p, i, options);
    if (value === undefined) {
      throw new EngineError(
        'bad-argument',
        `${fnName}: cannot make a default point for parameter '${p.name}'${p.type ? ` of type ${p.type}` : ' (no declared type)'}: ` +
          `give one with @dlens-at ${p.name} = ... or declare it as number, number[], number[][], Float64Array or Matrix`,
      );
    }
    return { name: p.name, kind: p.kind, source: 'generated', value, detail: generatedDetail(value, options) };
  });
}
