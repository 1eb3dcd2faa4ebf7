// Builds an Evaluator for a user function: records it on a tape with the wrt argument active and runs every derivative mode.

import type { Contributions, Derivatives, Evaluator, Supplied } from '../check/evaluator';
import { rademacher, seededUniform } from '../check/random';
import { EngineError, type Kink, type Nested, type ParamInfo, type SourceLocation } from '../types';
import { ADNum, isAD } from './adnum';
import { lastRecordingLog, withTape } from './context';
import { PlacingTape, groupByLine, linearTail } from './contributions';
import { ADFloat64Array } from './globals';
import { VARIABLE } from './primitives';
import { describeOrigin, OriginTape, type NonFiniteOrigin } from './origin';
import { Sweeps } from './sweeps';
import { Tape } from './tape';

export interface SuppliedSpec {
  fn: (...args: unknown[]) => unknown;
  name: string;
  location?: SourceLocation;
}

export interface EvaluatorSpec {
  fn: (...args: unknown[]) => unknown;
  /** The checked function's name, for messages (defaults to fn.name). */
  name?: string;
  /** A parameter whose value is undefined receives undefined (its default in code applies). */
  params: { name: string; kind: ParamInfo['kind']; value: Nested | undefined }[];
  wrtIndex: number;
  supplied?: { gradient?: SuppliedSpec; hessianDiagonal?: SuppliedSpec; objective?: SuppliedSpec };
  options: { hessianDiagonal: 'exact' | 'estimate'; estimateProbes: number; seed: number };
  makeMatrix?: (rows: number, cols: number, values: Float64Array, ids: Int32Array) => unknown;
  /** The text of a line of the user's source, to quote the line an explanation names. */
  sourceLine?: (loc: SourceLocation) => string | undefined;
}

/** The Evaluator plus what tests and benchmarks measure. */
export interface ADEvaluator extends Evaluator {
  /** Sparse entries touched by the last exact diagonal sweep, and nodes of the last recording. */
  stats(): { diagonalWork: number; tapeSize: number };
}

const MAX_KINK_ENTRIES = 20;
/** f split into more source lines than this is not fitted line by line: one sweep pair per group, and pairs of groups. */
const MAX_GROUPS = 32;
/** Placing a contribution costs a stack capture (microseconds): beyond this many, the split is skipped. */
const MAX_PLACED = 5_000;

/** [] for a number, [n] for a flat array, [r, c] for a rectangular nested array; undefined when not numeric. */
function shapeOf(value: Nested | undefined): number[] | undefined {
  if (typeof value === 'number') return [];
  if (!Array.isArray(value)) return undefined;
  if (value.every((v) => typeof v === 'number')) return [value.length];
  const cols = Array.isArray(value[0]) ? value[0].length : -1;
  const rect = value.every((row) => Array.isArray(row) && row.length === cols && row.every((v) => typeof v === 'number'));
  return rect ? [value.length, cols] : undefined;
}

function flatten(value: Nested): Float64Array {
  return Float64Array.from((Array.isArray(value) ? value.flat(2) : [value]) as number[]);
}

function multiIndex(k: number, shape: number[]): number[] {
  return shape.length === 0 ? [] : shape.length === 1 ? [k] : [Math.floor(k / shape[1]), k % shape[1]];
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x) || ArrayBuffer.isView(x)) return `an array of ${(x as ArrayLike<unknown>).length} entries`;
  if (typeof x === 'object') {
    const m = x as { rows?: unknown; columns?: unknown };
    if (typeof m.rows === 'number' && typeof m.columns === 'number') return `a ${m.rows}×${m.columns} matrix`;
    return 'an object';
  }
  if (typeof x === 'function') return 'a function';
  return typeof x === 'string' ? `the string ${JSON.stringify(x.slice(0, 40))}` : String(x);
}

function summarize(name: string, value: Nested | undefined): string {
  if (typeof value === 'number' || value === undefined) return `${name} = ${value}`;
  const shape = shapeOf(value);
  const flat = shape ? Array.from(flatten(value)) : [];
  const range = flat.length ? `, entries in [${Math.min(...flat).toPrecision(4)}, ${Math.max(...flat).toPrecision(4)}]` : '';
  return `${name} (${shape ? shape.join('×') : 'ragged'}${range})`;
}

/** (value, node) of a scalar result: a number, an active scalar, or a one-entry array or matrix. */
function scalarResult(r: unknown, fname: string): { value: number; id: number } {
  if (typeof r === 'number') return { value: r, id: -1 };
  if (isAD(r)) return { value: r.v, id: r.id };
  if ((Array.isArray(r) || ArrayBuffer.isView(r)) && (r as ArrayLike<unknown>).length === 1) return scalarResult((r as ArrayLike<unknown>)[0], fname);
  if (typeof r === 'object' && r !== null) {
    const m = r as { rows?: number; columns?: number; __values?: Float64Array; __ids?: Int32Array; to1DArray?: () => unknown[] };
    if (m.rows === 1 && m.columns === 1) {
      if (m.__values && m.__ids) return { value: m.__values[0], id: m.__ids[0] };
      if (typeof m.to1DArray === 'function') return scalarResult(m.to1DArray(), fname);
    }
  }
  throw new EngineError('bad-return', `${fname} returned ${describe(r)} — expected a number`);
}

/** flat[from..to) as a fresh array: active scalars (node k for entry k) or plain numbers. */
function entries(flat: Float64Array, from: number, to: number, active: boolean): unknown[] {
  // Preallocated and filled by index: finite differences build arguments for every evaluation of f.
  const out: unknown[] = new Array(to - from);
  if (active) for (let k = from; k < to; k++) out[k - from] = new ADNum(k, flat[k]);
  else for (let k = from; k < to; k++) out[k - from] = flat[k];
  return out;
}

export function createEvaluator(spec: EvaluatorSpec): ADEvaluator {
  const fname = spec.name ?? (spec.fn.name || 'the function');
  const params = spec.params.map((p) => ({ ...p, shape: shapeOf(p.value) }));
  const wrtParam = params[spec.wrtIndex];
  if (wrtParam === undefined) throw new EngineError('bad-argument', `no parameter at position ${spec.wrtIndex}`);
  const shape = wrtParam.shape;
  if (shape === undefined) throw new EngineError('bad-shape', `${wrtParam.name} must be a number or a rectangular array of numbers to differentiate with respect to it`);
  const x0 = flatten(wrtParam.value!);
  const n = x0.length;
  const flats = params.map((p) => (p.shape ? flatten(p.value!) : undefined));

  const tape = new Tape();
  const sweeps = new Sweeps();
  /** What the tape holds: f recorded at x0 with wrt active, or something else (another point or parameter). */
  let tapeHoldsX0 = false;
  /** f(x0) and its node, valid while tapeHoldsX0. */
  let value0 = NaN;
  let out = -1;

  /** A fresh argument of parameter p from flat values; active entries are nodes 0..len-1 of the tape. */
  function argument(p: number, flat: Float64Array | undefined, active: boolean): unknown {
    const { kind, shape: s, value } = params[p];
    if (flat === undefined || s === undefined) return structuredClone(value);
    if (kind === 'matrix') {
      if (!spec.makeMatrix) throw new EngineError('internal', 'no Matrix stand-in was given to the evaluator');
      const ids = new Int32Array(flat.length);
      for (let k = 0; k < ids.length; k++) ids[k] = active ? k : -1;
      return spec.makeMatrix(s.length === 2 ? s[0] : 1, s.length === 2 ? s[1] : flat.length, Float64Array.from(flat), ids);
    }
    if (kind === 'float64array') return new ADFloat64Array(entries(flat, 0, flat.length, active));
    if (s.length === 0) return active ? new ADNum(0, flat[0]) : flat[0];
    if (s.length === 1) return entries(flat, 0, flat.length, active);
    const rows: unknown[] = [];
    for (let i = 0; i < s[0]; i++) rows.push(entries(flat, i * s[1], (i + 1) * s[1], active));
    return rows;
  }

  function args(activeParam: number, activeFlat: Float64Array | undefined, active: boolean): unknown[] {
    return params.map((_p, i) => argument(i, i === activeParam ? activeFlat : flats[i], active && i === activeParam));
  }

  function checkFinite(value: number): void {
    if (!Number.isFinite(value)) {
      const at = params.map((p) => summarize(p.name, p.value)).join(', ');
      const o = originAtX0('value');
      throw new EngineError('non-finite', `${fname} returned ${value} at ${at}${o ? `; the first non-finite value: ${describeOrigin(o)}` : ''}`, o?.location);
    }
  }

  /** Records f at x0 once more on a tape that watches for the first operation that went non-finite, to say where. */
  function originAtX0(what: NonFiniteOrigin['what']): NonFiniteOrigin | undefined {
    const watch = new OriginTape(what);
    try {
      record(spec.wrtIndex, x0, true, watch);
    } catch {
      // The first recording got this far; a second that throws adds nothing.
    }
    return watch.origin;
  }

  /** Records f with parameter p active at the flat point x; returns the output node (-1 when f does not depend on it). */
  function record(p: number, x: Float64Array, locate = true, on: Tape = tape): { value: number; id: number } {
    on.reset();
    for (let k = 0; k < x.length; k++) on.variable(x[k], VARIABLE);
    const callArgs = args(p, x, true);
    return withTape(on, () => scalarResult(spec.fn(...callArgs), fname), locate);
  }

  function recordX0(): void {
    if (tapeHoldsX0) return;
    const r = record(spec.wrtIndex, x0);
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
        if (j < n) entries.push(multiIndex(j, shape!));
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
    if (out < 0) return { skipped: `${fname} does not depend on ${wrtParam.name}` };
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
      again = withTape(placing, () => scalarResult(spec.fn(...args(spec.wrtIndex, x0, true)), fname), false);
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

  function callSupplied(s: SuppliedSpec): unknown {
    return s.fn(...args(-1, undefined, false));
  }

  function supplied(): Evaluator['supplied'] {
    const result: Evaluator['supplied'] = {};
    const make = (s: SuppliedSpec, r: unknown, fromObjective: boolean): Supplied => ({ result: r, name: s.name, fromObjective, ...(s.location ? { location: s.location } : {}) });
    const given = spec.supplied ?? {};
    if (given.gradient) result.gradient = make(given.gradient, callSupplied(given.gradient), false);
    if (given.hessianDiagonal) result.hessianDiagonal = make(given.hessianDiagonal, callSupplied(given.hessianDiagonal), false);
    if (given.objective) {
      const r = callSupplied(given.objective) as { grad?: unknown; hess?: unknown } | null;
      if (typeof r !== 'object' || r === null || !('grad' in r) || !('hess' in r)) {
        throw new EngineError('bad-return', `${given.objective.name} returned ${describe(r)} — expected an object { grad, hess }`);
      }
      result.gradient ??= make(given.objective, r.grad, true);
      result.hessianDiagonal ??= make(given.objective, r.hess, true);
    }
    return result;
  }

  return {
    name: fname,
    wrt: wrtParam.name,
    shape,
    n,
    x0: Float64Array.from(x0),
    otherParams: params.filter((_p, i) => i !== spec.wrtIndex).map((p) => ({ name: p.name, shape: p.shape ?? [] })),
    supplied: supplied(),

    /** Plain evaluation (no tape). A non-finite value is returned as it is: finite differences decide what it means. */
    f(x: Float64Array): number {
      return scalarResult(spec.fn(...args(spec.wrtIndex, x, false)), fname).value;
    },

    derivatives,
    contributions,

    gradientAt(x: Float64Array): Float64Array {
      tapeHoldsX0 = false;
      const r = record(spec.wrtIndex, x, false);
      return gradientOfRecording(r.id, n);
    },

    hvp(v: Float64Array): Float64Array {
      recordX0();
      return out < 0 ? new Float64Array(n) : sweeps.hvp(tape, out, n, v);
    },

    gradientWrt(name: string): Float64Array | undefined {
      const p = params.findIndex((q) => q.name === name);
      const other = flats[p];
      if (p < 0 || other === undefined) return undefined;
      tapeHoldsX0 = false;
      try {
        const r = record(p, other, false);
        return gradientOfRecording(r.id, other.length);
      } catch (e) {
        // Used as an integer or a label (bit operations, Math.floor...): not a differentiable parameter.
        if (e instanceof EngineError && e.info.kind === 'unsupported') return undefined;
        throw e;
      }
    },

    stats: () => ({ diagonalWork: sweeps.diagonalWork, tapeSize: tape.size }),
  };
}
