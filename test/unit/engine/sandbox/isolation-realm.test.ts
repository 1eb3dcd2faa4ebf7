// Isolation within one check: the checked code's patches stay in its own realm, and nothing it is handed lets it change the engine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { runCheck } from '../../../../engine/run';

const root = path.join(__dirname, '../../..');
const file = path.join(root, 'test/fixtures/isolation/self-tamper.ts');

const status = (r: Awaited<ReturnType<typeof runCheck>>, id: string) => r.checks.find((c) => c.id === id)?.status;

test("patching the inputs' Array.prototype patches the checked code's own realm, as in plain JavaScript, and not the engine's", async () => {
  const r = await runCheck({ file, functionName: 'patchesArrays' });
  // In plain JavaScript the patched reduce returns 0 and map keeps 3 entries: f = 0 + 3 + x0² + x1·x2 = 10 at [1, 2, 3].
  assert.equal(r.value, 10);
  assert.deepEqual(r.gradient, [2, 3, 2]);
  // The patched every/some would make any comparison of the engine's pass: the wrong [3, 3, 3] must still fail.
  assert.equal(status(r, 'supplied-gradient'), 'fail');
  assert.equal(status(r, 'gradient-vs-fd'), 'pass');
});

test('every patch through an engine object (function prototypes, Array.prototype, the Float64Array stand-in, an engine error, Error itself) is refused where it is made', async () => {
  const r = await runCheck({ file, functionName: 'patchesEngine' });
  assert.deepEqual(r.console, ['refused 11 of 11']);
  // f = x0² + x1·x2 at [1, 2, 3]; the wrong supplied gradient still fails.
  assert.equal(r.value, 7);
  assert.deepEqual(r.gradient, [2, 3, 2]);
  assert.equal(status(r, 'supplied-gradient'), 'fail');
});

test("a change V8 watches (Array.prototype.constructor) or a new property of Object.prototype, reached through the engine's values, stops the check and names it", async () => {
  await assert.rejects(runCheck({ file, functionName: 'patchesSpecies', at: { x: [1] } }), /^EngineError: the checked code changed the engine's Array\.prototype\.constructor, reached through a value the engine made/);
  await assert.rejects(runCheck({ file, functionName: 'extendsObjectPrototype', at: { x: [1] } }), /^EngineError: the checked code changed the engine's Object\.prototype \(added 'method'\)/);
});

test("patching an active number's prototype stops the check with a TypeError at the user's line", async () => {
  const line = 1 + (await import('node:fs')).readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes('.valueOf = () => 42'));
  await assert.rejects(runCheck({ file, functionName: 'patchesActiveNumbers', at: { x: [1, 2] } }), (e: Error & { info?: { kind: string; line?: number } }) => {
    assert.match(e.message, /^Cannot assign to read only property 'valueOf' of an object of the engine/);
    assert.equal(e.info?.kind, 'threw');
    assert.equal(e.info?.line, line);
    return true;
  });
});

test("the checked code's own Error.prepareStackTrace sees no engine frame's receiver or function", async () => {
  const r = await runCheck({ file, functionName: 'escapesThroughFrames', at: { x: [1.5] } });
  const [line] = r.console!;
  const m = /^frames (\d+), exposed (\d+), reached (\d+)$/.exec(line);
  assert.ok(m, line);
  // The stack runs through the engine (the checks, the evaluator): many frames, of which only the user's own are exposed.
  assert.ok(Number(m[1]) > 5, line);
  assert.equal(m[3], '0');
  assert.equal(r.value, 2.25);
});

test('a returned array whose Symbol.species lies is read entry by entry: the wrong gradient fails', async () => {
  const r = await runCheck({ file, functionName: 'speciesGradientTarget' });
  assert.deepEqual(r.gradient, [2, 3, 2]);
  assert.equal(status(r, 'supplied-gradient'), 'fail');
});

test("a module's top-level polyfills on Array.prototype and Number.prototype apply to its arguments and numbers, as in plain JavaScript", async () => {
  const r = await runCheck({ file: path.join(root, 'test/fixtures/isolation/polyfill.ts'), functionName: 'usesPolyfills' });
  // f = 2·x0·(x0 + x1 + x2) at [1, 2, 3]: 12; the gradient 2·[2x0 + x1 + x2, x0, x0].
  assert.equal(r.value, 12);
  assert.deepEqual(r.gradient, [14, 2, 2]);
  assert.equal(status(r, 'gradient-vs-fd'), 'pass');
});
