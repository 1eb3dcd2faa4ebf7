// The .gitignore subset `check --all` honours, pattern by pattern as git reads them, and the file walk built on it.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { collectFiles, isCollected } from '../../../../engine/load/annotated';
import { isIgnored, parseGitignore } from '../../../../engine/load/gitignore';

const base = '/repo';
/** [pattern lines, path relative to /repo, is a folder, ignored by git]. */
const cases: [string, string, boolean, boolean][] = [
  ['build', 'build', true, true],
  ['build', 'src/build', true, true],
  ['build', 'src/build.ts', false, false],
  ['build/', 'build', false, false],
  ['build/', 'src/build', true, true],
  ['/build', 'src/build', true, false],
  ['/build', 'build', true, true],
  ['src/gen', 'src/gen', true, true],
  ['src/gen', 'lib/src/gen', true, false],
  ['*.gen.ts', 'a/b/x.gen.ts', false, true],
  ['*.gen.ts', 'a/b/x.ts', false, false],
  ['a/*.ts', 'a/x.ts', false, true],
  ['a/*.ts', 'a/b/x.ts', false, false],
  ['**/fixtures', 'deep/down/fixtures', true, true],
  ['a/**/z.ts', 'a/z.ts', false, true],
  ['a/**/z.ts', 'a/b/c/z.ts', false, true],
  ['a/**', 'a/b/c.ts', false, true],
  ['x?.ts', 'x1.ts', false, true],
  ['x?.ts', 'x12.ts', false, false],
  ['x[0-9].ts', 'x7.ts', false, true],
  ['x[!0-9].ts', 'x7.ts', false, false],
  ['*.ts\n!keep.ts', 'keep.ts', false, false],
  ['*.ts\n!keep.ts', 'other.ts', false, true],
  ['!keep.ts\n*.ts', 'keep.ts', false, true],
  ['# comment\n\n  \n\\#hash.ts', '#hash.ts', false, true],
  ['# comment', '# comment', false, false],
  ['a.b', 'aXb', false, false],
];

test('patterns: anchoring, folder-only, wildcards, classes, negation (last match wins), comments and escapes', () => {
  for (const [lines, path, folder, ignored] of cases) {
    assert.equal(isIgnored(parseGitignore(lines, base), `${base}/${path}`, folder), ignored, `${JSON.stringify(lines)} on ${path}${folder ? '/' : ''}`);
  }
});

test("a nested .gitignore applies only below its folder, and paths outside every rule's folder are kept", () => {
  const rules = [...parseGitignore('*.tmp.ts', '/repo'), ...parseGitignore('/local.ts', '/repo/sub')];
  assert.equal(isIgnored(rules, '/repo/sub/local.ts', false), true);
  assert.equal(isIgnored(rules, '/repo/local.ts', false), false);
  assert.equal(isIgnored(rules, '/repo/sub/deeper/local.ts', false), false);
  assert.equal(isIgnored(rules, '/repo/sub/x.tmp.ts', false), true);
  assert.equal(isIgnored(rules, '/elsewhere/x.tmp.ts', false), false);
});

test('isCollected (asked by the Test Explorer per file) agrees with collectFiles (the walk of check --all) on every file of a tree', () => {
  const root = mkdtempSync(join(tmpdir(), 'dlens-collect-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const files = ['a.ts', 'b.d.ts', 'c.js', 'gen/x.ts', 'src/y.ts', 'src/keep.skip.ts', 'src/z.skip.ts', 'src/local.ts', 'src/deep/local.ts', 'node_modules/m/i.ts', 'src/build/o.ts'];
  for (const f of files) {
    mkdirSync(dirname(join(root, f)), { recursive: true });
    writeFileSync(join(root, f), '');
  }
  writeFileSync(join(root, '.gitignore'), 'gen/\n*.skip.ts\n!keep.skip.ts\nbuild\n');
  writeFileSync(join(root, 'src/.gitignore'), '/local.ts\n');
  const walked = new Set(collectFiles([root]));
  assert.deepEqual([...walked].map((f) => f.slice(root.length + 1)), ['a.ts', 'src/deep/local.ts', 'src/keep.skip.ts', 'src/y.ts']);
  for (const f of files) assert.equal(isCollected(join(root, f), root), walked.has(join(root, f)), f);
  assert.equal(isCollected(join(tmpdir(), 'elsewhere.ts'), root), false, 'outside the root');
});
