// Whole checks (runCheck end to end) divided by one plain evaluation of f: the dense pairwise case and the founding loss.
import { join } from 'node:path';
import { runChecks } from '../engine/check/checks';
import { normalSampler } from '../engine/load/inputs';
import { runCheck } from '../engine/run';
import { defaultEngineOptions, defaultTolerances, type CheckRequest, type Nested, type Report } from '../engine/types';
import { foundingCase } from './cases';
import { ringAffinities } from './fixtures/tsne';
import { loadInProcess } from './in-process';
import { time, timeInner } from './measure';
import { loadPlainModule } from './plain';
import { count, formatTable, ms, ratio } from './table';

interface WholeCase {
  name: string;
  n: number;
  request: CheckRequest & { functionName: string; at: Record<string, Nested>; wrt: string };
  plain: () => Promise<() => number>;
  /** Targets: whole check ≤ 50× f, after subtracting the fixed start (bundle, worker, a trivial check's cost) where allowed. */
  fixedStartAllowed: boolean;
}

function tsneCase(root: string, points: number): WholeCase {
  const sample = normalSampler(3);
  const Y = Array.from({ length: points }, () => [sample(), sample()]);
  const P = ringAffinities(points);
  const file = 'bench/fixtures/tsne.ts';
  return {
    name: `t-SNE cost, ${points} points`,
    n: 2 * points,
    fixedStartAllowed: true,
    request: { file: join(root, file), functionName: 'tsneCost', wrt: 'Y', at: { Y, P } },
    plain: async () => {
      const mod = await loadPlainModule(root, file);
      const f = mod.tsneCost as (Y: number[][], P: number[][]) => number;
      return () => f(Y, P);
    },
  };
}

function foundingWhole(root: string): WholeCase {
  const c = foundingCase('ml-matrix', 7_000);
  return {
    name: 'founding loss, ml-matrix',
    n: c.n,
    fixedStartAllowed: false,
    request: { file: join(root, c.file), functionName: c.functionName, wrt: c.wrt, at: c.at },
    plain: async () => c.plain(await loadPlainModule(root, c.file)),
  };
}

/** Each phase of a check, warm and in this thread (one evaluator, its tape and buffers grown), ms. */
interface Phases {
  record: number;
  /** Recording and the reverse sweep: what each gradient of the finite-difference checks costs. */
  gradient: number;
  diagonal: number;
  /** The finite-difference checks as a whole check runs them (default budget). */
  fd: number;
  tapeSize: number;
  diagonalRoots: number;
}

async function measurePhases(root: string, c: WholeCase): Promise<Phases> {
  const { file, functionName, at, wrt } = c.request;
  const loaded = await loadInProcess(root, { file: file.slice(root.length + 1), functionName, at, wrt });
  const ev = loaded.evaluator();
  const records: number[] = [];
  const diagonal = timeInner(() => {
    const d = ev.derivatives();
    records.push(ev.stats().recordMs);
    return d.timingsMs.hessianDiagonal;
  }).ms;
  const gradient = (await time(() => ev.gradientAt(ev.x0))).ms;
  const options = {
    fd: defaultTolerances.fd,
    supplied: defaultTolerances.supplied,
    sampleThreshold: defaultEngineOptions.fdSampleThreshold,
    sampleSize: defaultEngineOptions.fdSampleSize,
    seed: defaultEngineOptions.seed,
    budgetMs: defaultEngineOptions.checkBudgetMs,
  };
  const fd = timeInner(() => runChecks(ev, options).timingsMs.finiteDifference).ms;
  const sorted = records.slice(1).sort((x, y) => x - y); // [0] is the warm-up's
  const { tapeSize, diagonalRoots } = ev.stats();
  return { record: sorted[sorted.length >> 1], gradient, diagonal, fd, tapeSize, diagonalRoots };
}

/** The fixed start of any check: bundling, the worker, one trivial evaluation and its derivatives. */
async function fixedStart(root: string): Promise<number> {
  const text = 'export function tiny(x: number[]): number {\n  return x[0] * x[1];\n}\n';
  return (await time(() => runCheck({ file: join(root, 'bench/fixtures/tiny.ts'), text, functionName: 'tiny', at: { x: [1, 2] } }))).ms;
}

export async function measureWholeChecks(root: string): Promise<void> {
  const cases = [tsneCase(root, 150), tsneCase(root, 300), foundingWhole(root)];
  const start = await fixedStart(root);
  const rows: string[][] = [];
  const phaseRows: string[][] = [];
  const breakdown: string[] = [];
  for (const c of cases) {
    const f = (await time(await c.plain())).ms;
    const p = await measurePhases(root, c);
    let report: Report | undefined;
    const check = (await time(async () => (report = await runCheck(c.request)))).ms;
    const plan = report!.checkPlan!;
    const beyondStart = c.fixedStartAllowed ? check - start : check;
    const ok = beyondStart / f <= 50;
    rows.push([
      c.name,
      count(c.n),
      ms(f),
      ms(check),
      ratio(check / f),
      c.fixedStartAllowed ? ratio(beyondStart / f) : '—',
      plan.mode,
      `${count(plan.evaluations.f)} f + ${count(plan.evaluations.gradient)} ∇`,
      report!.verdict,
      ok ? 'PASS' : `MISS ${ratio(beyondStart / f / 50)} over`,
    ]);
    phaseRows.push([c.name, count(c.n), count(p.tapeSize), String(p.diagonalRoots), ms(f), ratio(p.record / f), ratio(p.gradient / f), ratio(p.diagonal / f), ratio(p.fd / f), ratio(check / f)]);
    const t = report!.timingsMs;
    const part = (x: number) => `${ms(x)} ms (${ratio(x / f)})`;
    breakdown.push(
      `  ${c.name}: bundle ${part(t.bundle)}, gradient ${part(t.gradient)}, Hessian diagonal ${part(t.hessianDiagonal)}, ` +
        `finite differences ${part(t.finiteDifference)}, rest (worker, loading, plain timing, transfer) ${part(t.total - t.bundle - t.gradient - t.hessianDiagonal - t.finiteDifference)}`,
    );
    process.stderr.write(`measured whole check: ${c.name}\n`);
  }
  console.log('\nWhole checks (runCheck end to end, default budget) ÷ one plain evaluation of f:');
  console.log(formatTable(['case', 'N', 'f ms', 'check ms', 'check ×f', '(check − start) ×f', 'FD mode', 'FD evaluations', 'verdict', 'target ≤ 50×f'], rows, [0, 6, 8, 9]));
  console.log('\nEach phase ÷ f, from the same run: warm in this thread (record, record + reverse sweep, exact diagonal sweep, FD checks at the default budget), and the whole check in a fresh worker:');
  console.log(formatTable(['case', 'N', 'tape nodes', 'wide roots', 'f ms', 'record ×f', 'gradient ×f', 'Hessian diagonal ×f', 'FD phase ×f', 'whole check ×f'], phaseRows, [0]));
  console.log(`Where the last whole check of each went (fresh worker: cold code and fresh pages; ms, ×f):\n${breakdown.join('\n')}`);
  console.log(`Fixed start (a trivial check: bundle, worker, derivatives of x0·x1): ${ms(start)} ms. Target: dense pairwise (check − start) ≤ 50× f; founding loss at N = 35,000 check ≤ 50× f.`);
}
