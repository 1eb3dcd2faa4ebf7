// Doc-comment directives: every tag, multi-line JSON, generators, and errors that point at the tag's line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { directiveTags, parseDirectives } from '../../../../engine/load/directives';
import { functionNamed, outlineModule } from '../../../../engine/load/functions';
import { analyseFile, analysisLimitChars } from '../../../../engine/run';
import { EngineError } from '../../../../engine/types';

function parse(doc: string, extra = '') {
  const text = `import { labels } from './data';\nconst T0 = [[1]];\n${extra}\n${doc}\nexport function loss(Y: number[][], T: number[][], w: number[], s: number) { return 0; }\nexport function grad(Y: number[][]) { return Y; }\n`;
  const fn = functionNamed(text, '/w/f.ts', 'loss');
  return parseDirectives(text, '/w/f.ts', fn, outlineModule(text, '/w/f.ts').bindings);
}

function error(doc: string): { kind: string; message: string; line?: number; file?: string } {
  try {
    parse(doc);
  } catch (e) {
    assert.ok(e instanceof EngineError);
    return e.info;
  }
  assert.fail('expected a directive error');
}

test('every tag is parsed, JSON may span lines, locations point at the tags', () => {
  const d = parse(`/**
 * The loss.
 *
 * @dlens-at Y = [[1, 2],
 *                [3, 4]]
 * @dlens-at T = labels
 * @dlens-at w = normal(5, seed=3, std=0.5)
 * @dlens-at s = uniform(seed=2, min=1, max=2)
 * @dlens-wrt Y
 * @dlens-gradient grad
 * @dlens-hessian-diagonal grad
 * @dlens-objective grad
 * @dlens-rtol 1e-6
 * @dlens-atol 1e-9
 */`);
  assert.deepEqual(d.at.get('Y')!.spec, { kind: 'json', value: [[1, 2], [3, 4]] });
  assert.deepEqual(d.at.get('T')!.spec, { kind: 'constant', name: 'labels' });
  assert.deepEqual(d.at.get('w')!.spec, { kind: 'normal', shape: [5], seed: 3, mean: 0, std: 0.5 });
  assert.deepEqual(d.at.get('s')!.spec, { kind: 'uniform', shape: [], seed: 2, min: 1, max: 2 });
  assert.equal(d.wrt!.text, 'Y');
  assert.equal(d.gradient!.name, 'grad');
  assert.equal(d.hessianDiagonal!.name, 'grad');
  assert.equal(d.objective!.name, 'grad');
  assert.equal(d.rtol!.value, 1e-6);
  assert.equal(d.atol!.value, 1e-9);
  assert.equal(d.list.length, 10);
  assert.deepEqual(d.at.get('Y')!.directive.location, { file: '/w/f.ts', line: 7, column: 4 });
  assert.equal(d.wrt!.directive.location.line, 12);
  assert.equal(d.at.get('Y')!.directive.text, 'Y = [[1, 2],\n[3, 4]]');
});

test('a 7x5 normal generator and a one-line doc comment', () => {
  assert.deepEqual(parse('/** @dlens-at Y = normal(7x5, seed=1) */').at.get('Y')!.spec, { kind: 'normal', shape: [7, 5], seed: 1, mean: 0, std: 1 });
  assert.equal(parse('/** no tags here */').list.length, 0);
});

test('other JSDoc tags are left alone', () => {
  assert.equal(parse('/**\n * @param Y predictions\n * @returns the loss\n * @dlens-wrt Y\n */').list.length, 1);
});

test('directive errors name the problem and the line of the tag', () => {
  const doc = (tag: string) => `/**\n * Loss.\n * ${tag}\n */`;
  const cases: [string, RegExp][] = [
    ['@dlens-at Y = [[1, 2], [3', /^@dlens-at: bad JSON/],
    ['@dlens-at Y = {"a": "text"}', /must be a number, \(nested\) arrays of numbers, or an object of them/],
    ['@dlens-wrt Y.a[', /^@dlens-wrt: an index is missing at character 5\n  Y\.a\[\n {6}\^$/],
    ['@dlens-this model', /^@dlens-this: loss is not a method$/],
    ['@dlens-at Q = [1]', /^@dlens-at: loss has no parameter 'Q' \(parameters: Y, T, w, s\)$/],
    ['@dlens-at Y = missingConstant', /'missingConstant' is not a constant of this module/],
    ['@dlens-at Y = normal(7x5, seed=1.5)', /seed must be an integer/],
    ['@dlens-at Y = normal(7x5, sigma=2)', /normal\(\) takes seed, mean, std; got 'sigma'/],
    ['@dlens-at Y = uniform(3, min=2, max=1)', /min < max/],
    ['@dlens-at Y', /expected 'PARAM = value'/],
    ['@dlens-wrt Z', /^@dlens-wrt: loss has no parameter 'Z'/],
    ['@dlens-gradient nothere', /^@dlens-gradient: no function named 'nothere' in this module$/],
    ['@dlens-hessian-diagonal not a name', /expected a function name/],
    ['@dlens-rtol abc', /rtol must be a finite number/],
    ['@dlens-atol -1', /must not be negative/],
    ['@dlens-tolerance 1e-3', /^unknown tag @dlens-tolerance \(known: @dlens-at, @dlens-wrt/],
  ];
  for (const [tag, message] of cases) {
    const info = error(doc(tag));
    assert.equal(info.kind, 'directive', tag);
    assert.match(info.message, message, tag);
    assert.equal(info.line, 6, tag);
    assert.equal(info.file, '/w/f.ts');
  }
  assert.match(error('/**\n * @dlens-wrt Y\n * @dlens-wrt T\n */').message, /given twice/);
});

test('the tag list has a description for every tag', () => {
  assert.deepEqual(directiveTags.map((t) => t.tag), ['dlens-at', 'dlens-wrt', 'dlens-this', 'dlens-gradient', 'dlens-hessian-diagonal', 'dlens-objective', 'dlens-rtol', 'dlens-atol']);
  for (const t of directiveTags) assert.ok(t.description.length > 20 && t.syntax.startsWith(`@${t.tag}`));
});

// Complexity guards, not speed targets: the quadratic scanner took 29 s on the padded line and about a minute on
// the 2 MB file; linear code takes a fraction of a second, far inside the timeout.
test('a doc line padded with 200,000 spaces is scanned in linear time', { timeout: 20_000 }, () => {
  const d = parse(`/**\n * @dlens-at s = 2${' '.repeat(200_000)}\n${' '.repeat(200_000)}\n * @dlens-wrt s\n */`);
  assert.deepEqual(d.at.get('s')?.spec, { kind: 'json', value: 2 });
  assert.equal(d.wrt?.text, 's');
  assert.equal(d.wrt?.directive.location.line, 7);
});

test('the directives of every function of a 2 MB file are located in linear time, and correctly', { timeout: 20_000 }, () => {
  const count = 22_000;
  const parts: string[] = [];
  for (let i = 0; i < count; i++) parts.push(`/**\n * @dlens-at x = [${i}, 2]\n * @dlens-rtol 1e-6\n */\nexport function f${i}(x: number[]): number {\n  return x[0] * ${i};\n}\n`);
  const text = parts.join('\n');
  assert.ok(text.length > 2e6);
  const outline = outlineModule(text, '/w/big.ts');
  const all = outline.functions.map((fn) => parseDirectives(text, '/w/big.ts', fn, outline.bindings));
  assert.equal(all.length, count);
  // Function i starts at line 8i + 1; its tags are on the two lines after the comment's opening.
  for (const i of [0, 1, count - 1]) assert.deepEqual(all[i].list.map((d) => d.location.line), [8 * i + 2, 8 * i + 3]);
  assert.deepEqual(all[count - 1].at.get('x')?.spec, { kind: 'json', value: [count - 1, 2] });
});

test('a file above the analysis limit is not analysed for the editor, and says so', () => {
  const text = `export function f(x: number): number {\n  return x;\n}\n${'// padding\n'.repeat(analysisLimitChars / 10)}`;
  assert.deepEqual(analyseFile(text, '/w/huge.ts'), { functions: [], names: [], tooLarge: { chars: text.length, limit: analysisLimitChars } });
  assert.deepEqual(analyseFile(text.slice(0, 60), '/w/small.ts').functions.map((f) => f.name), ['f']);
});
