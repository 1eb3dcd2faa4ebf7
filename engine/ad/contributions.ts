// f's value as a weighted sum of contributions: the nodes joined to the output only by +, −, and scaling by constants.
//
// Why: a hand-written gradient that forgot one term of the loss differs from the truth by exactly that term's gradient.
// The linear tail of the tape (the +/− accumulation of a loss, `+=` in loops, reduce, a matrix sum, a mean's 1/n)
// splits f into contributions; grouped by the source line that computed them, each group's gradient is one model
// that the explanations can fit. Reads numbers only, like the sweeps.

import type { SourceLocation } from '../types';
import { captureUserFrames } from './context';
import { opCode } from './primitives';
import { Tape } from './tape';

const ADD = opCode.add, SUB = opCode.sub, NEG = opCode.neg, MUL = opCode.mul, DIV = opCode.div;

/** f = Σ_k weights[k]·node[leaves[k]] + a constant. */
export interface LinearTail {
  leaves: Int32Array;
  weights: Float64Array;
  /** The node whose source line names each leaf: the leaf itself, or for an input entry the + that added it. */
  placeNodes: Int32Array;
}

/** Sums, differences, negation, and products or quotients by a constant (c/x is not linear: its φ_aa is not 0). */
function isLinear(tape: Tape, i: number): boolean {
  const op = tape.op[i];
  if (op === ADD || op === SUB || op === NEG) return true;
  return (op === MUL || op === DIV) && tape.b[i] < 0 && tape.daa[i] === 0;
}

export function linearTail(tape: Tape, out: number, n: number): LinearTail {
  const { a, b, da, db } = tape;
  const weight = new Float64Array(out + 1);
  const inTail = new Uint8Array(out + 1);
  const placeOf = new Int32Array(out + 1).fill(-1);
  const found = new Int32Array(out + 1);
  let count = 0;
  const reach = (j: number, w: number, from: number) => {
    if (j >= n && isLinear(tape, j)) inTail[j] = 1;
    else if (placeOf[j] < 0) {
      found[count++] = j;
      placeOf[j] = j >= n ? j : from;
    }
    weight[j] += w;
  };
  reach(out, 1, out);
  for (let i = out; i >= n; i--) {
    const w = weight[i];
    if (!inTail[i] || w === 0) continue;
    if (a[i] >= 0) reach(a[i], w * da[i], i);
    if (b[i] >= 0) reach(b[i], w * db[i], i);
  }
  let kept = 0;
  for (let k = 0; k < count; k++) if (weight[found[k]] !== 0) found[kept++] = found[k];
  const leaves = found.slice(0, kept);
  const weights = new Float64Array(kept);
  const placeNodes = new Int32Array(kept);
  for (let k = 0; k < kept; k++) {
    weights[k] = weight[leaves[k]];
    placeNodes[k] = placeOf[leaves[k]];
  }
  return { leaves, weights, placeNodes };
}

/** A tape that also notes where in the user's source the watched nodes were recorded: every user frame (a stack capture each). */
export class PlacingTape extends Tape {
  readonly places = new Map<number, SourceLocation[]>();

  constructor(private readonly watched: Uint8Array) {
    super();
  }

  override unary(op: number, value: number, a: number, da: number, daa: number): number {
    return this.place(super.unary(op, value, a, da, daa));
  }

  override binary(op: number, value: number, a: number, b: number, da: number, db: number, daa: number, dab: number, dbb: number): number {
    return this.place(super.binary(op, value, a, b, da, db, daa, dab, dbb));
  }

  private place(i: number): number {
    if (i < this.watched.length && this.watched[i]) {
      const frames = captureUserFrames();
      if (frames.length > 0) this.places.set(i, frames.reverse());
    }
    return i;
  }
}

export interface LineGroup {
  location: SourceLocation;
  leaves: number[];
  weights: number[];
}

const lineKey = (loc: SourceLocation) => `${loc.file}:${loc.line}`;

/**
 * The leaves grouped by source line, in order of first appearance; unplaced leaves are left out. The line is taken at
 * the outermost call level where the leaves' stacks part: terms added on different lines of f are grouped by those
 * lines even when one helper (`square(r)`, `huber(r)`) computes them all, and f that only returns
 * `dataTerm(w) + penalty(w)` is split by the lines inside those two.
 */
export function groupByLine(tail: LinearTail, places: Map<number, SourceLocation[]>): LineGroup[] {
  const placed: { frames: SourceLocation[]; leaf: number; weight: number }[] = [];
  for (let k = 0; k < tail.leaves.length; k++) {
    const frames = places.get(tail.placeNodes[k]);
    if (frames) placed.push({ frames, leaf: tail.leaves[k], weight: tail.weights[k] });
  }
  let level = 0;
  const frameAt = (frames: SourceLocation[]) => frames[Math.min(level, frames.length - 1)];
  while (placed.length > 0) {
    const first = lineKey(frameAt(placed[0].frames));
    const oneLine = placed.every((p) => lineKey(frameAt(p.frames)) === first);
    const deeper = placed.some((p) => p.frames.length > level + 1);
    if (!oneLine || !deeper) break;
    level++;
  }
  const groups = new Map<string, LineGroup>();
  for (const p of placed) {
    const loc = frameAt(p.frames);
    let g = groups.get(lineKey(loc));
    if (!g) groups.set(lineKey(loc), (g = { location: loc, leaves: [], weights: [] }));
    g.leaves.push(p.leaf);
    g.weights.push(p.weight);
  }
  return [...groups.values()];
}
