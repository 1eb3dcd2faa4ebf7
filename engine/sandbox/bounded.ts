// Bounded text from user code: the captured console (per line and in total) and error messages, capped in the worker before anything is posted.

/** At most this many console lines, this many characters per line and in total, are kept. */
export const consoleLimits = { lines: 200, lineChars: 1_000, totalChars: 20_000 } as const;
/** Error messages of user code are cut to this many characters. */
export const MESSAGE_CHARS = 2_000;

const thousands = (n: number) => n.toLocaleString('en-US');

/** `text` cut to `max` characters, saying how much was left out. */
export function capText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${thousands(text.length - max)} more characters)`;
}

/** String(v) that never throws (a throwing toString, a Symbol, a revoked proxy): user values are printed, never trusted. */
export function safeString(v: unknown): string {
  try {
    return String(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
}

/**
 * A console argument as text, reading at most about `budget` characters of it: strings are cut, arrays and plain
 * objects are written entry by entry until the budget is spent (a million-entry array costs what its first entries cost).
 */
export function renderBounded(v: unknown, budget: number): string {
  const out: string[] = [];
  let left = budget;
  const put = (s: string) => {
    out.push(s.length > left ? s.slice(0, Math.max(0, left)) : s);
    left -= s.length;
  };
  const walk = (x: unknown, depth: number): void => {
    if (left <= 0) return;
    if (typeof x === 'string') return put(JSON.stringify(x.length > left ? x.slice(0, left) : x));
    if (typeof x !== 'object' || x === null) return put(safeString(x));
    if (depth > 4) return put(Array.isArray(x) ? '[…]' : '{…}');
    try {
      if (Array.isArray(x) || ArrayBuffer.isView(x)) {
        const items = x as ArrayLike<unknown>;
        put('[');
        for (let i = 0; i < items.length && left > 0; i++) {
          if (i > 0) put(', ');
          walk(items[i], depth + 1);
        }
        return put(']');
      }
      const keys = Object.keys(x);
      if (keys.length === 0) return put(safeString(x));
      put('{ ');
      for (let i = 0; i < keys.length && left > 0; i++) {
        put(`${i > 0 ? ', ' : ''}${keys[i]}: `);
        walk((x as Record<string, unknown>)[keys[i]], depth + 1);
      }
      put(' }');
    } catch (e) {
      put(`<unprintable: ${safeString((e as { message?: unknown } | null)?.message ?? e)}>`);
    }
  };
  walk(v, 0);
  const text = out.join('');
  return left < 0 ? `${text}…` : text;
}

export interface CapturedConsole {
  /** console.* for user code. */
  methods: Record<string, (...args: unknown[]) => void>;
  /** Stops capturing: later calls are ignored (finite differences evaluate the function hundreds of times). */
  close(): void;
  /** The kept lines, and a marker line when some were left out. */
  lines(): string[];
}

/** A console whose lines are kept (capped) for the report instead of going anywhere. */
export function captureConsole(): CapturedConsole {
  const kept: string[] = [];
  let chars = 0;
  let open = true;
  let droppedLines = 0;
  let droppedChars = 0;
  const write = (...args: unknown[]) => {
    if (!open) return;
    const full = kept.length < consoleLimits.lines && chars < consoleLimits.totalChars;
    // A dropped line is only measured (strings by their length, anything else by a short rendering).
    const budget = full ? consoleLimits.lineChars : 64;
    const line = capText(args.map((a) => (typeof a === 'string' ? a : renderBounded(a, budget))).join(' '), full ? consoleLimits.lineChars : Infinity);
    if (full) {
      const room = consoleLimits.totalChars - chars;
      kept.push(line.length <= room ? line : capText(line, room));
      chars += line.length;
    } else {
      droppedLines++;
      droppedChars += line.length;
    }
  };
  return {
    methods: { log: write, info: write, warn: write, error: write, debug: write, trace: write },
    close: () => {
      open = false;
    },
    lines: () =>
      droppedLines === 0
        ? kept.slice()
        : [...kept, `… ${thousands(droppedLines)} more line${droppedLines === 1 ? '' : 's'} (${thousands(Math.ceil(droppedChars / 1024))} KB) not shown`],
  };
}
