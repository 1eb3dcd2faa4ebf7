// The CLI as scripts use it: exit codes 0/1/2, the JSON fields the README documents, the human report, --at overrides.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '../../..');
const cli = join(root, 'dist/cli.js');
const founding = join(root, 'examples/founding-loss.ts');

/** A scratch folder for one test's files, removed when the file's tests end. */
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dlens-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function run(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Closed form of the founding loss at Y = T (README "Why"): a_i P_ij (1 − P_ij). */
function foundingDiagonal(): number[][] {
  const hot = [0, 1, 3, 2, 4, 4, 4];
  const counts = [1, 1, 1, 1, 3];
  return hot.map((h) => {
    const z = 4 + Math.E;
    const a = 1 / counts[h];
    return [0, 1, 2, 3, 4].map((k) => {
      const p = (k === h ? Math.E : 1) / z;
      return a * p * (1 - p);
    });
  });
}

test('the founding example: exit 1, the row-sum "Hessian diagonal" fails with its explanation, every JSON field', () => {
  const r = run('check', founding, '--function', 'softmaxLoss', '--json');
  assert.equal(r.code, 1, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.wrt, 'Y');
  assert.deepEqual(report.shape, [7, 5]);
  assert.equal(typeof report.value, 'number');
  assert.equal(typeof report.hessianDiagonalMethod, 'string');
  assert.ok(report.passes >= 1 && report.passes <= 6, `passes ${report.passes}`);
  const expected = foundingDiagonal();
  report.hessianDiagonal.forEach((row: number[], i: number) =>
    row.forEach((v, j) => assert.ok(Math.abs(v - expected[i][j]) < 1e-12, `H[${i}][${j}] = ${v}, closed form ${expected[i][j]}`)),
  );
  assert.ok(Math.abs(report.hessianDiagonal[0][0] - 0.24090069) < 1e-8);
  for (const key of ['evaluate', 'gradient', 'hessianDiagonal', 'finiteDifference', 'total']) {
    assert.equal(typeof report.timingsMs[key], 'number', `timingsMs.${key}`);
  }
  const byId = Object.fromEntries(report.checks.map((c: { id: string }) => [c.id, c]));
  assert.deepEqual(Object.keys(byId).sort(), ['gradient-vs-fd', 'hessian-diagonal-vs-fd', 'supplied-gradient', 'supplied-hessian-diagonal']);
  for (const c of report.checks) {
    assert.ok(['pass', 'fail', 'warn'].includes(c.status));
    assert.equal(typeof c.maxAbsError, 'number');
    assert.equal(typeof c.maxRelError, 'number');
    assert.ok(Array.isArray(c.mismatches));
  }
  assert.equal(byId['gradient-vs-fd'].status, 'pass');
  assert.equal(byId['hessian-diagonal-vs-fd'].status, 'pass');
  assert.equal(byId['supplied-gradient'].status, 'pass');
  const rowSums = byId['supplied-hessian-diagonal'];
  assert.equal(rowSums.status, 'fail');
  assert.match(rowSums.explanation, /row sums/);
  assert.deepEqual(Object.keys(rowSums.mismatches[0]).filter((k) => ['index', 'expected', 'actual'].includes(k)).sort(), ['actual', 'expected', 'index']);
});

test('the correct hand-written Hessian diagonal passes: exit 0, human report with a verdict per check and no colour off a TTY', () => {
  const r = run('check', founding, '--function', 'softmaxLoss', '--hessian-diagonal', 'softmaxLossHessianDiagonal');
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /\x1b\[/);
  assert.match(r.stdout, /✓ pass {2}supplied-hessian-diagonal/);
  assert.match(r.stdout, /PASS — all 4 checks passed/);
  assert.match(r.stdout, /0\.24090069/);
});

test('--at overrides directives, also from @file.json; --wrt picks the parameter', () => {
  const dir = scratch();
  const file = join(dir, 'cubic.ts');
  writeFileSync(file, 'export function cubic(x: number[], s: number): number {\n  return s * x.reduce((a, v) => a + v * v * v, 0);\n}\n');
  writeFileSync(join(dir, 'x.json'), '[1, -2, 0.5]');
  const r = run('check', file, '--function', 'cubic', '--at', `x=@${join(dir, 'x.json')}`, '--at', 's=2', '--json');
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.deepEqual(report.gradient, [6, 24, 1.5]);
  assert.deepEqual(report.hessianDiagonal, [12, -24, 6]);
  assert.deepEqual(report.inputs, [
    { name: 'x', source: 'at', shape: [3] },
    { name: 's', source: 'at', shape: [] },
  ]);
  const text = run('check', file, '--function', 'cubic', '--at', 's=2');
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /\n  input x \(5\): generated: normal 5, seed 1\n  input s \(scalar\): given with --at\n/);
  const bys = run('check', file, '--function', 'cubic', '--at', 'x=[1,-2,0.5]', '--at', 's=2', '--wrt', 's', '--json');
  assert.equal(bys.code, 0, bys.stderr);
  const rs = JSON.parse(bys.stdout);
  assert.deepEqual(rs.shape, []);
  assert.equal(rs.gradient, 1 - 8 + 0.125);
  assert.equal(rs.hessianDiagonal, 0);
});

test('could not evaluate: exit 2 with the message on stderr and error { message, file, line } in JSON', () => {
  const missing = run('check', founding, '--function', 'noSuchFunction', '--json');
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /noSuchFunction/);
  const { error } = JSON.parse(missing.stdout);
  assert.match(error.message, /noSuchFunction/);
  assert.match(error.message, /softmaxLoss/, 'lists the candidates');

  const dir = scratch();
  const file = join(dir, 'throws.ts');
  writeFileSync(file, 'export function f(x: number): number {\n  if (x > 0) {\n    throw new Error("<b>bad</b> input");\n  }\n  return x;\n}\n');
  const thrown = run('check', file, '--function', 'f', '--at', 'x=1', '--json');
  assert.equal(thrown.code, 2);
  const e = JSON.parse(thrown.stdout).error;
  assert.match(e.message, /<b>bad<\/b> input/);
  assert.equal(e.file, file);
  assert.equal(e.line, 3);

  const nested = join(dir, 'nested.ts');
  writeFileSync(nested, 'function inner(v: number): number {\n  if (v < 0) throw new Error(`negative: ${v}`);\n  return Math.log(v);\n}\nexport function outer(x: number[]): number {\n  let s = 0;\n  for (const v of x) s += inner(v);\n  return s;\n}\n');
  const deep = JSON.parse(run('check', nested, '--function', 'outer', '--at', 'x=[1,-1]', '--json').stdout).error;
  assert.deepEqual(deep.stack, ['inner (nested.ts:2:20)', 'outer (nested.ts:7:27)'], 'the user\'s frames, innermost first, in TypeScript lines');
});

test('bad arguments: exit 2 with usage', () => {
  for (const args of [['check', founding], ['frobnicate'], ['check', founding, '--function', 'softmaxLoss', '--at', 'Y'], ['check', founding, '--function', 'softmaxLoss', '--rtol', 'abc']]) {
    const r = run(...args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, /usage: derivative-lens check/);
  }
});

test('--at x=@FILE reads only regular files: /dev/zero, a FIFO and a directory get a clear error at once', () => {
  const dir = scratch();
  const file = join(dir, 'sq.ts');
  writeFileSync(file, 'export function sq(x: number): number {\n  return x * x;\n}\n');
  const fifo = join(dir, 'pipe');
  spawnSync('mkfifo', [fifo]);
  for (const source of ['/dev/zero', fifo, dir]) {
    const r = run('check', file, '--function', 'sq', '--at', `x=@${source}`);
    assert.equal(r.code, 2, source);
    assert.match(r.stderr, new RegExp(`--at: cannot read ${source} \\(not a regular file\\)`));
  }
});

test('a 30 MB console line neither kills the CLI nor swells its report; the console is printed, and in --json', () => {
  const dir = scratch();
  const file = join(dir, 'loud.ts');
  writeFileSync(file, "export function loud(x: number): number {\n  console.log('y'.repeat(30 << 20));\n  console.log('done', x);\n  return x * x;\n}\n");
  const text = run('check', file, '--function', 'loud', '--at', 'x=3');
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /\nconsole\n {2}y{1000}… \(31,456,280 more characters\)\n {2}done 3\n/);
  const json = run('check', file, '--function', 'loud', '--at', 'x=3', '--json');
  assert.ok(json.stdout.length < 100_000);
  assert.deepEqual(JSON.parse(json.stdout).console.slice(1), ['done 3']);
});

test('an error in a file whose name has < and % is placed on that file', () => {
  const dir = scratch();
  const file = join(dir, 'odd <name> 100%.ts');
  writeFileSync(file, 'export function f(x: number): number {\n  if (x > 0) {\n    throw new Error("too big");\n  }\n  return x;\n}\n');
  const e = JSON.parse(run('check', file, '--function', 'f', '--at', 'x=1', '--json').stdout).error;
  assert.equal(e.file, file);
  assert.equal(e.line, 3);
});

test('trees and methods: leaf-keyed JSON with entries named by path, --this, --wrt paths and their syntax errors', () => {
  const dir = scratch();
  const file = join(dir, 'model.ts');
  writeFileSync(
    file,
    `export class Affine {
  constructor(public p: { w: number[]; b: number }) {}
  /** f = Σ (w·x + b)² over two fixed inputs. */
  loss(xs: number[][]): number {
    let s = 0;
    for (const x of xs) {
      const z = this.p.w[0] * x[0] + this.p.w[1] * x[1] + this.p.b;
      s += z * z;
    }
    return s;
  }
  wrongGradient(xs: number[][]): { w: number[]; b: number } {
    const g = { w: [0, 0], b: 0 };
    for (const x of xs) {
      const z = this.p.w[0] * x[0] + this.p.w[1] * x[1] + this.p.b;
      g.w[0] += 2 * z * x[0];
      g.w[1] += 2 * z * x[1];
      g.b += z;
    }
    return g;
  }
}
export const model = new Affine({ w: [0.5, -1], b: 0.25 });
`,
  );
  const args = ['check', file, '--function', 'Affine.loss', '--this', 'model', '--at', 'xs=[[1,2],[3,-1]]', '--wrt', 'this.p'];
  const ok = run(...args, '--json');
  assert.equal(ok.code, 0, ok.stderr);
  const report = JSON.parse(ok.stdout);
  assert.equal(report.wrt, 'this.p');
  assert.deepEqual(report.shape, { 'this.p.w': [2], 'this.p.b': [] });
  // z = (−1.25, 2.75): ∂f/∂w = Σ 2 z x, ∂f/∂b = Σ 2 z.
  assert.deepEqual(report.gradient, { 'this.p.w': [2 * -1.25 * 1 + 2 * 2.75 * 3, 2 * -1.25 * 2 + 2 * 2.75 * -1], 'this.p.b': 3 });
  assert.deepEqual(report.hessianDiagonal, { 'this.p.w': [2 * (1 + 9), 2 * (4 + 1)], 'this.p.b': 4 });
  assert.deepEqual(Object.keys(report.point).sort(), ['this', 'xs']);
  const wrong = run(...args, '--gradient', 'Affine.wrongGradient', '--json');
  assert.equal(wrong.code, 1);
  const supplied = JSON.parse(wrong.stdout).checks.find((c: { id: string }) => c.id === 'supplied-gradient');
  assert.deepEqual(supplied.mismatches.map((m: { entry: string; index: number[] }) => [m.entry, m.index]), [['this.p.b', [2]]]);
  assert.match(supplied.explanation, /^only this\.p\.b is wrong: half the true gradient/);
  const text = run(...args, '--gradient', 'Affine.wrongGradient');
  assert.match(text.stdout, /gradient this\.p\.w \(2\)/);
  assert.match(text.stdout, /this\.p\.b: expected 3, got 1\.5/);
  const bad = run(...args.slice(0, -1), 'this.p[w');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--wrt: expected an index, found 'w' at character 8\n {2}this\.p\[w\n {9}\^/);
});

test('Σ√x at [0, 1, 4]: exit 0 with a warning, and --json writes the infinite entries as "Infinity" / "-Infinity"', () => {
  const dir = scratch();
  const file = join(dir, 'sqrt.ts');
  writeFileSync(file, 'export function sumSqrt(x: number[]): number {\n  let s = 0;\n  for (const v of x) s += Math.sqrt(v);\n  return s;\n}\n');
  const r = run('check', file, '--function', 'sumSqrt', '--at', 'x=[0,1,4]', '--json');
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.verdict, 'warn');
  assert.deepEqual(report.gradient, ['Infinity', 0.5, 0.25]);
  assert.deepEqual(report.hessianDiagonal, ['-Infinity', -0.25, -0.25 * 4 ** -1.5]);
  const g = report.checks.find((c: { id: string }) => c.id === 'gradient-vs-fd');
  assert.equal(g.status, 'warn');
  assert.equal(g.headline, 'x[0] is Infinity');
  assert.match(g.summary, /^gradient: x\[0\] is Infinity while f is finite: Math\.sqrt at 0 has derivative Infinity \(line 3\)/, 'names the operation and line');
  assert.equal(g.reference[0], 'NaN', 'the reference that could not be computed stays distinguishable from null');
  const text = run('check', file, '--function', 'sumSqrt', '--at', 'x=[0,1,4]');
  assert.match(text.stdout, /PASS with 2 warnings/);
});
