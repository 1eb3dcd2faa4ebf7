// Builds an Evaluator for a user function: records it on a tape with the wrt argument active and runs every derivative mode.

import type { Contributions, Derivatives, Evaluator } from '../evaluator';
import { rademacher, seededUniform } from '../random';
import { buildTree, flattenTree, ownContainers, pathText, type Containers, type Leaf, type LeafKind, type LeafSlot, type TreeDef } from '../tree';
import { isPrefix, type WrtPath } from '../paths';
import { multiIndex, describeReturned } from '../shape';
import { EngineError, type Kink, type ParamInfo, type SourceLocation } from '../types';
import { ADNum, isAD } from './adnum';
import { lastRecordingLog, withTape } from './context';
import { PlacingTape, groupByLine, linearTail } from './contributions';
import { ADFloat32Array, ADFloat64Array } from './js/globals';
import { VARIABLE } from './primitives';
import { describeOrigin, OriginTape, type NonFiniteOrigin } from './origin';
import { Sweeps } from './sweeps';
import { Tape } from './tape';

export interface EvaluatorSpec {
  fn: (...args: unknown[]) => unknown;
  /** The checked function's name, for messages (defaults to fn.name). */
  name?: string;
  /**
   * The arguments, in order: numbers, arrays, typed arrays, Matrix, or trees of them (engine/tree.ts). `kind`
   * says how a parameter that is itself one array-like is built (a JSON point for a Matrix parameter is nested arrays).
   * `plainValue`, when given, is the same tree as the plain (non-recording) copy of the module sees it: a receiver
   * built by each copy's own class.
   */
  params: { name: string; kind?: ParamInfo['kind']; value: unknown; plainValue?: unknown }[];
  /** The parameter to differentiate, whole, unless `wrt` names paths. */
  wrtIndex: number;
  /** Paths whose numeric leaves together form the input vector, in this order. */
  wrt?: WrtPath[];
  options: { hessianDiagonal: 'exact' | 'estimate'; estimateProbes: number; seed: number };
  makeMatrix?: (rows: number, cols: number, values: Float64Array, ids: Int32Array) => unknown;
  /** Where the arguments' arrays and objects are made: the realm of the copy that records, and of the plain copy. */
  containers?: { recording: Containers; plain: Containers };
  /** The text of a line of the user's source, to quote the line an explanation names. */
  sourceLine?: (loc: SourceLocation) => string | undefined;
}

/** The Evaluator (its supplied derivatives are engine/check's to call, through callAtX0) plus what tests and benchmarks measure. */
export interface ADEvaluator extends Evaluator {
  /** fn's result with the evaluation point's arguments, fresh and passive, as the checked function is called. */
  callAtX0(fn: (...args: unknown[]) => unknown): unknown;
  /**
   * Sparse entries touched and nodes swept by the last exact diagonal sweep, the wide nodes it took from reverse sweeps
   * of their own (engine/ad/diagonal-plan.ts), nodes of the last recording, and how long `derivatives` spent recording.
   */
  stats(): { diagonalWork: number; diagonalRoots: number; tapeSize: number; recordMs: number };
}

const MAX_KINK_ENTRIES = 20;
/** f split into more source lines than this is not fitted line by line: one sweep pair per group, and pairs of groups. */
const MAX_GROUPS = 32;
/** Placing a contribution costs a stack capture (microseconds): beyond this many, the split is skipped. */
const MAX_PLACED = 5_000;

function summarize(leaf: Leaf): string {
  if (leaf.shape.length === 0) return `${leaf.path} = ${leaf.values[0]}`;
  const flat = Array.from(leaf.values);
  return `${leaf.path} (${leaf.shape.join('×')}, entries in [${Math.min(...flat).toPrecision(4)}, ${Math.max(...flat).toPrecision(4)}])`;
}

/**
 * (value, node) of a scalar result: a number, an active scalar, or a one-entry array or matrix (a 1-vector, a 1×1
 * matrix as nested arrays): unwrapped in a loop and at most twice, so no depth of nesting the user returns can
 * overflow the stack.
 */
function scalarResult(result: unknown, fname: string): { value: number; id: number } {
  let r = result;
  for (let depth = 0; depth <= 2; depth++) {
    if (typeof r === 'number') return { value: r, id: -1 };
    if (isAD(r)) return { value: r.v, id: r.id };
    if ((Array.isArray(r) || ArrayBuffer.isView(r)) && (r as ArrayLike<unknown>).length === 1) {
      if (depth === 2) throw new EngineError('bad-return', `${fname} returned one-entry arrays nested more than two deep — expected a number`);
      r = (r as ArrayLike<unknown>)[0];
      continue;
    }
    const m = r as { rows?: number; columns?: number; __values?: Float64Array; __ids?: Int32Array; to1DArray?: () => unknown[] } | null;
    if (typeof r !== 'object' || m === null || m.rows !== 1 || m.columns !== 1) break;
    if (m.__values && m.__ids) return { value: m.__values[0], id: m.__ids[0] };
    if (typeof m.to1DArray !== 'function') break;
    r = m.to1DArray();
  }
  throw new EngineError('bad-return', `${fname} returned ${describeReturned(r)} — expected a number`);
}

/** flat[from..to) as a fresh array: active scalars (node k for entry k) or plain numbers. */
function entries(flat: Float64Array, from: number, to: number, active: boolean, make: Containers = ownContainers): unknown[] {
  // Filled by the receiving realm's own code: finite differences build arguments for every evaluation of f.
  return make.numbers(flat, from, to, active ? ADNum : undefined);
}

/** The leaves of one parameter, and the definitions that rebuild it in each copy of the module. */
interface ParamTree {
  name: string;
  leaves: Leaf[];
  def: TreeDef;
  plainDef: TreeDef;
}

function paramTree(p: EvaluatorSpec['params'][number]): ParamTree {
  const tree = flattenTree(p.value, p.name);
  const root = tree.leaves.length === 1 && tree.leaves[0].steps.length === 0 ? tree.leaves[0] : undefined;
  // A parameter declared Matrix or Float64Array is built as one, whatever form its point was written in.
  if (root && (p.kind === 'matrix' || (p.kind === 'float64array' && root.shape.length === 1))) root.kind = p.kind;
  if (p.plainValue === undefined) return { name: p.name, ...tree, plainDef: tree.def };
  const plain = flattenTree(p.plainValue, p.name);
  if (plain.leaves.map((l) => l.path).join() !== tree.leaves.map((l) => l.path).join()) {
    throw new EngineError('internal', `${p.name} is not the same tree in both copies of the module`);
  }
  return { name: p.name, ...tree, plainDef: plain.def };
}

/** Why a wrt path selects no leaf: it does not exist, it is inside a leaf, or it holds no numbers. */
function noLeafError(path: WrtPath, tree: ParamTree, value: unknown): EngineError {
  const inside = tree.leaves.find((l) => isPrefix({ root: path.root, steps: l.steps }, path));
  if (inside) return new EngineError('bad-argument', `wrt ${path.text} is part of ${inside.path}: differentiate all of ${inside.path}`);
  let v = value;
  for (const [k, step] of path.steps.entries()) {
    const container = v as Record<string | number, unknown> | null;
    if (typeof container !== 'object' || container === null || !(step in container)) {
      const at = pathText(path.root, path.steps.slice(0, k));
      const keys = typeof container === 'object' && container !== null ? Object.keys(container) : [];
      const has = Array.isArray(container) ? `it has ${container.length} entries` : keys.length ? `its fields: ${keys.join(', ')}` : `it is ${describeReturned(container)}`;
      return new EngineError('bad-argument', `wrt ${path.text}: ${at} has no ${typeof step === 'number' ? `entry [${step}]` : `field '${step}'`} (${has})`);
    }
    v = container[step];
  }
  return new EngineError('bad-argument', `wrt ${path.text} holds no numbers to differentiate (it is ${describeReturned(v)})`);
}

export function createEvaluator(spec: EvaluatorSpec): ADEvaluator {
  const fname = spec.name ?? (spec.fn.name || 'the function');
  const trees = spec.params.map(paramTree);
  if (trees[spec.wrtIndex] === undefined && !spec.wrt) throw new EngineError('bad-argument', `no parameter at position ${spec.wrtIndex}`);
  const paths = spec.wrt ?? [{ root: trees[spec.wrtIndex].name, steps: [], text: trees[spec.wrtIndex].name }];

  // Each wrt leaf's place in the input vector: wrtOffsets[param][leaf], -1 for leaves that stay constant.
  const wrtOffsets = trees.map((t) => new Int32Array(t.leaves.length).fill(-1));
  const slots: (LeafSlot & { kind: LeafKind })[] = [];
  const x0Parts: Float64Array[] = [];
  let n = 0;
  for (const path of paths) {
    const p = trees.findIndex((t) => t.name === path.root);
    if (p < 0) throw new EngineError('bad-argument', `wrt ${path.text}: ${fname} has no parameter '${path.root}' (parameters: ${trees.map((t) => t.name).join(', ')})`);
    let found = 0;
    trees[p].leaves.forEach((leaf, k) => {
      if (!isPrefix(path, { root: path.root, steps: leaf.steps })) return;
      found++;
      wrtOffsets[p][k] = n;
      slots.push({ path: leaf.path, shape: leaf.shape, offset: n, size: leaf.values.length, kind: leaf.kind });
      x0Parts.push(leaf.values);
      n += leaf.values.length;
    });
    if (found === 0) throw noLeafError(path, trees[p], spec.params[p].value);
  }
  const x0 = new Float64Array(n);
  x0Parts.reduce((at, part) => (x0.set(part, at), at + part.length), 0);
  // One path that is itself one array-like keeps its own shape and names; anything else is a vector of leaves.
  const single = paths.length === 1 && slots.length === 1 && slots[0].path === paths[0].text;
  const shape = single ? slots[0].shape : [n];
  const wrtName = paths.map((q) => q.text).join(', ');
  const leafSlots: LeafSlot[] | undefined = single ? undefined : slots.map(({ path, shape: s, offset, size }) => ({ path, shape: s, offset, size }));
  const noOffsets = trees.map((t) => new Int32Array(t.leaves.length).fill(-1));

  const tape = new Tape();
  const sweeps = new Sweeps();
  /** What the tape holds: f recorded at x0 with wrt active, or something else (another point or parameter). */
  let tapeHoldsX0 = false;
  /** f(x0) and its node, valid while tapeHoldsX0. */
  let value0 = NaN;
  let out = -1;
  /** The last `derivatives` call's recording time, for the bench. */
  let recordMs = NaN;

  /** A leaf in its own form: from x at `offset` (active: nodes offset.. of the tape), or from its own values. */
  function leafValue(leaf: Leaf, x: Float64Array, offset: number, active: boolean, make: Containers): unknown {
    const size = leaf.values.length;
    const s = leaf.shape;
    switch (leaf.kind) {
      case 'number':
        return active ? new ADNum(offset, x[offset]) : x[offset];
      case 'vector':
        return entries(x, offset, offset + size, active, make);
      case 'matrix-array':
        return make.rows(x, offset, s[0], s[1], active ? ADNum : undefined);
      case 'float64array':
        return new ADFloat64Array(entries(x, offset, offset + size, active));
      case 'float32array':
        return new ADFloat32Array(entries(x, offset, offset + size, active));
      case 'matrix': {
        if (!spec.makeMatrix) throw new EngineError('internal', 'no Matrix stand-in was given to the evaluator');
        const ids = new Int32Array(size);
        for (let k = 0; k < size; k++) ids[k] = active ? offset + k : -1;
        // A vector given for a Matrix parameter is one row.
        return spec.makeMatrix(s.length === 2 ? s[0] : 1, s.length === 2 ? s[1] : size, x.slice(offset, offset + size), ids);
      }
    }
  }

  /**
   * Fresh arguments: leaves with an offset in `offsets` come from x (active when recording), the others from their own
   * values. Calls into the recording copy (recording, or a supplied derivative) see its trees, plain calls the plain copy's.
   */
  function args(offsets: Int32Array[], x: Float64Array, active: boolean, into: 'recording' | 'plain' = active ? 'recording' : 'plain'): unknown[] {
    const make = spec.containers?.[into] ?? ownContainers;
    return trees.map((t, p) =>
      buildTree(
        into === 'recording' ? t.def : t.plainDef,
        (k) => {
          const at = offsets[p][k];
          return at >= 0 ? leafValue(t.leaves[k], x, at, active, make) : leafValue(t.leaves[k], t.leaves[k].values, 0, false, make);
        },
        make,
      ),
    );
  }

  function checkFinite(value: number): void {
    if (!Number.isFinite(value)) {
      const at = trees.flatMap((t) => t.leaves.map(summarize)).join(', ');
      const o = originAtX0('value');
      throw new EngineError('non-finite', `${fname} returned ${value} at ${at}${o ? `; the first non-finite value: ${describeOrigin(o)}` : ''}`, o?.location);
    }
  }

  /** Records f at x0 once more on a tape that watches for the first operation that went non-finite, to say where. */
  function originAtX0(what: NonFiniteOrigin['what']): NonFiniteOrigin | undefined {
    const watch = new OriginTape(what);
    try {
      record(wrtOffsets, x0, true, watch);
    } catch {
      // The first recording got this far; a second that throws adds nothing.
    }
    return watch.origin;
  }

  /** Records f with parameter p active at the flat point x; returns the output node (-1 when f does not depend on it). */
  function record(offsets: Int32Array[], x: Float64Array, locate = true, on: Tape = tape): { value: number; id: number } {
    on.reset();
    for (let k = 0; k < x.length; k++) on.variable(x[k], VARIABLE);
    // Arguments are built while the tape records: a Float32Array leaf rounds its active entries as it is filled.
    return withTape(on, () => scalarResult(spec.fn(...args(offsets, x, true)), fname), locate);
  }

  function recordX0(): void {
    if (tapeHoldsX0) return;
    const r = record(wrtOffsets, x0);
    checkFinite(r.value);
    value0 = r.value;
    out = r.id;
    tapeHoldsX0 = true;
  }

  function gradientOfRecording(id: number, m: number): Float64Array {
    return id < 0 ? new Float64Array(m) : sweeps.gradient(tape, id, m);
  }

  function kinksOfRecording(): Kink[] {
    const records = lastRecordingLog().kinks;
    const seen = new Uint8Array(records.length > 0 ? tape.size : 0);
    return records.map((rec) => {
      // The wrt entries the kink depends on: variables reachable backward from its nodes (a bounded search).
      seen.fill(0);
      const entries: number[][] = [];
      const stack = [...rec.nodeIds];
      while (stack.length > 0 && entries.length < MAX_KINK_ENTRIES) {
        const j = stack.pop()!;
        if (j < 0 || seen[j]) continue;
        seen[j] = 1;
        if (j < n) entries.push(single ? multiIndex(shape, j) : [j]);
        else stack.push(tape.a[j], tape.b[j]);
      }
      entries.sort((u, v) => u.reduce((acc, x, k) => acc || x - v[k], 0));
      return { op: rec.op, detail: rec.detail, entries, ...(rec.location ? { location: rec.location } : {}) };
    });
  }

  function estimateDiagonal(): { diag: Float64Array; stdError: Float64Array } {
    const probes = Math.max(2, spec.options.estimateProbes);
    const random = seededUniform(spec.options.seed);
    // Welford's running mean and sum of squared deviations: no cancellation when the samples agree.
    const mean = new Float64Array(n);
    const m2 = new Float64Array(n);
    for (let k = 0; k < probes; k++) {
      const v = rademacher(n, random);
      const hv = out < 0 ? new Float64Array(n) : sweeps.hvp(tape, out, n, v);
      for (let i = 0; i < n; i++) {
        // Rademacher probes: v_i² = 1, so Σ v∘Hv / Σ v∘v is the mean of the samples z = v_i (Hv)_i.
        const z = v[i] * hv[i];
        const delta = z - mean[i];
        mean[i] += delta / (k + 1);
        m2[i] += delta * (z - mean[i]);
      }
    }
    const diag = mean;
    const stdError = m2.map((s) => Math.sqrt(s / (probes - 1) / probes));
    return { diag, stdError };
  }

  function contributions(): Contributions {
    recordX0();
    if (out < 0) return { skipped: `${fname} does not depend on ${wrtName}` };
    const tail = linearTail(tape, out, n);
    if (tail.leaves.length < 2) return { skipped: `${fname}'s value is not a sum of several terms` };
    if (tail.leaves.length > MAX_PLACED) return { skipped: `${fname}'s value sums ${tail.leaves.length} terms, more than ${MAX_PLACED} to place` };
    const watched = new Uint8Array(out + 1);
    for (const j of tail.placeNodes) watched[j] = 1;
    // The same recording again, noting where each contribution was computed: f is deterministic at x0, so node ids agree.
    const placing = new PlacingTape(watched);
    for (let k = 0; k < n; k++) placing.variable(x0[k], VARIABLE);
    let again: { id: number };
    try {
      again = withTape(placing, () => scalarResult(spec.fn(...args(wrtOffsets, x0, true)), fname), false);
    } catch (e) {
      // Only an explanation depends on this recording: a function that fails the second time loses it, not the check.
      return { skipped: `${fname} threw when recorded again (${e instanceof Error ? e.message : String(e)})` };
    }
    if (again.id !== out || placing.size !== tape.size) return { skipped: `${fname} did not record the same way twice` };
    const groups = groupByLine(tail, placing.places);
    if (groups.length < 2) return { skipped: groups.length === 0 ? 'no term could be placed in the source' : 'every term comes from one source line' };
    if (groups.length > MAX_GROUPS) return { skipped: `the terms come from ${groups.length} source lines, more than ${MAX_GROUPS}` };
    return {
      groups: groups.map((g) => {
        const top = Math.max(...g.leaves);
        const gradient = sweeps.gradientOfSum(placing, top, n, g.leaves, g.weights);
        const hessianDiagonal = sweeps.diagonal(placing, top, n);
        const text = spec.sourceLine?.(g.location)?.trim();
        return { location: g.location, ...(text ? { text } : {}), terms: g.leaves.length, gradient, hessianDiagonal };
      }),
    };
  }

  /** Recomputed on every call (one recording and the sweeps): callers keep the result if they need it twice. */
  function derivatives(): Derivatives {
    const t0 = performance.now();
    tapeHoldsX0 = false;
    recordX0();
    recordMs = performance.now() - t0;
    const kinks = kinksOfRecording();
    const notes = [...lastRecordingLog().notes];
    const gradient = gradientOfRecording(out, n);
    const t1 = performance.now();
    let hessianDiagonal: Float64Array;
    let stdError: Float64Array | undefined;
    let method: string;
    let passes: number;
    if (spec.options.hessianDiagonal === 'estimate') {
      ({ diag: hessianDiagonal, stdError } = estimateDiagonal());
      method = 'estimate: Hutchinson/Bekas';
      passes = Math.max(2, spec.options.estimateProbes);
    } else {
      hessianDiagonal = out < 0 ? new Float64Array(n) : sweeps.diagonal(tape, out, n);
      method = 'exact: second-order adjoints over the tape';
      passes = 2;
    }
    const t2 = performance.now();
    const finite = (a: Float64Array) => a.every(Number.isFinite);
    const origin = finite(gradient) && finite(hessianDiagonal) ? undefined : originAtX0('derivative');
    return {
      ...(origin ? { nonFiniteOrigin: describeOrigin(origin) } : {}),
      value: value0,
      gradient,
      hessianDiagonal,
      ...(stdError ? { hessianDiagonalStdError: stdError } : {}),
      hessianDiagonalMethod: method,
      passes,
      kinks,
      notes,
      timingsMs: { gradient: t1 - t0, hessianDiagonal: t2 - t1 },
    };
  }

  return {
    name: fname,
    wrt: wrtName,
    shape,
    ...(leafSlots ? { leaves: leafSlots, paths: paths.map((q) => q.text) } : {}),
    n,
    x0: Float64Array.from(x0),
    otherParams: trees
      .filter((t) => t.leaves.length > 0 && !paths.some((q) => q.root === t.name))
      .map((t) => ({ name: t.name, shape: t.leaves.length === 1 && t.leaves[0].steps.length === 0 ? t.leaves[0].shape : [t.leaves.reduce((a, l) => a + l.values.length, 0)] })),
    supplied: {},
    // Supplied derivatives are the recording copy's functions, called on plain numbers made in its realm.
    callAtX0: (fn) => fn(...args(noOffsets, x0, false, 'recording')),

    /** Plain evaluation (no tape). A non-finite value is returned as it is: finite differences decide what it means. */
    f(x: Float64Array): number {
      return scalarResult(spec.fn(...args(wrtOffsets, x, false)), fname).value;
    },

    derivatives,
    contributions,

    gradientAt(x: Float64Array): Float64Array {
      tapeHoldsX0 = false;
      const r = record(wrtOffsets, x, false);
      return gradientOfRecording(r.id, n);
    },

    hvp(v: Float64Array): Float64Array {
      recordX0();
      return out < 0 ? new Float64Array(n) : sweeps.hvp(tape, out, n, v);
    },

    gradientWrt(name: string): Float64Array | undefined {
      const p = trees.findIndex((t) => t.name === name);
      if (p < 0 || trees[p].leaves.length === 0) return undefined;
      // Every leaf of that parameter active, in order.
      const offsets = trees.map((t) => new Int32Array(t.leaves.length).fill(-1));
      let m = 0;
      trees[p].leaves.forEach((leaf, k) => ((offsets[p][k] = m), (m += leaf.values.length)));
      const other = new Float64Array(m);
      trees[p].leaves.forEach((leaf, k) => other.set(leaf.values, offsets[p][k]));
      tapeHoldsX0 = false;
      try {
        const r = record(offsets, other, false);
        return gradientOfRecording(r.id, m);
      } catch (e) {
        // Used as an integer or a label (bit operations, Math.floor...): not a differentiable parameter.
        if (e instanceof EngineError && e.info.kind === 'unsupported') return undefined;
        throw e;
      }
    },

    stats: () => ({ diagonalWork: sweeps.diagonalWork, diagonalRoots: sweeps.diagonalPlan.roots, tapeSize: tape.size, recordMs }),
  };
}
