// Finds where the recording and plain JavaScript parted: both runs repeated on a traced instance, the first operator result that differs, and its line.
import { captureLocation } from '../ad/context';
import { plainValue } from '../ad/adnum';
import { createEvaluator, type EvaluatorSpec } from '../ad/differentiate';
import type { SourceLocation } from '../types';

/** Enough to reach the parting in any realistic function; a longer run is reported without a line. */
const MAX_EVENTS = 2_000_000;

export interface Parting {
  location?: SourceLocation;
  plain: unknown;
  recorded: unknown;
}

/**
 * `traced(trace)` gives the checked function on an instance whose operators report each result. The function runs
 * plain, then recording; the k-th results agree until the runs part. A third run (recording) stops at that k to take
 * the stack, which names the user's line.
 */
export function findParting(spec: EvaluatorSpec, traced: (trace: (r: unknown) => void) => ((...args: unknown[]) => unknown) | undefined): Parting | undefined {
  let events: unknown[] = [];
  let captureAt = -1;
  let location: SourceLocation | undefined;
  const fn = traced((r) => {
    if (events.length === captureAt) location = captureLocation();
    if (events.length < MAX_EVENTS) events.push(plainValue(r));
  });
  if (!fn) return undefined;
  const ev = createEvaluator({ ...spec, fn });
  const run = (recording: boolean): unknown[] => {
    events = [];
    try {
      if (recording) ev.derivatives();
      else ev.f(ev.x0);
    } catch {
      // A run that throws still tells where it got to.
    }
    return events;
  };
  const plain = run(false);
  const recorded = run(true);
  let k = 0;
  while (k < plain.length && k < recorded.length && Object.is(plain[k], recorded[k])) k++;
  if (k === plain.length && k === recorded.length) return undefined;
  captureAt = k;
  run(true);
  return { location, plain: plain[k], recorded: recorded[k] };
}
