// `check --all` as CI uses it: which functions it finds, exit codes, the JUnit XML parsed back, GitHub annotations, parallel = serial.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { elements, parseXml } from '../helpers/xml';

const root = resolve(__dirname, '../../..');
const cli = join(root, 'dist/cli.js');
const tagged = (name: string) => `/** @dlens-at x = [1, 2] */\nexport function ${name}(x: number[]): number {\n  return x[0] * x[1];\n}\n`;

/** The fixture folder copied to a scratch folder (outside any git repository), plus files that must be skipped. */
let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'dlens-all-'));
  cpSync(join(root, 'test/fixtures/suite'), dir, { recursive: true });
  const put = (path: string, text: string) => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  put('node_modules/dep/index.ts', tagged('inDependency'));
  put('types.d.ts', tagged('inDeclarations'));
  put('.gitignore', '# generated code is checked where it is generated from\ngenerated/\n*.skip.ts\n!keep.skip.ts\n');
  put('generated/out.ts', tagged('inGenerated'));
  put('sub/ignored.skip.ts', tagged('inIgnored'));
  put('sub/keep.skip.ts', tagged('keptByNegation'));
  put('sub/.gitignore', '/local.ts\n');
  put('sub/local.ts', tagged('inSubfolderIgnore'));
  put('sub/deeper/local.ts', tagged('notAnchoredThere'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, 'check', '--all', ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', GITHUB_ACTIONS: '', ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function lineOf(file: string, text: string): number {
  const lines = readFileSync(join(dir, file), 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(text));
  assert.ok(i >= 0, `${text} not in ${file}`);
  return i + 1;
}

interface Entry {
  function: string;
  file: string;
  location: { line: number };
  verdict?: string;
  gradient?: unknown;
  hessianDiagonal?: unknown;
  checks?: { id: string; status: string }[];
  error?: { kind: string; message: string; line?: number };
  timingsMs?: unknown;
}

/** Everything but the times, which differ between any two runs. */
/** Measured times differ between runs: the timings, and the check plan's measured costs (its mode and counts stay). */
const measured = new Set(['timingsMs', 'evaluationMs', 'gradientMs', 'fullEstimateMs']);
function withoutTimes(entries: Entry[]): unknown {
  return JSON.parse(JSON.stringify(entries, (k, v) => (measured.has(k) ? undefined : v)));
}

const expectedNames = ['logs', 'missingGradient', 'cubes', 'square', 'spin', 'notAnchoredThere', 'keptByNegation', 'halfWritten', 'cubeSum'];
/** Long enough for every other function on a busy machine; the runaway one costs this much per run. */
const timeout = ['--timeout', '5000'];
/** Everything but the runaway function: what runs under the default time limit. */
const terminating = ['broken.ts', 'cubes.ts', 'sub/deeper', 'sub/keep.skip.ts', 'unparsable.ts', 'wrong.ts'];

test('--all on a folder: every tagged function and only those; results against closed forms; exit 2, the worst', () => {
  const r = run(['--json', ...timeout, '--jobs', '1']);
  assert.equal(r.code, 2, r.stderr);
  const entries = JSON.parse(r.stdout) as Entry[];
  assert.deepEqual(entries.map((e) => e.function), expectedNames, 'file order, then source order; node_modules, .d.ts, .gitignore\'d files and untagged functions skipped');
  const by = Object.fromEntries(entries.map((e) => [e.function, e]));
  // Σ x³ at [1, 2, 3]: ∇ = 3x², diag = 6x. t² at 0.5: 2t = 1, 2.
  assert.deepEqual(by.cubes.gradient, [3, 12, 27]);
  assert.deepEqual(by.cubes.hessianDiagonal, [6, 12, 18]);
  assert.equal(by.cubes.verdict, 'pass');
  assert.equal(by.square.gradient, 1);
  assert.equal(by.square.hessianDiagonal, 2);
  assert.equal(by.cubeSum.verdict, 'fail');
  assert.equal(by.cubeSum.checks!.find((c) => c.id === 'supplied-gradient')!.status, 'fail');
  assert.equal(by.logs.error!.kind, 'threw');
  assert.equal(by.logs.error!.line, lineOf('broken.ts', 'throw new Error'));
  assert.equal(by.missingGradient.error!.kind, 'directive');
  assert.match(by.missingGradient.error!.message, /noSuchGradient/);
  assert.equal(by.spin.error!.kind, 'timeout');
  assert.equal(by.halfWritten.error!.kind, 'syntax');
  assert.equal(by.halfWritten.error!.line, lineOf('unparsable.ts', '* *'));
});

test('the text output: one line per function with ✓/✗, name, file:line and time, then a summary', () => {
  const r = run(['cubes.ts', 'wrong.ts']);
  assert.equal(r.code, 1, `a failed check without errors exits 1\n${r.stdout}${r.stderr}`);
  const lines = r.stdout.split('\n');
  assert.match(lines[0], new RegExp(`^✓ cubes  cubes\\.ts:${lineOf('cubes.ts', 'function cubes(')}  \\d+ ms$`));
  assert.match(lines[1], new RegExp(`^✓ square  cubes\\.ts:${lineOf('cubes.ts', 'const square')}  \\d+ ms$`));
  assert.match(lines[2], new RegExp(`^✗ cubeSum  wrong\\.ts:${lineOf('wrong.ts', 'function cubeSum(')}  \\d+ ms$`));
  assert.match(r.stdout, /x\[2\]: expected 27, got 54/);
  assert.match(r.stdout, /3 functions: 2 passed, 1 failed \(/);
  const ok = run(['cubes.ts']);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
});

test('--junit writes JUnit XML: a testcase per function, a failure per failed check with the worst entries, an error when it could not evaluate', () => {
  const out = join(dir, 'report.xml');
  const r = run(['--junit', out, ...timeout]);
  assert.equal(r.code, 2, r.stderr);
  const doc = parseXml(readFileSync(out, 'utf8'));
  assert.equal(doc.name, 'testsuites');
  assert.deepEqual([doc.attributes.tests, doc.attributes.failures, doc.attributes.errors], ['9', '1', '4']);
  const cases = elements(doc, 'testcase');
  assert.deepEqual(cases.map((c) => c.attributes.name), expectedNames);
  const suites = elements(doc, 'testsuite');
  assert.deepEqual(suites.map((s) => s.attributes.name), ['broken.ts', 'cubes.ts', 'runaway.ts', 'sub/deeper/local.ts', 'sub/keep.skip.ts', 'unparsable.ts', 'wrong.ts']);
  for (const s of suites) assert.equal(Number(s.attributes.tests), elements(s, 'testcase').length);
  const by = Object.fromEntries(cases.map((c) => [c.attributes.name, c]));
  assert.equal(by.cubes.children.length, 0, 'a passing testcase has no failure or error');
  assert.equal(by.cubes.attributes.classname, 'cubes.ts');
  assert.ok(Number(by.cubes.attributes.time) > 0);
  const failures = elements(by.cubeSum, 'failure');
  assert.equal(failures.length, 1);
  assert.equal(failures[0].attributes.type, 'supplied-gradient');
  assert.match(failures[0].attributes.message, /doubledGradient/);
  for (const [i, v] of [1, 2, 3].entries()) assert.ok(failures[0].text.includes(`x[${i}]: expected ${3 * v * v}, got ${6 * v * v}`), failures[0].text);
  assert.match(failures[0].text, /why: 2× the true gradient/);
  const errors = Object.fromEntries(['logs', 'missingGradient', 'spin', 'halfWritten'].map((n) => [n, elements(by[n], 'error')]));
  assert.deepEqual(Object.values(errors).map((e) => e.map((x) => x.attributes.type)), [['threw'], ['directive'], ['timeout'], ['syntax']]);
  assert.match(errors.logs[0].text, /^broken\.ts:\d+: logs needs positive entries, got -1$/);
});

test('GITHUB_ACTIONS=true: ::error annotations at the wrong hand-written function and where an evaluation failed', () => {
  const r = run(['wrong.ts', 'broken.ts'], { GITHUB_ACTIONS: 'true' });
  const annotations = r.stdout.split('\n').filter((l) => l.startsWith('::'));
  const wrong = annotations.find((a) => a.includes('supplied-gradient'));
  assert.ok(wrong, r.stdout);
  assert.ok(wrong.startsWith(`::error file=wrong.ts,line=${lineOf('wrong.ts', 'function doubledGradient')},title=Derivative Lens%3A cubeSum · supplied-gradient::`), wrong);
  assert.match(wrong, /%0Awhy: 2× the true gradient/, 'newlines are escaped so the message stays one command');
  assert.ok(annotations.some((a) => a.startsWith(`::error file=broken.ts,line=${lineOf('broken.ts', 'throw new Error')},`)), annotations.join('\n'));
  assert.equal(annotations.length, 3, annotations.join('\n'));
  const quiet = run(['wrong.ts']);
  assert.ok(!quiet.stdout.includes('::error'), 'no annotations outside GitHub Actions');
});

test('parallel runs give the same reports as the serial run, in the same order', () => {
  const serial = run(['--json', '--jobs', '1', ...terminating]);
  const parallel = run(['--json', '--jobs', '3', ...terminating]);
  assert.equal(JSON.parse(serial.stdout).length, expectedNames.length - 1);
  assert.equal(parallel.code, serial.code);
  assert.deepEqual(withoutTimes(JSON.parse(parallel.stdout)), withoutTimes(JSON.parse(serial.stdout)));
});

test('a folder without tagged functions says so and exits 0; bad input exits 2 with a message', () => {
  const empty = mkdtempSync(join(tmpdir(), 'dlens-all-empty-'));
  after(() => rmSync(empty, { recursive: true, force: true }));
  cpSync(join(dir, 'untagged.ts'), join(empty, 'untagged.ts'));
  const r = spawnSync(process.execPath, [cli, 'check', '--all'], { cwd: empty, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /no function with a @dlens- tag in the current folder/);
  const missing = run(['no-such-folder']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no such file or folder: no-such-folder/);
  const mixed = run(['--function', 'cubes']);
  assert.equal(mixed.code, 2);
  assert.match(mixed.stderr, /--function names one check/);
  const jobs = run(['--jobs', '0']);
  assert.equal(jobs.code, 2);
  assert.match(jobs.stderr, /--jobs expects a whole number/);
});
