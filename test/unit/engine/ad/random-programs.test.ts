// Differential test: 1,200 seeded random programs, engine gradient and exact diagonal against Richardson differences and H·e_i.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkProgram } from '../../helpers/ad-random-program';

test('random programs: zero disagreements outside kinks and branch crossings', () => {
  const failures: string[] = [];
  let compared = 0;
  let skipped = 0;
  let rejected = 0;
  let excused = 0;
  for (let seed = 1; seed <= 1200; seed++) {
    const r = checkProgram(seed);
    failures.push(...r.failures);
    compared += r.compared;
    skipped += r.skipped;
    excused += r.excused;
    if (r.rejected) rejected++;
  }
  // Seeds of failures are in the messages: `checkProgram(seed)` and `generateProgram(seed).source` reproduce one.
  assert.deepEqual(failures, []);
  // The comparison must have teeth: nearly every entry is compared, few programs are rejected.
  assert.ok(skipped <= compared / 100, `skipped ${skipped} of ${compared + skipped}`);
  assert.ok(rejected <= 12, `rejected ${rejected} programs`);
  assert.ok(excused <= compared / 100, `excused ${excused} disagreements at recorded kinks`);
});
