// `npm run fuzz -- --count N [--seed S]`: the random-program differential check over N seeds; exits 1 on any disagreement.
import { checkProgram } from './helpers/ad-random-program';

function option(name: string, fallback: number): number {
  const k = process.argv.indexOf(`--${name}`);
  const value = k >= 0 ? Number(process.argv[k + 1]) : fallback;
  if (!Number.isInteger(value) || value < 0) {
    console.error(`--${name} takes a non-negative integer`);
    process.exit(2);
  }
  return value;
}

const count = option('count', 10_000);
const first = option('seed', 1);
const started = performance.now();
let failed = 0;
let compared = 0;
let skipped = 0;
let rejected = 0;
let excused = 0;
for (let seed = first; seed < first + count; seed++) {
  const r = checkProgram(seed);
  compared += r.compared;
  skipped += r.skipped;
  excused += r.excused;
  if (r.rejected) rejected++;
  if (r.failures.length > 0) {
    failed++;
    for (const f of r.failures) console.error(f);
  }
  if ((seed - first + 1) % 10_000 === 0) console.log(`${seed - first + 1} programs, ${failed} with disagreements`);
}
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(`${count} programs (seeds ${first}..${first + count - 1}) in ${seconds} s: ${compared} entries compared, ${skipped} skipped (a difference crossed a kink or branch, or was ill-conditioned), ${excused} disagreements at recorded kinks, ${rejected} programs rejected, ${failed} with disagreements`);
process.exit(failed > 0 ? 1 : 0);
