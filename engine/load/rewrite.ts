// Rewrites the bundle's arithmetic into __ad.* calls by splicing text inside lines, so line numbers stay exact and columns map back.
import * as acorn from 'acorn';
import { EngineError } from '../types';
import { arithmeticOperators, bitOperators, equalityOperators } from '../ad/js/operators';

/** A node as acorn gives it: positions plus whatever fields its type has. */
interface AnyNode {
  type: string;
  start: number;
  end: number;
  [key: string]: any;
}

const binaryOps: Record<string, string> = arithmeticOperators;
const equalityOps: Record<string, string> = equalityOperators;
const bitOps = new Set<string>(bitOperators);
const comparisonOps = new Set(['<', '>', '<=', '>=', '==', '!=', '===', '!==', 'instanceof', 'in']);
/** Array methods that compare entries with `===` or SameValueZero, which an active scalar (an object) would fail. */
const searchMethods = new Set(['includes', 'indexOf', 'lastIndexOf']);

/**
 * One splice: replace [pos, end) with text. `order` sorts splices at one position: closes (0, innermost first), opens
 * (1, outermost first), then the replacement (2).
 */
interface Splice {
  pos: number;
  end: number;
  text: string;
  order: 0 | 1 | 2;
  seq: number;
}

export interface Rewritten {
  code: string;
  /** Maps a 1-based line and 0-based column of the rewritten code to the same in the input code. */
  toInput(line: number, column: number): { line: number; column: number };
}

/**
 * Scratch variables, declared once at the top: the value postfix ++/-- and `||`/`&&` read back, and the object and key
 * of `a[i] ||= y`. Each is read right after it is written, before any other user code runs.
 */
const scratchName = '__dl_t';
const scratchObject = '__dl_o';
const scratchKey = '__dl_k';

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

function upperBound(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Whether `+` on this operand is certainly string concatenation (native `+` is then exact). Cached: `+` chains nest deeply. */
function isStringy(n: AnyNode): boolean {
  if (n.stringy !== undefined) return n.stringy;
  let result = false;
  if (n.type === 'Literal') result = typeof n.value === 'string';
  else if (n.type === 'TemplateLiteral') result = true;
  else if (n.type === 'ParenthesizedExpression') result = isStringy(n.expression);
  else if (n.type === 'BinaryExpression' && n.operator === '+') result = isStringy(n.left) || isStringy(n.right);
  n.stringy = result;
  return result;
}

/** Operands that can never be numbers: comparing an active number with them natively gives the right answer. */
function isNonNumeric(n: AnyNode): boolean {
  if (n.type === 'Literal') return typeof n.value !== 'number';
  if (n.type === 'TemplateLiteral') return true;
  if (n.type === 'Identifier') return n.name === 'undefined';
  if (n.type === 'UnaryExpression') return n.operator === 'typeof' || n.operator === 'void' || n.operator === '!';
  return false;
}

/** Expressions whose value is always a boolean: testing them natively is exact, so they are left alone (loop tests stay fast). */
function isBoolean(n: AnyNode): boolean {
  n = unparen(n);
  if (n.type === 'Literal') return typeof n.value === 'boolean';
  if (n.type === 'UnaryExpression') return n.operator === '!' || n.operator === 'delete';
  if (n.type === 'BinaryExpression') return comparisonOps.has(n.operator);
  if (n.type === 'LogicalExpression') return n.operator !== '??' && isBoolean(n.left) && isBoolean(n.right);
  return false;
}

function unparen(n: AnyNode): AnyNode {
  while (n.type === 'ParenthesizedExpression') n = n.expression;
  return n;
}

/** `sourceType: 'module'` for ES modules loaded as they are (the live hooks); bundles are scripts. */
export function rewriteOperators(code: string, sourceType: 'script' | 'module' = 'script'): Rewritten {
  let ast: AnyNode;
  try {
    ast = acorn.parse(code, { ecmaVersion: 'latest', sourceType, preserveParens: true, allowHashBang: true }) as unknown as AnyNode;
  } catch (e) {
    throw new EngineError('internal', `the bundled code could not be parsed for rewriting: ${(e as Error).message}`);
  }
  const splices: Splice[] = [];
  let seq = 0;
  const open = (pos: number, text: string) => splices.push({ pos, end: pos, text, order: 1, seq: seq++ });
  const close = (pos: number, text: string) => splices.push({ pos, end: pos, text, order: 0, seq: seq++ });
  const replace = (pos: number, end: number, text: string) => splices.push({ pos, end, text, order: 2, seq: seq++ });

  /** Position of `token` in code[from, to), skipping whitespace and comments (operators sit between operands). */
  const findToken = (from: number, to: number, token: string): number => {
    let i = from;
    while (i < to) {
      const c = code[i];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') i++;
      else if (code.startsWith('//', i)) i = code.indexOf('\n', i);
      else if (code.startsWith('/*', i)) i = code.indexOf('*/', i) + 2;
      else break;
    }
    if (!code.startsWith(token, i)) throw new EngineError('internal', `rewriter: expected '${token}' at offset ${i}`);
    return i;
  };

  /** Turns a member target `obj.k` / `obj[k]` into the argument text `obj, "k"` / `obj, k` (the object and key are evaluated once). */
  const memberAsArgs = (m: AnyNode): void => {
    if (m.computed) {
      const open = findToken(m.object.end, m.property.start, '[');
      replace(open, open + 1, ', ');
      const bracket = findToken(m.property.end, m.end, ']');
      replace(bracket, bracket + 1, '');
    } else {
      const dot = findToken(m.object.end, m.property.start, '.');
      replace(dot, dot + 1, ', ');
      replace(m.property.start, m.property.end, JSON.stringify(m.property.name));
    }
  };
  const isPlainMember = (m: AnyNode) =>
    m.type === 'MemberExpression' && m.object.type !== 'Super' && m.property.type !== 'PrivateIdentifier' && !m.optional;
  /** Members whose object and key can be written twice without evaluating anything twice (this.#x, super.k, a.#x). */
  const isRepeatableMember = (m: AnyNode) =>
    m.type === 'MemberExpression' && !m.computed && ['ThisExpression', 'Super', 'Identifier'].includes(m.object.type);

  /** Whether the value of an expression is discarded (statement position, a for-update, a non-final sequence element). */
  const valueUnused = (node: AnyNode, parents: AnyNode[]): boolean => {
    let child = node;
    for (let k = parents.length - 1; k >= 0; k--) {
      const p = parents[k];
      if (p.type === 'ParenthesizedExpression') {
        child = p;
        continue;
      }
      if (p.type === 'ExpressionStatement') return true;
      if (p.type === 'ForStatement') return p.update === child;
      if (p.type === 'SequenceExpression') {
        if (p.expressions[p.expressions.length - 1] !== child) return true;
        child = p;
        continue;
      }
      return false;
    }
    return false;
  };

  const onBinary = (n: AnyNode) => {
    const op = n.operator as string;
    let head: string | undefined;
    if (binaryOps[op] && !(op === '+' && (isStringy(n.left) || isStringy(n.right)))) head = `__ad.${binaryOps[op]}(`;
    else if (equalityOps[op] && !isNonNumeric(unparen(n.left)) && !isNonNumeric(unparen(n.right))) head = `__ad.${equalityOps[op]}(`;
    else if (bitOps.has(op)) head = `__ad.bit('${op}', `;
    if (!head) return;
    open(n.start, head);
    const at = findToken(n.left.end, n.right.start, op);
    replace(at, at + op.length, ',');
    close(n.end, ')');
  };

  /** A value JavaScript tests for truthiness (a condition, `!`'s operand): an active 0 or NaN must count as false. */
  const onTest = (test: AnyNode | null) => {
    if (!test || isBoolean(test)) return;
    open(test.start, '__ad.truthy(');
    close(test.end, ')');
  };

  /** `a || b` → `(truthy(t = a) ? t : b)`, `a && b` → `(truthy(t = a) ? b : t)`: the chosen operand itself, so derivatives flow. */
  const onLogical = (n: AnyNode) => {
    if (n.operator === '??' || isBoolean(n.left)) return; // an active scalar is never nullish; booleans test natively
    const or = n.operator === '||';
    open(n.start, `(__ad.truthy(${scratchName} = `);
    const at = findToken(n.left.end, n.right.start, n.operator);
    replace(at, at + 2, or ? `) ? ${scratchName} : ` : ') ? ');
    close(n.end, or ? ')' : ` : ${scratchName})`);
  };

  /** `o.includes(x)` → `__ad.search(o, "includes", x)`: the runtime compares active scalars by value, and calls anything else as written. */
  const onCall = (n: AnyNode) => {
    const callee = n.callee as AnyNode;
    if (n.optional || !isPlainMember(callee) || callee.computed || !searchMethods.has(callee.property.name)) return;
    open(n.start, '__ad.search(');
    memberAsArgs(callee);
    const paren = findToken(callee.end, n.end, '(');
    replace(paren, paren + 1, ', ');
  };

  /** `switch (d) { case e: }` compares with ===: both sides become plain values (a case match has no derivative). */
  const onCaseValue = (n: AnyNode | null) => {
    if (!n || (unparen(n).type === 'Literal' && unparen(n).value !== null && typeof unparen(n).value !== 'object')) return;
    open(n.start, '__ad.caseValue(');
    close(n.end, ')');
  };

  const onUnary = (n: AnyNode) => {
    const op = n.operator as string;
    const arg = unparen(n.argument);
    if (op === '!') onTest(n.argument);
    else if (op === '-' || op === '+') {
      if (arg.type === 'Literal' && typeof arg.value === 'number') return;
      replace(n.start, n.start + 1, op === '-' ? '__ad.neg(' : '__ad.pos(');
      close(n.end, ')');
    } else if (op === '~') {
      replace(n.start, n.start + 1, `__ad.bit('~', `);
      close(n.end, ')');
    } else if (op === 'typeof') {
      if (arg.type === 'Identifier') {
        // typeof on an undeclared identifier must not throw, so it cannot become a call with the identifier as argument.
        const x = arg.name;
        replace(n.start, n.end, `(typeof ${x} === 'object' && __ad.isAD(${x}) ? 'number' : typeof ${x})`);
      } else {
        replace(n.start, n.start + 'typeof'.length, '__ad.typeOf(');
        close(n.end, ')');
      }
    }
  };

  const onAssignment = (n: AnyNode) => {
    const op = (n.operator as string).slice(0, -1);
    if (op === '||' || op === '&&') return onLogicalAssignment(n, op);
    const name = binaryOps[op];
    if (!name && !bitOps.has(op)) return; // =, &&=, ||=, ??= keep their meaning
    if (op === '+' && isStringy(n.right)) return;
    const target = n.left as AnyNode;
    const opAt = findToken(target.end, n.right.start, n.operator);
    const call = (lhs: string) => (name ? `__ad.${name}(${lhs},` : `__ad.bit('${op}', ${lhs},`);
    if (target.type === 'Identifier' || (isRepeatableMember(target) && !isPlainMember(target))) {
      replace(opAt, opAt + n.operator.length, `= ${call(code.slice(target.start, target.end))}`);
      close(n.end, ')');
    } else if (isPlainMember(target)) {
      open(target.start, '__ad.setOp(');
      memberAsArgs(target);
      replace(opAt, opAt + n.operator.length, `, ${JSON.stringify(name ?? op)},`);
      close(n.end, ')');
    }
  };

  /**
   * `x ||= y` → `(truthy(x) ? x : (x = y))` for a name or a member read without side effects (`this.k`, `o.k`);
   * `a[i] ||= y` → `(truthy(t = (o = a)[k = i]) ? t : (o[k] = y))`, object and key evaluated once (an assignment
   * evaluates its target's object and key before its value, so y cannot overwrite o and k before they are read).
   */
  const onLogicalAssignment = (n: AnyNode, op: '||' | '&&') => {
    const target = n.left as AnyNode;
    const at = findToken(target.end, n.right.start, n.operator);
    if (target.type === 'Identifier' || isRepeatableMember(target)) {
      const text = code.slice(target.start, target.end);
      open(n.start, '(__ad.truthy(');
      replace(at, at + 3, op === '||' ? `) ? ${text} : (${text} = ` : `) ? (${text} = `);
      close(n.end, op === '||' ? '))' : `) : ${text})`);
    } else if (isPlainMember(target) && target.computed) {
      const member = `${scratchObject}[${scratchKey}]`;
      open(n.start, `(__ad.truthy(${scratchName} = (${scratchObject} = `);
      const bracket = findToken(target.object.end, target.property.start, '[');
      replace(bracket, bracket + 1, `)[${scratchKey} = `);
      replace(at, at + 3, op === '||' ? `) ? ${scratchName} : (${member} = ` : `) ? (${member} = `);
      close(n.end, op === '||' ? '))' : `) : ${scratchName})`);
    }
  };

  const onUpdate = (n: AnyNode, parents: AnyNode[]) => {
    const delta = n.operator === '++' ? 1 : -1;
    const arg = unparen(n.argument);
    if (arg.type === 'Identifier') {
      const x = arg.name;
      const fn = delta > 0 ? '__ad.inc' : '__ad.dec';
      let text: string;
      if (valueUnused(n, parents)) text = `${x} = ${fn}(${x})`;
      else if (n.prefix) text = `(${x} = ${fn}(${x}))`;
      else text = `(${scratchName} = __ad.num(${x}), ${x} = ${fn}(${scratchName}), ${scratchName})`;
      replace(n.start, n.end, text);
    } else if (isPlainMember(arg)) {
      if (n.prefix) {
        replace(n.start, n.start + 2, '__ad.preUpdate(');
        memberAsArgs(arg);
        close(n.end, `, ${delta})`);
      } else {
        open(n.start, '__ad.postUpdate(');
        memberAsArgs(arg);
        const at = findToken(n.argument.end, n.end, n.operator);
        replace(at, at + 2, `, ${delta})`);
      }
    }
  };

  const parents: AnyNode[] = [];
  const walk = (node: AnyNode): void => {
    switch (node.type) {
      case 'BinaryExpression':
        onBinary(node);
        break;
      case 'UnaryExpression':
        onUnary(node);
        break;
      case 'AssignmentExpression':
        onAssignment(node);
        break;
      case 'LogicalExpression':
        onLogical(node);
        break;
      case 'IfStatement':
      case 'WhileStatement':
      case 'DoWhileStatement':
      case 'ForStatement':
      case 'ConditionalExpression':
        onTest(node.test);
        break;
      case 'SwitchStatement':
        onCaseValue(node.discriminant);
        break;
      case 'SwitchCase':
        onCaseValue(node.test);
        break;
      case 'CallExpression':
        onCall(node);
        break;
      case 'UpdateExpression':
        onUpdate(node, parents);
        // The argument is an identifier or a member whose parts were already turned into arguments above.
        if (unparen(node.argument).type === 'Identifier') return;
        break;
    }
    if (node.type === 'UnaryExpression' && node.operator === 'typeof' && unparen(node.argument).type === 'Identifier') return;
    parents.push(node);
    for (const key in node) {
      const v = node[key];
      if (Array.isArray(v)) {
        for (const c of v) if (c && typeof c.type === 'string') walk(c);
      } else if (v && typeof v === 'object' && typeof v.type === 'string' && key !== 'loc') {
        walk(v);
      }
    }
    parents.pop();
  };
  walk(ast);
  open(0, `var ${scratchName}, ${scratchObject}, ${scratchKey}; `);
  // Closes at one position come from nested nodes, visited outer first: the inner one must close first.
  splices.sort((a, b) => a.pos - b.pos || a.order - b.order || (a.order === 0 ? b.seq - a.seq : a.seq - b.seq));
  return apply(code, splices);
}

function apply(code: string, splices: Splice[]): Rewritten {
  const out: string[] = [];
  // Kept chunks of the input: where each starts in the output and in the input, and its length.
  const outAt: number[] = [];
  const inAt: number[] = [];
  const lenAt: number[] = [];
  let cursor = 0;
  let outLen = 0;
  const keep = (to: number) => {
    outAt.push(outLen);
    inAt.push(cursor);
    lenAt.push(to - cursor);
    out.push(code.slice(cursor, to));
    outLen += to - cursor;
  };
  for (const s of splices) {
    if (s.pos < cursor) throw new EngineError('internal', `rewriter: overlapping splices at offset ${s.pos}`);
    keep(s.pos);
    out.push(s.text);
    outLen += s.text.length;
    cursor = s.end;
  }
  keep(code.length);
  const rewritten = out.join('');
  const inLines = lineStarts(code);
  const outLines = lineStarts(rewritten);
  if (inLines.length !== outLines.length) throw new EngineError('internal', 'rewriter changed the number of lines');
  return {
    code: rewritten,
    toInput(line, column) {
      const offset = (outLines[line - 1] ?? 0) + column;
      const k = Math.max(0, upperBound(outAt, offset) - 1);
      // Inside inserted text, point at the input position where the insertion happened (an operand's start).
      const input = inAt[k] + Math.max(0, Math.min(offset - outAt[k], lenAt[k]));
      const l = upperBound(inLines, input) - 1;
      return { line: l + 1, column: input - inLines[l] };
    },
  };
}
