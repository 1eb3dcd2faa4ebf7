// Parses the @dlens-* doc-comment tags of a checked function: evaluation points, wrt, supplied derivatives, tolerances.
import { EngineError, type FunctionInfo, type PointValue, type SourceLocation } from '../types';
import { locationAt } from './functions';
import { parseWrtPaths, type WrtPath } from '../paths';
import { directiveTags, type DirectiveTag } from '../directive-tags';

export { directiveTags, type DirectiveTag };

export type PointSpec =
  | { kind: 'json'; value: PointValue }
  | { kind: 'constant'; name: string }
  | { kind: 'normal'; shape: number[]; seed?: number; mean: number; std: number }
  | { kind: 'uniform'; shape: number[]; seed?: number; min: number; max: number };

export interface Directive {
  tag: DirectiveTag;
  /** The tag's argument text, continuation lines joined. */
  text: string;
  location: SourceLocation;
  /** 0-based offsets of the tag and its argument in the file. */
  start: number;
  end: number;
}

export interface Directives {
  list: Directive[];
  at: Map<string, { spec: PointSpec; directive: Directive }>;
  wrt?: { paths: WrtPath[]; text: string; directive: Directive };
  this?: { name: string; directive: Directive };
  gradient?: { name: string; directive: Directive };
  hessianDiagonal?: { name: string; directive: Directive };
  objective?: { name: string; directive: Directive };
  rtol?: { value: number; directive: Directive };
  atol?: { value: number; directive: Directive };
}

const knownTags = new Set<string>(directiveTags.map((t) => t.tag));
const identifier = /^[A-Za-z_$][\w$]*$/;

/** Splits a doc comment into its @dlens-* tags; a tag's argument continues on following lines until the next @tag. */
export function scanTags(text: string, docStart: number, docEnd: number, fileName: string): Directive[] {
  const out: Directive[] = [];
  // Body lines of the comment with their offsets, without the leading ` * ` and the closing `*/`.
  const lines: { text: string; offset: number }[] = [];
  let pos = docStart + 3;
  const body = text.slice(pos, docEnd - 2);
  for (const raw of body.split('\n')) {
    const lead = /^\s*\*?\s?/.exec(raw)![0].length;
    // trimEnd, not /\s+$/: that regex backtracks quadratically over a line of many spaces.
    lines.push({ text: raw.slice(lead).trimEnd(), offset: pos + lead });
    pos += raw.length + 1;
  }
  let current: { tag: string; parts: string[]; start: number; end: number } | undefined;
  const flush = () => {
    if (!current) return;
    const location = locationAt(text, fileName, current.start);
    if (!knownTags.has(current.tag)) {
      throw new EngineError('directive', `unknown tag @${current.tag} (known: ${directiveTags.map((t) => '@' + t.tag).join(', ')})`, location);
    }
    out.push({ tag: current.tag as DirectiveTag, text: current.parts.join('\n').trim(), location, start: current.start, end: current.end });
    current = undefined;
  };
  for (const line of lines) {
    const m = /^@([\w-]+)/.exec(line.text);
    if (m) {
      flush();
      if (m[1].startsWith('dlens-') || m[1] === 'dlens') {
        current = { tag: m[1], parts: [line.text.slice(m[0].length)], start: line.offset, end: line.offset + line.text.length };
      }
    } else if (current && line.text !== '') {
      current.parts.push(line.text.trimStart());
      current.end = line.offset + line.text.length;
    }
  }
  flush();
  return out;
}

function isPointValue(v: unknown): v is PointValue {
  if (typeof v === 'number') return true;
  if (Array.isArray(v)) return v.every(isPointValue);
  return typeof v === 'object' && v !== null && Object.values(v).every(isPointValue);
}

function parseNumber(text: string, what: string, d: Directive): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v)) throw new EngineError('directive', `@${d.tag}: ${what} must be a finite number, got '${text}'`, d.location);
  return v;
}

/** `normal(7x5, seed=1, std=0.1)` / `uniform(10, seed=2)` / `normal(seed=3)` (a scalar). */
function parseGenerator(kind: 'normal' | 'uniform', args: string, d: Directive): PointSpec {
  const parts = args.split(',').map((s) => s.trim()).filter((s) => s !== '');
  let shape: number[] = [];
  const named: Record<string, number> = {};
  for (const [i, part] of parts.entries()) {
    const kv = /^(\w+)\s*=\s*(.+)$/.exec(part);
    if (kv) {
      const allowed = kind === 'normal' ? ['seed', 'mean', 'std'] : ['seed', 'min', 'max'];
      if (!allowed.includes(kv[1])) throw new EngineError('directive', `@dlens-at: ${kind}() takes ${allowed.join(', ')}; got '${kv[1]}'`, d.location);
      named[kv[1]] = parseNumber(kv[2], kv[1], d);
    } else if (i === 0 && /^\d+(\s*[x×]\s*\d+)*$/.test(part)) {
      shape = part.split(/[x×]/).map((s) => Number(s.trim()));
      if (shape.some((n) => n < 1)) throw new EngineError('directive', `@dlens-at: the shape '${part}' has an empty dimension`, d.location);
    } else {
      throw new EngineError('directive', `@dlens-at: expected a shape like 7x5 or 10, then seed=N; got '${part}'`, d.location);
    }
  }
  if (named.seed !== undefined && !Number.isInteger(named.seed)) throw new EngineError('directive', `@dlens-at: seed must be an integer, got ${named.seed}`, d.location);
  if (kind === 'normal') {
    if ((named.std ?? 1) <= 0) throw new EngineError('directive', `@dlens-at: std must be positive, got ${named.std}`, d.location);
    return { kind, shape, seed: named.seed, mean: named.mean ?? 0, std: named.std ?? 1 };
  }
  const min = named.min ?? -1;
  const max = named.max ?? 1;
  if (!(min < max)) throw new EngineError('directive', `@dlens-at: uniform needs min < max, got min=${min}, max=${max}`, d.location);
  return { kind, shape, seed: named.seed, min, max };
}

function parsePoint(value: string, d: Directive, bindings: Set<string>): PointSpec {
  const gen = /^(normal|uniform)\s*\(([\s\S]*)\)$/.exec(value);
  if (gen) return parseGenerator(gen[1] as 'normal' | 'uniform', gen[2], d);
  if (identifier.test(value) && !['NaN', 'Infinity', 'true', 'false', 'null'].includes(value)) {
    if (!bindings.has(value)) throw new EngineError('directive', `@dlens-at: '${value}' is not a constant of this module`, d.location);
    return { kind: 'constant', name: value };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (e) {
    throw new EngineError('directive', `@dlens-at: bad JSON (${(e as Error).message}): ${value.length > 80 ? value.slice(0, 80) + '…' : value}`, d.location);
  }
  if (!isPointValue(parsed)) throw new EngineError('directive', '@dlens-at: the value must be a number, (nested) arrays of numbers, or an object of them', d.location);
  return { kind: 'json', value: parsed };
}

/**
 * The directives of `fn`'s doc comment, validated against its parameters and the module's top-level names
 * (so the bundler never sees an unknown name).
 */
/** The tags that name a hand-written derivative, and which one each names. */
const suppliedRoles = { 'dlens-gradient': 'gradient', 'dlens-hessian-diagonal': 'hessianDiagonal', 'dlens-objective': 'objective' } as const;

export function parseDirectives(text: string, fileName: string, fn: FunctionInfo, bindings: Set<string>): Directives {
  const result: Directives = { list: [], at: new Map() };
  if (fn.docStart === undefined || fn.docEnd === undefined) return result;
  const params = fn.params.map((p) => p.name);
  const once = (d: Directive, taken: unknown) => {
    if (taken) throw new EngineError('directive', `@${d.tag} is given twice`, d.location);
  };
  const functionName = (d: Directive): string => {
    // A method of the checked method's own class or object is called on the same receiver.
    const [owner, member] = d.text.split('.');
    const ownMethod = fn.method !== undefined && owner === fn.method.owner && member !== undefined && identifier.test(member);
    if (!ownMethod && !identifier.test(d.text)) throw new EngineError('directive', `@${d.tag}: expected a function name, got '${d.text}'`, d.location);
    if (!bindings.has(owner)) throw new EngineError('directive', `@${d.tag}: no function named '${d.text}' in this module`, d.location);
    return d.text;
  };
  for (const d of scanTags(text, fn.docStart, fn.docEnd, fileName)) {
    result.list.push(d);
    switch (d.tag) {
      case 'dlens-at': {
        const m = /^([A-Za-z_$][\w$]*)\s*=\s*([\s\S]+)$/.exec(d.text);
        if (!m) throw new EngineError('directive', `@dlens-at: expected 'PARAM = value', got '${d.text}'`, d.location);
        if (!params.includes(m[1])) throw new EngineError('directive', `@dlens-at: ${fn.name} has no parameter '${m[1]}' (parameters: ${params.join(', ')})`, d.location);
        if (result.at.has(m[1])) throw new EngineError('directive', `@dlens-at: '${m[1]}' is given twice`, d.location);
        result.at.set(m[1], { spec: parsePoint(m[2].trim(), d, bindings), directive: d });
        break;
      }
      case 'dlens-wrt': {
        once(d, result.wrt);
        let paths: WrtPath[];
        try {
          paths = parseWrtPaths(d.text, '@dlens-wrt');
        } catch (e) {
          throw e instanceof EngineError ? new EngineError('directive', e.info.message, d.location) : e;
        }
        const roots = fn.method?.kind === 'instance' || fn.method?.kind === 'object' ? [...params, 'this'] : params;
        const unknown = paths.find((p) => !roots.includes(p.root));
        if (unknown) throw new EngineError('directive', `@dlens-wrt: ${fn.name} has no parameter '${unknown.root}' (parameters: ${roots.join(', ')})`, d.location);
        result.wrt = { paths, text: d.text, directive: d };
        break;
      }
      case 'dlens-this':
        once(d, result.this);
        if (!fn.method || fn.method.kind === 'static') throw new EngineError('directive', `@dlens-this: ${fn.name} is not ${fn.method ? 'an instance method' : 'a method'}`, d.location);
        if (!identifier.test(d.text) || !bindings.has(d.text)) throw new EngineError('directive', `@dlens-this: '${d.text}' is not a constant of this module`, d.location);
        result.this = { name: d.text, directive: d };
        break;
      case 'dlens-gradient':
      case 'dlens-hessian-diagonal':
      case 'dlens-objective': {
        const role = suppliedRoles[d.tag];
        once(d, result[role]);
        result[role] = { name: functionName(d), directive: d };
        break;
      }
      case 'dlens-rtol':
      case 'dlens-atol': {
        const key = d.tag === 'dlens-rtol' ? 'rtol' : 'atol';
        once(d, result[key]);
        const value = parseNumber(d.text, key, d);
        if (value < 0) throw new EngineError('directive', `@${d.tag} must not be negative, got ${value}`, d.location);
        result[key] = { value, directive: d };
        break;
      }
    }
  }
  return result;
}
