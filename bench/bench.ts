// `npm run bench`: one table of medians and ratios to plain f — gradient, exact Hessian diagonal, FD checks, whole check, memory — beside TF.js.
import { join } from 'node:path';
import { runChecks } from '../engine/check/checks';
import { runCheck } from '../engine/run';
import { defaultEngineOptions, defaultTolerances } from '../engine/types';
import { foundingCase, relativeError, rosenbrockCase, type BenchCase, type Form } from './cases';
import { loadInProcess } from './in-process';
import { loadLiveModule } from './live';
import { RssWatcher, collectGarbage, time, timeInner } from './measure';
import { loadTfPeer } from './peers/load-tfjs';
import { loadPlainModule } from './plain';
import type { TfPeer } from './peers/tfjs';
import { count, formatTable, ms, ratio, sci } from './table';
import { measureWholeChecks } from './whole-check';

const root = join(__dirname, '..');

const cases: BenchCase[] = [
  ...[7, 70, 700, 7_000, 70_000].map((rows) => foundingCase('ml-matrix', rows)),
  ...[7, 70, 700, 7_000].map((rows) => foundingCase('loops', rows)),
  ...[10, 1_000, 100_000].map(rosenbrockCase),
];

/** An FD check or a whole check predicted to take longer than this is skipped, with the prediction printed. */
const OPTIONAL_BUDGET_MS = 20_000;
/** TF.js's N Hessian-vector products run in full only when predicted to finish within this. */
const TF_BUDGET_MS = 30_000;
/** Entries whose TF.js diagonal is computed when the full run is skipped (for its relative error). */
const TF_SAMPLED_ENTRIES = 16;
const WHOLE_CHECK_N = 35_000;

/** A measured time, or a prediction for a skipped one. */
interface Cost {
  ms: number;
  predicted: boolean;
}

interface EngineResult {
  c: BenchCase;
  plain: number;
  gradient: number;
  /** Value + gradient + exact diagonal from one recording (Evaluator.derivatives on a fresh evaluator, warm buffers). */
  diagonal: number;
  /** The diagonal sweep alone, as the engine times it. */
  sweep: number;
  passes: number;
  relError: number;
  fd: Cost;
  check: Cost;
  /** Peak RSS while the row's engine columns were measured, and its rise over the RSS at the row's start (after a full GC). */
  rssMb: number;
  rssRiseMb: number;
  /** Plain evaluation of the rewritten function (Evaluator.f): the price of one FD evaluation. */
  sandboxF: number;
  /** A plain call of the function as the live load hooks rewrite it, in this process: what user code pays outside a check. */
  live: number;
}

interface TfResult {
  f: number;
  gradient: number;
  hvp: number;
  diagonal: Cost;
  relError: number;
  sampled: boolean;
}

const checkOptions = {
  fd: defaultTolerances.fd,
  supplied: defaultTolerances.supplied,
  sampleThreshold: defaultEngineOptions.fdSampleThreshold,
  sampleSize: defaultEngineOptions.fdSampleSize,
  seed: defaultEngineOptions.seed,
};

/** Coordinates the FD checks difference: all of them up to the threshold, then the sample. */
const fdEntries = (n: number) => (n > checkOptions.sampleThreshold ? checkOptions.sampleSize : n);

/** FD time grows with the entries differenced times the cost of one evaluation: predicted from the previous size. */
function predictFd(prev: EngineResult | undefined, c: BenchCase, sandboxF: number): number {
  return prev ? prev.fd.ms * (fdEntries(c.n) / fdEntries(prev.c.n)) * (sandboxF / prev.sandboxF) : 0;
}

/** A whole check is a fixed start-up (bundle, worker) plus the FD checks, which dominate as N grows. */
function predictCheck(prev: EngineResult | undefined, fd: number): number {
  return prev ? prev.check.ms + Math.max(0, fd - prev.fd.ms) : 0;
}

async function optional(predicted: number, measure: () => Promise<number>): Promise<Cost> {
  if (predicted > OPTIONAL_BUDGET_MS) return { ms: predicted, predicted: true };
  return { ms: await measure(), predicted: false };
}

async function measureEngine(c: BenchCase, prev: EngineResult | undefined, watcher: RssWatcher): Promise<EngineResult> {
  const plainF = c.plain(await loadPlainModule(root, c.file));
  collectGarbage();
  const rssStart = process.memoryUsage.rss() / 2 ** 20;
  watcher.reset();
  const plain = (await time(plainF)).ms;
  const live = (await time(c.plain(loadLiveModule(root, c.file)))).ms;
  const loaded = await loadInProcess(root, c);
  const ev = loaded.evaluator();
  const sandboxF = (await time(() => ev.f(ev.x0))).ms;
  const gradient = (await time(() => ev.gradientAt(ev.x0))).ms;

  let passes = 0;
  let relError = NaN;
  const sweeps: number[] = [];
  const diagonal = timeInner(() => {
    const fresh = loaded.evaluator();
    fresh.gradientAt(fresh.x0); // grows the tape to size: the timed call starts with warm buffers, like the gradient's
    const t0 = performance.now();
    const d = fresh.derivatives();
    const elapsed = performance.now() - t0;
    passes = d.passes;
    relError = relativeError(d.hessianDiagonal, c.exactDiagonal, c.exactScale);
    sweeps.push(d.timingsMs.hessianDiagonal);
    return elapsed;
  }).ms;
  const timedSweeps = sweeps.slice(1).sort((a, b) => a - b); // [0] is the warm-up's

  const fd = await optional(predictFd(prev, c, sandboxF), async () =>
    timeInner(() => {
      const fresh = loaded.evaluator();
      fresh.derivatives();
      return runChecks(fresh, checkOptions).timingsMs.finiteDifference;
    }).ms,
  );
  const check = await optional(predictCheck(prev, fd.ms), async () => {
    const request = { file: join(root, c.file), functionName: c.functionName, wrt: c.wrt, at: c.at, options: { timeoutMs: 10 * OPTIONAL_BUDGET_MS } };
    return (await time(() => runCheck(request))).ms;
  });
  const rssMb = watcher.peakMb();
  return { c, plain, gradient, diagonal, sweep: timedSweeps[timedSweeps.length >> 1], passes, relError, fd, check, rssMb, rssRiseMb: rssMb - rssStart, sandboxF, live };
}

async function measureTf(peer: TfPeer, c: BenchCase): Promise<TfResult> {
  const p = c.tf(peer);
  try {
    const f = (await time(() => p.f())).ms;
    const gradient = (await time(() => p.gradient())).ms;
    let next = 0;
    const hvp = (await time(() => p.hessianDiagonalEntry(next++ % p.n))).ms;
    const full = p.n * hvp <= TF_BUDGET_MS;
    const entries = full ? Array.from({ length: p.n }, (_, i) => i) : Array.from({ length: TF_SAMPLED_ENTRIES }, (_, k) => Math.floor((k * p.n) / TF_SAMPLED_ENTRIES));
    const t0 = performance.now();
    const values = entries.map((i) => p.hessianDiagonalEntry(i));
    const diagonal: Cost = full ? { ms: performance.now() - t0, predicted: false } : { ms: p.n * hvp, predicted: true };
    const relError = relativeError(values, entries.map((i) => c.exactDiagonal[i]), entries.map((i) => c.exactScale[i]));
    return { f, gradient, hvp, diagonal, relError, sampled: !full };
  } finally {
    p.dispose();
  }
}

/** The targets that apply to a row, as "PASS" or the list of misses. */
function verdict(r: EngineResult): string {
  const misses: string[] = [];
  const need = (ok: boolean, what: string) => ok || misses.push(what);
  need(r.relError <= 1e-12, 'exact');
  need(r.passes <= 6, 'passes');
  if (r.c.form === 'ml-matrix') {
    need(r.diagonal / r.plain <= 10, 'diag≤10×f');
    need(r.gradient / r.plain <= 4, 'grad≤4×f');
  } else {
    need(r.diagonal / r.gradient <= 5, 'diag≤5×grad');
    need(r.gradient / r.plain <= 20, 'grad≤20×f');
  }
  if (r.c.n === WHOLE_CHECK_N) need(r.check.ms / r.plain <= 50, 'check≤50×f');
  need(r.rssMb <= 300, 'mem≤300MB');
  need(r.live / r.plain <= 2, 'live≤2×f');
  return misses.length ? `MISS ${misses.join(' ')}` : 'PASS';
}

const costRatio = (cost: Cost, plain: number) => (cost.predicted ? `≈${ratio(cost.ms / plain)}*` : ratio(cost.ms / plain));
const seconds = (cost: Cost) => `${cost.predicted ? '≈' : ''}${(cost.ms / 1000).toPrecision(2)} s${cost.predicted ? '*' : ''}`;

function printTable(engine: EngineResult[], tf: (TfResult | undefined)[]): void {
  const headers = [
    'case', 'N', 'f ms', 'live f ×f', 'grad ×f', 'diag ×f', 'sweep ×f', 'diag/grad', 'FD ×f', 'check ×f', 'passes', 'diag rel err',
    'peak RSS MB (rise)', 'TF f ms', 'TF grad ×f', 'TF diag (N HVPs)', 'TF rel err', 'targets',
  ];
  const rows = engine.map((r, i) => {
    const t = tf[i];
    return [
      r.c.form,
      count(r.c.n),
      ms(r.plain),
      ratio(r.live / r.plain),
      ratio(r.gradient / r.plain),
      ratio(r.diagonal / r.plain),
      ratio(r.sweep / r.plain),
      ratio(r.diagonal / r.gradient),
      costRatio(r.fd, r.plain),
      costRatio(r.check, r.plain),
      String(r.passes),
      sci(r.relError),
      `${r.rssMb.toFixed(0)} (+${r.rssRiseMb.toFixed(0)})`,
      t ? ms(t.f) : '—',
      t ? ratio(t.gradient / r.plain) : '—',
      t ? seconds(t.diagonal) : '—',
      t ? `${sci(t.relError)}${t.sampled ? ` (${TF_SAMPLED_ENTRIES})` : ''}` : '—',
      verdict(r),
    ];
  });
  console.log(formatTable(headers, rows, [0, headers.length - 1]));
}

function printNotes(engine: EngineResult[], peer: TfPeer, overallRssMb: number): void {
  const lines = [
    'Times are medians after warm-up (repeated until ≥ 5 reps and ≥ 200 ms, or 1 s; fast calls batched; a call over 5 s is one sample).',
    'Ratios divide by "f ms": the same code on the real ml-matrix package (ml-matrix rows) or the raw unrewritten JavaScript (loops, rosenbrock), measured in this run.',
    'live f: a plain call of the same file as the live load hooks rewrite it (derivative-lens/register, vitest, jest), outside any check.',
    'grad: Evaluator.gradientAt(x0) (record + one reverse sweep). diag: Evaluator.derivatives() on a fresh evaluator (fresh sweep buffers, as in every',
    '  check) whose tape was grown by one untimed gradient: value + gradient + exact diagonal from one recording. sweep: the diagonal sweep alone.',
    `FD: runChecks' finite-difference time (all entries up to ${count(checkOptions.sampleThreshold)}, then ${checkOptions.sampleSize} sampled + a directional check).`,
    '  check: runCheck end to end (bundle, worker, all checks, including the supplied derivatives the example files name in their directives).',
    `* predicted from the previous size (entries differenced × cost of one sandboxed f), not run: over the ${OPTIONAL_BUDGET_MS / 1000} s budget per measurement.`,
    'diag rel err: max_i |d_i − e_i| / s_i against the closed form e (founding: a_i P_ij (1 − P_ij), s = e; Rosenbrock: 1200x_i² − 400x_{i+1} + 2 [+ 200],',
    '  s = the sum of the absolute terms, since entries where they cancel carry that much rounding in any float64 computation).',
    'peak RSS: process-wide resident set sampled every 1 ms by a watcher thread while the row\'s engine columns were measured (includes the check worker);',
    '  rise: over the RSS at the row\'s start after a full GC. Rows are measured in order of N, so a row\'s peak can include memory earlier rows left resident.',
    `  High-water RSS of the whole process (TF.js included): ${overallRssMb.toFixed(0)} MB.`,
    `TF.js ${peer.backend()} backend, float32: N grad-of-grad·e_i products, run in full when predicted ≤ ${TF_BUDGET_MS / 1000} s, else time ≈ N × one product and rel err on ${TF_SAMPLED_ENTRIES} entries.`,
    `  d²/dx² Σ exp(x) at 0 by the same nested tf.grad (exact: 1): ${peer.expCurvatureProbe()}.`,
  ];
  for (const form of ['ml-matrix', 'loops', 'rosenbrock'] as Form[]) {
    const rs = engine.filter((r) => r.c.form === form && r.c.n <= WHOLE_CHECK_N);
    if (rs.length < 2) continue;
    const [a, b] = [rs[0], rs[rs.length - 1]];
    lines.push(`${form}: diag ×f ${ratio(a.diagonal / a.plain)} at N=${count(a.c.n)} → ${ratio(b.diagonal / b.plain)} at N=${count(b.c.n)}; diag/grad ${ratio(a.diagonal / a.gradient)} → ${ratio(b.diagonal / b.gradient)}.`);
  }
  lines.push('Targets: diag exact to 1e-12; passes ≤ 6; ml-matrix: diag ≤ 10×f, grad ≤ 4×f; loops: diag ≤ 5×grad, grad ≤ 20×f; check ≤ 50×f at N = 35,000; peak RSS ≤ 300 MB; live f ≤ 2×f.');
  console.log('\n' + lines.join('\n'));
}

async function main(): Promise<void> {
  const started = performance.now();
  // `npm run bench -- --whole-checks`: only the whole-check table (a minute instead of the full bench).
  if (process.argv.includes('--whole-checks')) return measureWholeChecks(root);
  const watcher = new RssWatcher();
  // Smallest first, so that memory a large row leaves resident does not inflate a small row's peak.
  const byForm = new Map<Form, EngineResult>();
  const measured = new Map<BenchCase, EngineResult>();
  for (const c of [...cases].sort((x, y) => x.n - y.n)) {
    const r = await measureEngine(c, byForm.get(c.form), watcher);
    byForm.set(c.form, r);
    measured.set(c, r);
    process.stderr.write(`measured ${c.form} N=${count(c.n)} (${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
  }
  const engine = cases.map((c) => measured.get(c)!);
  // TF.js after the engine: its memory must not count against the engine's peak.
  const peer = await loadTfPeer(root);
  // The loop form's tensor twin is the ml-matrix form's (same function, same inputs): measured once, shown on both rows.
  const tfByInput = new Map<string, TfResult>();
  const tfKey = (c: BenchCase) => `${c.form === 'rosenbrock' ? 'rosenbrock' : 'founding'} ${c.n}`;
  for (const c of cases) {
    if (tfByInput.has(tfKey(c))) continue;
    tfByInput.set(tfKey(c), await measureTf(peer, c));
    process.stderr.write(`measured TF.js ${c.form} N=${count(c.n)} (${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
  }
  const tf = cases.map((c) => tfByInput.get(tfKey(c)));
  await watcher.stop();
  printTable(engine, tf);
  printNotes(engine, peer, process.resourceUsage().maxRSS / 1024);
  await measureWholeChecks(root);
  console.log(`Total bench time ${((performance.now() - started) / 1000).toFixed(0)} s.`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
