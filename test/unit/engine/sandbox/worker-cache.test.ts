// Workers after the first start from a V8 code cache of worker.js: checks give the same results from it as without it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { runCheck } from '../../../../engine/run';
import { codeCacheBytes } from '../../../../engine/sandbox/worker-cache';

const root = path.join(__dirname, '../../..');
const file = path.join(root, 'test/fixtures/isolation/self-tamper.ts');

test('the first worker leaves a code cache; checks started from it give the same report, and still refuse patches of the engine', async () => {
  const first = await runCheck({ file, functionName: 'patchesEngine' });
  assert.ok(codeCacheBytes() > 100_000, `${codeCacheBytes()} bytes`);
  // The spare taken next was started before the cache arrived; the one after it starts from the cache.
  for (let i = 0; i < 2; i++) {
    const again = await runCheck({ file, functionName: 'patchesEngine' });
    assert.equal(again.value, first.value);
    assert.deepEqual(again.gradient, first.gradient);
    assert.deepEqual(again.console, ['refused 11 of 11']);
    assert.deepEqual(again.checks.map((c) => [c.id, c.status]), first.checks.map((c) => [c.id, c.status]));
  }
});
