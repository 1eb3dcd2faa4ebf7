// The .gitignore subset `check --all` honours, pattern by pattern, against what git itself does with the same lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isIgnored, parseGitignore } from '../../engine/load/gitignore';

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
