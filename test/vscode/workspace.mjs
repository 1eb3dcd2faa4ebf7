// The workspace the real-VS-Code suites open: the bundled examples plus the test-only files of test/fixtures/workspace.
import { cpSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Fills `dir` with examples/*.ts and test/fixtures/workspace/* (the examples are tested as users get them, never copied in the repo). */
export function prepareWorkspace(repoRoot, dir) {
  mkdirSync(dir, { recursive: true });
  const examples = join(repoRoot, 'examples');
  for (const f of readdirSync(examples).filter((f) => f.endsWith('.ts'))) cpSync(join(examples, f), join(dir, f));
  cpSync(join(repoRoot, 'test', 'fixtures', 'workspace'), dir, { recursive: true });
  return dir;
}
