// Parameter trees, JAX pytree-style: the numeric leaves of plain objects, arrays and class instances flattened to one list, and rebuilt.
//
// Values may come from the sandbox's realm, so nothing here relies on `instanceof` or on a realm's own prototypes.

import { formatEntry, formatShape, multiIndex } from './shape';

/** What a leaf is, so it can be rebuilt in its own form. */
export type LeafKind = 'number' | 'vector' | 'matrix-array' | 'float64array' | 'float32array' | 'matrix';

/** One step into a tree: an object key or an array index. */
export type Step = string | number;

export interface Leaf {
  /** Steps from the root, and the path as the user reads it (`p.layers[0].W`). */
  steps: Step[];
  path: string;
  kind: LeafKind;
  /** [] scalar, [n] vector, [r, c] matrix. */
  shape: number[];
  /** Row-major values. */
  values: Float64Array;
}

/** How to rebuild a tree: leaves by their position in the flattened list, everything else kept as it was. */
export type TreeDef =
  | { t: 'leaf'; leaf: number }
  | { t: 'const'; value: unknown }
  | { t: 'array'; items: TreeDef[] }
  | { t: 'object'; keys: string[]; items: TreeDef[] }
  /** A class instance is refilled in place, so its prototype, getters, setters and #private fields stay its own. */
  | { t: 'instance'; target: Record<string, unknown>; keys: string[]; items: TreeDef[] };

export interface Flattened {
  def: TreeDef;
  leaves: Leaf[];
}

interface MatrixLike {
  rows: number;
  columns: number;
  to2DArray(): number[][];
}

function isMatrixLike(x: object): x is MatrixLike {
  const m = x as Partial<MatrixLike>;
  return typeof m.to2DArray === 'function' && typeof m.rows === 'number' && typeof m.columns === 'number';
}

/** Real typed arrays, and the sandbox's Float64Array and Float32Array (Array subclasses that keep derivatives). */
function typedKind(x: object): 'float64array' | 'float32array' | undefined {
  if (ArrayBuffer.isView(x)) {
    const tag = Object.prototype.toString.call(x);
    return tag === '[object Float64Array]' ? 'float64array' : tag === '[object Float32Array]' ? 'float32array' : undefined;
  }
  const t = x as { subarray?: unknown; BYTES_PER_ELEMENT?: unknown };
  if (!Array.isArray(x) || typeof t.subarray !== 'function') return undefined;
  return t.BYTES_PER_ELEMENT === 8 ? 'float64array' : t.BYTES_PER_ELEMENT === 4 ? 'float32array' : undefined;
}

const isNumberArray = (x: unknown): x is number[] => Array.isArray(x) && x.length > 0 && x.every((v) => typeof v === 'number');

/** The leaf a value is (its kind, shape and values), or undefined when it is a node or a constant. */
export function asLeaf(value: unknown): Omit<Leaf, 'steps' | 'path'> | undefined {
  if (typeof value === 'number') return { kind: 'number', shape: [], values: Float64Array.of(value) };
  if (typeof value !== 'object' || value === null) return undefined;
  const typed = typedKind(value);
  if (typed) {
    const items = Array.from(value as ArrayLike<unknown>);
    return items.every((v) => typeof v === 'number') ? { kind: typed, shape: [items.length], values: Float64Array.from(items as number[]) } : undefined;
  }
  if (isMatrixLike(value)) {
    const rows = value.to2DArray();
    return { kind: 'matrix', shape: [value.rows, value.columns], values: Float64Array.from(rows.flat()) };
  }
  if (isNumberArray(value)) return { kind: 'vector', shape: [value.length], values: Float64Array.from(value) };
  if (Array.isArray(value) && value.length > 0 && value.every(isNumberArray)) {
    const cols = (value[0] as number[]).length;
    if (value.every((row: number[]) => row.length === cols)) return { kind: 'matrix-array', shape: [value.length, cols], values: Float64Array.from(value.flat()) };
  }
  return undefined;
}

/** A plain object's prototype is the (any realm's) Object.prototype, whose own prototype is null. */
function isPlainObject(x: object): boolean {
  const proto = Object.getPrototypeOf(x);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

const identifierKey = /^[A-Za-z_$][\w$]*$/;

/** `p.layers[0].W`, `p["odd key"]`. */
export function pathText(root: string, steps: Step[]): string {
  return steps.reduce<string>((s, k) => (typeof k === 'number' ? `${s}[${k}]` : identifierKey.test(k) ? `${s}.${k}` : `${s}[${JSON.stringify(k)}]`), root);
}

/** Leaves in depth-first order (object keys in their own order), and the definition that rebuilds the tree around them. */
export function flattenTree(value: unknown, root: string): Flattened {
  const leaves: Leaf[] = [];
  const seen = new Set<object>();
  const walk = (v: unknown, steps: Step[]): TreeDef => {
    const leaf = asLeaf(v);
    if (leaf) {
      leaves.push({ ...leaf, steps, path: pathText(root, steps) });
      return { t: 'leaf', leaf: leaves.length - 1 };
    }
    if (typeof v !== 'object' || v === null || seen.has(v) || typedKind(v) || isMatrixLike(v)) return { t: 'const', value: v };
    seen.add(v);
    try {
      if (Array.isArray(v)) return { t: 'array', items: v.map((item, i) => walk(item, [...steps, i])) };
      const keys = Object.keys(v);
      const items = keys.map((k) => walk((v as Record<string, unknown>)[k], [...steps, k]));
      return isPlainObject(v) ? { t: 'object', keys, items } : { t: 'instance', target: v as Record<string, unknown>, keys, items };
    } finally {
      seen.delete(v);
    }
  };
  return { def: walk(value, []), leaves };
}

/**
 * Makes the arrays and plain objects an argument is built of, in the realm of the code that receives them: the
 * sandbox's realms make their own, so a patch of their prototypes stays in the user's realm, as in plain JavaScript.
 * The arrays of numbers are filled by code of that realm too (`numbers`, `rows`): one loop of the engine storing
 * into the arrays of several realms sees an array map per realm and elements kind, and past four V8's store goes
 * megamorphic; then a loss over a 5,000×20 data matrix, its arguments built, took 2.5–4× as long as in a bare worker.
 */
export interface Containers {
  array(length: number): unknown[];
  object(): Record<string, unknown>;
  /** flat[from..to) as an array: the numbers, or `new Active(k, flat[k])` when Active is given. */
  numbers(flat: Float64Array, from: number, to: number, Active?: ActiveConstructor): unknown[];
  /** `count` such arrays of `width` entries each, from flat[from] on: a matrix as nested arrays. */
  rows(flat: Float64Array, from: number, count: number, width: number, Active?: ActiveConstructor): unknown[];
}

export type ActiveConstructor = new (k: number, value: number) => unknown;

/** This realm's arrays and objects (the live path, where the user's code shares the engine's realm: one realm, one map). */
export const ownContainers: Containers = {
  array: (length) => new Array(length),
  object: () => ({}),
  numbers: (flat, from, to, Active) => Array.from(flat.subarray(from, to), Active ? (v, k) => new Active(from + k, v) : (v) => v),
  rows: (flat, from, count, width, Active) => Array.from({ length: count }, (_, i) => ownContainers.numbers(flat, from + i * width, from + (i + 1) * width, Active)),
};

/** The tree again, with leaf k replaced by `leafValue(k)`; plain containers are fresh, class instances are refilled. */
export function buildTree(def: TreeDef, leafValue: (leaf: number) => unknown, make: Containers = ownContainers): unknown {
  switch (def.t) {
    case 'leaf':
      return leafValue(def.leaf);
    case 'const':
      return def.value;
    case 'array': {
      const out = make.array(def.items.length);
      for (let i = 0; i < def.items.length; i++) out[i] = buildTree(def.items[i], leafValue, make);
      return out;
    }
    case 'object': {
      const out = make.object();
      def.keys.forEach((k, i) => (out[k] = buildTree(def.items[i], leafValue, make)));
      return out;
    }
    case 'instance':
      // Fields that hold no leaves keep their value: never written, so a frozen or read-only one is no problem.
      def.keys.forEach((k, i) => def.items[i].t !== 'const' && (def.target[k] = buildTree(def.items[i], leafValue, make)));
      return def.target;
  }
}

/** Where each leaf of the wrt vector sits: its path, shape and first flat position. */
export interface LeafSlot {
  path: string;
  shape: number[];
  offset: number;
  size: number;
}

/** What names the entries of the wrt vector: one array-like (wrt and shape), or leaves. */
export interface EntryNaming {
  wrt: string;
  shape: number[];
  leaves?: LeafSlot[];
}

/** The leaf holding flat position k, and k's multi-index inside it. */
export function locateEntry(naming: EntryNaming, k: number): { leaf?: LeafSlot; index: number[]; entry: string } {
  if (!naming.leaves) {
    const index = multiIndex(naming.shape, k);
    return { index, entry: formatEntry(naming.wrt, index) };
  }
  const leaf = naming.leaves.find((l) => k >= l.offset && k < l.offset + l.size) ?? naming.leaves[naming.leaves.length - 1];
  const index = multiIndex(leaf.shape, k - leaf.offset);
  return { leaf, index, entry: formatEntry(leaf.path, index) };
}

/** How flat position k reads in messages: `p.w[1]`, `Y[0][3]`. */
export function entryName(naming: EntryNaming, k: number): string {
  return locateEntry(naming, k).entry;
}

/**
 * A hand-written derivative of a tree or of several paths, flat in the input vector's order. It returns the wrt's
 * structure: the same tree for one path, and for several paths an array in their order or an object keyed by them.
 * A missing, extra or misshapen leaf is an error naming it.
 */
export function flattenSuppliedTree(result: unknown, paths: string[], leaves: LeafSlot[]): { values: Float64Array } | { error: string } {
  let parts: [string, unknown][];
  if (paths.length === 1) parts = [[paths[0], result]];
  else if (Array.isArray(result) && result.length === paths.length) parts = paths.map((p, i) => [p, result[i]]);
  else if (typeof result === 'object' && result !== null && !Array.isArray(result) && paths.some((p) => p in result)) {
    const extra = Object.keys(result).filter((k) => !paths.includes(k));
    if (extra.length > 0) return { error: `returned an entry for ${extra[0]}, which is not differentiated (wrt ${paths.join(', ')})` };
    parts = paths.map((p) => [p, (result as Record<string, unknown>)[p]]);
  } else {
    return { error: `returned ${Array.isArray(result) ? `an array of ${result.length}` : typeof result}: expected an array of ${paths.length} values in the order ${paths.join(', ')}, or an object keyed by them` };
  }
  const got = new Map<string, Omit<Leaf, 'steps'>>();
  for (const [root, value] of parts) for (const leaf of flattenTree(value, root).leaves) got.set(leaf.path, leaf);
  const missing = leaves.filter((l) => !got.has(l.path)).map((l) => l.path);
  if (missing.length > 0) return { error: `returned no ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ` (and ${missing.length - 3} more)` : ''}` };
  const extra = [...got.keys()].filter((p) => !leaves.some((l) => l.path === p));
  if (extra.length > 0) return { error: `returned ${extra.slice(0, 3).join(', ')}, which ${extra.length > 1 ? 'are' : 'is'} not differentiated` };
  const values = new Float64Array(leaves.reduce((a, l) => a + l.size, 0));
  for (const leaf of leaves) {
    const s = got.get(leaf.path)!;
    if (s.values.length !== leaf.size) return { error: `returned ${leaf.path} as ${formatShape(s.shape)}, expected ${formatShape(leaf.shape)}` };
    values.set(s.values, leaf.offset);
  }
  return { values };
}
