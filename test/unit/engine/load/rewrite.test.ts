// The operator rewriter keeps JavaScript's semantics, evaluates every operand once, and never moves a line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { rewriteOperators } from '../../../../engine/load/rewrite';
import { runtime } from '../../../../engine/ad/runtime';

/** Runs a function body before and after rewriting (with the real runtime, on plain values) and returns both results. */
function both(body: string): { before: unknown; after: unknown; code: string } {
  const code = rewriteOperators(`(function () {\n${body}\n})`).code;
  const before = (0, eval)(`(function () {\n${body}\n})`)();
  const after = new Function('__ad', code.replace(/^var [^;]*; /, '$&return '))(runtime)();
  return { before, after, code };
}

const cases: [string, string][] = [
  ['arithmetic and precedence', 'const a = 3, b = 4.5; return [a + b * 2 - a / b % 2, (a + b) ** 2, 2 ** 3 ** 2, (-a) ** 2, a - -b, +\'7\' + 1];'],
  ['strings and mixed +', "const n = 2; return ['a' + n + 1, n + 1 + 'a', `x${n + 1}y` + n, 'p' + 'q', [1] + 2, null + 1, undefined + 1, true + 1];"],
  ['equality', "const a = 1, s = '1', o = {}; return [a === 1, a !== s, a == s, a != s, o === o, null == undefined, NaN === NaN, a == null];"],
  ['typeof', "let q; const o = { k: 1 }; return [typeof q, typeof notDeclaredAnywhere, typeof o.k, typeof o, typeof (() => 1), typeof 1n];"],
  ['bit operations', 'const a = 12, b = 5; return [a | b, a & b, a ^ b, a << 2, -a >> 1, -a >>> 28, ~a, ~~3.7];'],
  ['compound assignment on identifiers', "let x = 2, s = 'a'; x += 3; x -= 1; x *= 5; x /= 4; x %= 3; x **= 3; s += 1; s += 'b'; let y = 5; y |= 2; y <<= 1; return [x, s, y];"],
  ['logical assignment', 'let a = 0, b = 1, c = null; const o = { p: 0, q: 2 }, arr = [0]; a ||= 7; b &&= 8; c ??= 9; o.p ||= 3; o.q &&= 4; arr[0] ||= 5; arr[0] &&= arr[0] + 1; const m = [[0, 2]]; let i = 0; m[i++][i++] ||= 7; m[0][i--] &&= (m[0][0] ||= 3); return [a, b, c, o, arr, m, i, (a ||= 1), (b &&= 0)];'],
  ['truthiness: conditions, !, ?:, || and &&', "let n = 0, s = ''; const z = 0, one = 1, nan = NaN; if (z) n += 1; if (one) n += 2; while (n < 10 && one) n += 3; do n++; while (z); for (let k = 3; k; k--) n += k; return [n, !z, !!one, !nan, z ? 'a' : 'b', nan || 4, one && 5, z && 6, z || nan || 7, null ?? 8, z ?? 9, one || s, (z || one) && (one || z), one < 2 || z];"],
  ['switch compares by ===', "const out = []; for (const d of [0, 1, 2, '1', null]) { switch (d) { case 0: out.push('zero'); break; case 2 - 1: out.push('one'); break; case '1': out.push('string'); break; case null: out.push('null'); break; default: out.push('other'); } } return out;"],
  ['includes, indexOf, lastIndexOf on arrays and strings', "const a = [1, 2, NaN, 2], s = 'abcab', o = { indexOf: (x) => x * 2 }; return [a.includes(NaN), a.indexOf(NaN), a.indexOf(2), a.lastIndexOf(2), a.indexOf(2, 2), a.includes(3), s.indexOf('b'), s.lastIndexOf('b'), s.includes('ca'), o.indexOf(21), [,1].includes(undefined), [,1].indexOf(undefined)];"],
  ['nested operators closing at one position', 'const o = { k: 2 }, x = 3; const a = x * ++o.k; const b = x - o.k--; const c = x || x && x; return [a, b, c, o.k];'],
  ['compound assignment on members', "const o = { k: 1, arr: [1, 2, 3] }; o.k += 2; o['k'] *= 3; o.arr[1] -= 5; o.arr[2] **= 2; o.k |= 16; return [o.k, o.arr];"],
  ['++ and -- in every position', 'let i = 0, j = 10; i++; ++i; j--; const a = i++, b = ++i, c = j--, d = --j; for (let k = 0; k < 3; k++, j--) i += k; return [i, j, a, b, c, d];'],
  ['++ on members', 'const o = { n: 1 }, a = [5, 6]; o.n++; const x = o.n++, y = ++o.n, z = a[1]--, w = --a[0]; return [o, a, x, y, z, w];'],
  ['++ on a string coerces', "let s = '5'; const t = s++; let u = '1'; const v = ++u; return [s, t, u, v, typeof t];"],
  ['optional chaining, spread, destructuring', 'const o = { a: { b: 2 } }, arr = [1, 2, 3]; const { a: { b }, c = b * 3 } = o; const [x, ...rest] = arr.map((v) => v * 2); return [o?.a?.b + 1, o.z?.q, c, x + rest.length, Math.max(...arr) - 1, [...arr, b ** 2]];'],
  ['classes, getters, private fields, super', 'class A { #p = 2; static s = 3 * 4; get twice() { return this.#p * 2; } bump() { this.#p += 5; this.#p++; return this.#p; } } class B extends A { get twice() { return super.twice + 1; } } const b = new B(); return [b.twice, b.bump(), b.twice, A.s];'],
  ['labels, loops, switch, comma', 'let n = 0; outer: for (let i = 0; i < 5; i++) { for (let j = 0; j < 5; j++) { if (j * i > 6) continue outer; if (i - j === 4) break outer; n += i - j; } } let m = (n++, n * 2); switch (m % 3) { case 0: m -= 1; break; default: m += 1; } return [n, m];'],
  ['async and generators', 'function* g() { let k = 0; while (k < 3) yield k++ * 2; } return [...g()].concat([typeof (async () => 1)()]);'],
  ['closures and array methods', 'const xs = [3, 1, 2]; const f = (k) => (v) => v * k - 1; return [xs.map(f(2)), xs.reduce((s, v) => s + v * v, 0), xs.filter((v) => v % 2 === 1), xs.sort((a, b) => a - b)];'],
  ['comments and newlines between operands', 'const a = 2,\n  b = 3;\nreturn [a /* c */ +\n  b, a\n  * // line comment\n  b, (a\n)\n-\n(b)];'],
  ['in, instanceof, comparisons untouched', "const o = { k: 1 }; return ['k' in o, o instanceof Object, 1 < 2, 2 >= 2, 'a' < 'b'];"],
  ['negative literals and unary plus of strings', "return [-1, - 2.5, +'3', -'4', -(-5)];"],
  ['BigInt keeps its semantics', 'let a = 5n, b = 2n; a += 1n; a++; return [String(a + b), String(a * b), String(a ** b), String(-a), String(a % b)];'],
  ['template literals', 'const x = 1.5; return [`${x * 2}`, `a${x}b${x - 1}c`];'],
];

for (const [name, body] of cases) {
  test(`rewrite preserves semantics: ${name}`, () => {
    const { before, after, code } = both(body);
    assert.deepEqual(after, before);
    assert.equal(code.split('\n').length, `(function () {\n${body}\n})`.split('\n').length);
    const untouched = name.includes('untouched');
    assert.equal(code.replace(/^var [^;]*; /, '').includes('__ad.'), !untouched, code);
  });
}

test('a[i++] += v evaluates the index and the object once', () => {
  const { before, after } = both(`
    let i = 0, gets = 0; const a = [10, 20, 30];
    const obj = () => { gets++; return a; };
    obj()[i++] += 5; obj()[i++] *= 2; obj()[i]++; ++obj()[i];
    return [a, i, gets];`);
  assert.deepEqual(after, [[15, 40, 32], 2, 4]);
  assert.deepEqual(after, before);
});

test('a value-position postfix update reads the old value once', () => {
  let reads = 0;
  const o = { get k() { reads++; return 5; }, set k(_v: number) {} };
  const code = rewriteOperators('(function (o) { let x = 1; const y = x++ + x++; return [y, x, o.k++]; })').code;
  const result = new Function('__ad', code.replace(/^var [^;]*; /, '$&return '))(runtime)(o);
  assert.deepEqual(result, [3, 3, 5]);
  assert.equal(reads, 1);
});

test('the rewritten code has the same lines, and columns map back to the input', () => {
  const src = 'var a = 1;\nvar total = a * 2 + a;\nfunction f(x) {\n  return x ** 2 - x;\n}';
  const r = rewriteOperators(src);
  const outLines = r.code.split('\n');
  assert.equal(outLines.length, 5);
  // `x ** 2` starts at column 9 of line 4 in the input; find the same `x` in the output and map it back.
  const col = outLines[3].indexOf('x ,');
  assert.deepEqual(r.toInput(4, col), { line: 4, column: 9 });
  // An inserted call head maps to where it was inserted: the operand's start.
  const head = outLines[1].indexOf('__ad.add(');
  assert.deepEqual(r.toInput(2, head), { line: 2, column: 12 });
  // Untouched text maps one to one.
  assert.deepEqual(r.toInput(3, 9), { line: 3, column: 9 });
});

test('string-only + chains and comparisons with non-numbers stay native', () => {
  const code = rewriteOperators("var s = 'a' + 'b' + `c`; var t = typeof s === 'string'; var u = s == null;").code;
  assert.ok(!code.includes('__ad.add'), code);
  assert.ok(!code.includes('__ad.eq') && !code.includes('__ad.looseEq'), code);
});

test('rewritten code differentiates through the real runtime', async () => {
  const { Tape } = await import('../../../../engine/ad/tape');
  const { withTape } = await import('../../../../engine/ad/context');
  const { ADNum } = await import('../../../../engine/ad/adnum');
  const code = rewriteOperators('(function (x) { let s = 0; for (let i = 1; i <= 3; i++) s += x ** i / i; s -= -x; return s; })').code;
  const f = new Function('__ad', code.replace(/^var [^;]*; /, '$&return '))(runtime);
  const tape = new Tape();
  const out = withTape(tape, () => f(new ADNum(tape.variable(0.7, 0), 0.7)));
  // s = x + x²/2 + x³/3 + x: a reverse sweep by hand over the recorded tape gives ds/dx = 2 + x + x².
  const adj = new Float64Array(tape.size);
  adj[out.id] = 1;
  for (let k = tape.size - 1; k >= 0; k--) {
    if (tape.a[k] >= 0) adj[tape.a[k]] += adj[k] * tape.da[k];
    if (tape.b[k] >= 0) adj[tape.b[k]] += adj[k] * tape.db[k];
  }
  assert.ok(Math.abs(out.v - (0.7 + 0.49 / 2 + 0.343 / 3 + 0.7)) < 1e-15);
  assert.ok(Math.abs(adj[0] - (2 + 0.7 + 0.49)) < 1e-14);
});

test('a real library (ml-matrix, 150 kB of JavaScript) computes the same results after rewriting', () => {
  const file = require.resolve('ml-matrix');
  const src = fs.readFileSync(file, 'utf8');
  const r = rewriteOperators(src);
  assert.equal(r.code.split('\n').length, src.split('\n').length);
  const load = (code: string, ad?: unknown) => {
    const module = { exports: {} as Record<string, any> };
    new Function('module', 'exports', 'require', '__ad', code)(module, module.exports, require, ad);
    return module.exports;
  };
  const compute = (ml: Record<string, any>) => {
    const A = new ml.Matrix([[4, 1, 2], [1, 5, 3], [2, 3, 6]]);
    const inv = ml.inverse(A).to2DArray();
    const svd = new ml.SingularValueDecomposition(A).diagonal;
    const chol = new ml.CholeskyDecomposition(A).lowerTriangularMatrix.to2DArray();
    const prod = A.mmul(A.transpose()).add(1).mul(0.5).sum('row');
    return { inv, svd, chol, prod, text: A.toString(), norm: A.norm(), det: ml.determinant(A) };
  };
  assert.deepEqual(compute(load(r.code, runtime)), compute(load(src)));
});
