// The recording context: which tape is being recorded, where in the user's source an operation ran, and the kinks and notes met.

import { EngineError, type SourceLocation } from '../types';
import type { Tape } from './tape';

/** A non-differentiable point met while recording, before its nodes are mapped to entries of the wrt parameter. */
export interface KinkRecord {
  op: string;
  detail: string;
  location?: SourceLocation;
  /** Tape nodes sitting on the kink (the operation's active arguments), capped. */
  nodeIds: number[];
}

/** What one recording met besides numbers. */
export interface RecordingLog {
  kinks: KinkRecord[];
  notes: string[];
}

/** Stack captures are slow (microseconds each): a loop that hits a kink on every iteration stops paying after this many. */
const CAPTURE_BUDGET = 200;
const MAX_KINKS = 50;
const MAX_NODES_PER_KINK = 64;

let tape: Tape | null = null;
let locator: ((stack: string) => SourceLocation | undefined) | null = null;
let log: RecordingLog = { kinks: [], notes: [] };
let lastLog: RecordingLog = log;
let capturesLeft = CAPTURE_BUDGET;
/** Dedup keys (op, detail, place) of this recording's kinks and notes. */
let kinkByKey = new Map<string, KinkRecord>();
let noteKeys = new Set<string>();

/** The tape being recorded, null when evaluating plainly. */
export function currentTape(): Tape | null {
  return tape;
}

/**
 * Records `fn` on `tape` with a fresh log; the log stays readable through `lastRecordingLog()`. Recordings whose
 * log nobody reads (the finite-difference checks' gradients at nearby points) pass `locate = false`: a kink hit
 * in every one of them would otherwise pay for a stack capture each time.
 */
export function withTape<T>(t: Tape, fn: () => T, locate = true): T {
  const saved = { tape, log, capturesLeft, kinkByKey, noteKeys };
  tape = t;
  log = { kinks: [], notes: [] };
  capturesLeft = locate ? CAPTURE_BUDGET : 0;
  kinkByKey = new Map();
  noteKeys = new Set();
  try {
    return fn();
  } finally {
    lastLog = log;
    ({ tape, log, capturesLeft, kinkByKey, noteKeys } = saved);
  }
}

/** The kinks and notes of the most recent recording that finished. */
export function lastRecordingLog(): RecordingLog {
  return lastLog;
}

/** The sandbox installs a locator that maps a stack trace to the user's TypeScript line (through the bundle's source map). */
export function setLocator(fn: ((stack: string) => SourceLocation | undefined) | null): void {
  locator = fn;
}

export function captureLocation(): SourceLocation | undefined {
  return locator === null ? undefined : locator(captureStack());
}

/** Frames kept when the engine reads a location from its own stack: the user's frame sits below several engine frames. */
export const STACK_DEPTH = 60;

function captureStack(): string {
  // The sandbox's worker fixes the limit at this depth before it freezes Error (engine/sandbox/harden.ts).
  const limit = Error.stackTraceLimit;
  if (limit >= STACK_DEPTH) return new Error().stack ?? '';
  Error.stackTraceLimit = STACK_DEPTH;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  return stack;
}

/** Every user frame of the current stack, innermost first (a helper's line, then its caller's, ...). */
export function captureUserFrames(): SourceLocation[] {
  if (locator === null) return [];
  const frames: SourceLocation[] = [];
  for (const line of captureStack().split('\n')) {
    const loc = locator(line);
    if (loc) frames.push(loc);
  }
  return frames;
}

function budgetedLocation(): SourceLocation | undefined {
  if (capturesLeft <= 0) return undefined;
  capturesLeft--;
  return captureLocation();
}

function placeKey(loc: SourceLocation | undefined): string {
  return loc ? `${loc.file}:${loc.line}:${loc.column}` : '';
}

/** " (line 12)" for messages, or nothing when the place is unknown. */
export function lineSuffix(loc: SourceLocation | undefined): string {
  return loc ? ` (line ${loc.line})` : '';
}

/** Remembers that an operation ran at a non-differentiable point; the same op and place are merged. */
export function recordKink(op: string, detail: string, nodeIds: number[]): void {
  if (tape === null) return;
  const location = budgetedLocation();
  const key = `${op}\u0000${detail}\u0000${placeKey(location)}`;
  let rec = kinkByKey.get(key);
  if (rec === undefined) {
    if (log.kinks.length >= MAX_KINKS) return;
    rec = { op, detail, location, nodeIds: [] };
    kinkByKey.set(key, rec);
    log.kinks.push(rec);
  }
  for (const id of nodeIds) if (rec.nodeIds.length < MAX_NODES_PER_KINK && !rec.nodeIds.includes(id)) rec.nodeIds.push(id);
}

/** A note for the report, e.g. "Math.floor on an active value (line 12): derivative taken as 0"; `what` is the text before the place. */
export function recordNote(what: string, consequence: string): void {
  if (tape === null) return;
  const location = budgetedLocation();
  const text = `${what}${lineSuffix(location)}: ${consequence}`;
  if (noteKeys.has(text)) return;
  noteKeys.add(text);
  log.notes.push(text);
}

/** An operation the engine cannot differentiate: a user error naming the source line. */
export function unsupported(op: string, why: string): never {
  const location = captureLocation();
  throw new EngineError('unsupported', `${op}: ${why}${lineSuffix(location)}`, location);
}
