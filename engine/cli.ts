// The `derivative-lens` command line: `check FILE.ts --function NAME ...`, exit 0 pass, 1 a check failed, 2 could not evaluate.

import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readRegularFile } from './load/regular-file';
import { toJson } from './report/json';
import { progressLine } from './report/progress';
import { formatError, formatReport } from './report/text';
import { entryText, githubAnnotations, junitXml, summaryText } from './report/suite';
import { runCheck } from './run';
import { defaultJobs, discover, exitCodeOf, runAll } from './run-all';
import { EngineError, type CheckRequest, type EngineErrorInfo, type PointValue } from './types';

const USAGE = `usage: derivative-lens check FILE.ts --function NAME [--wrt PATH[,PATH]...] [--at PARAM=JSON]...
        [--this CONSTANT] [--gradient FN] [--hessian-diagonal FN] [--objective FN] [--rtol R] [--atol A]
        [--timeout MS] [--budget-ms MS] [--seed N] [--hessian-estimate] [--json]
       derivative-lens check --all [FILE.ts | FOLDER]... [--json] [--junit FILE] [--jobs N]
        [--rtol R] [--atol A] [--timeout MS] [--budget-ms MS] [--seed N]

  --function NAME      a function, Class.method or object.method
  --wrt PATHS          what to differentiate: parameters or parts of them (p.layers[1].W, this.w), comma-separated
  --at PARAM=JSON      evaluation point of a parameter: a number, (nested) array, object, or @file.json
  --this CONSTANT      for a method: the module constant to call it on (default: new Class())
  --gradient FN        a hand-written gradient to verify (same parameters, returns the wrt shape)
  --hessian-diagonal FN  a hand-written Hessian diagonal to verify
  --objective FN       a gradient-boosting objective returning { grad, hess } to verify
  --rtol, --atol       tolerances: |a − b| ≤ atol + rtol·|b| per entry
  --seed N             seed of generated inputs, of sampling and of Math.random in the checked code (default 1)
  --timeout MS         limit on any one step without progress (loading, one evaluation of f, one derivative pass)
  --budget-ms MS       time the finite-difference checks may take (default 2000); beyond it they run in fast mode
  --hessian-estimate   Hutchinson/Bekas estimate instead of the exact diagonal (very large dense inputs)
  --json               one JSON object on stdout (with --all: an array, one object per function)
  --all                every function with a @dlens- tag in the files and folders given (default: .), skipping
                       node_modules, .d.ts and what .gitignore ignores
  --junit FILE         with --all: also write JUnit XML (a testcase per function)
  --jobs N             with --all: checks at once (default: cores − 1)

exit codes: 0 every check passed (warnings allowed), 1 a check failed, 2 could not evaluate`;

class UsageError extends Error {}

function parseAt(spec: string): [string, PointValue] {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new UsageError(`--at expects PARAM=JSON, got '${spec}'`);
  const name = spec.slice(0, eq).trim();
  const raw = spec.slice(eq + 1).trim();
  const text = raw.startsWith('@') ? readJsonFile(raw.slice(1)) : raw;
  try {
    return [name, JSON.parse(text) as PointValue];
  } catch (e) {
    throw new UsageError(`--at ${name}: not valid JSON (${(e as Error).message})`);
  }
}

/** An evaluation point in a file is data: far below what a check could use, far above a sensible point. */
const AT_FILE_LIMIT_BYTES = 64 * 2 ** 20;

function readJsonFile(path: string): string {
  try {
    return readRegularFile(path, AT_FILE_LIMIT_BYTES);
  } catch (e) {
    throw new UsageError(`--at: cannot read ${path} (${(e as Error).message})`);
  }
}

function parseNumber(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const x = Number(text);
  if (!Number.isFinite(x) || x < 0) throw new UsageError(`${flag} expects a non-negative number, got '${text}'`);
  return x;
}

function parseRequest(argv: string[]): { request: CheckRequest; json: boolean } {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      function: { type: 'string' },
      wrt: { type: 'string' },
      this: { type: 'string' },
      at: { type: 'string', multiple: true },
      gradient: { type: 'string' },
      'hessian-diagonal': { type: 'string' },
      objective: { type: 'string' },
      rtol: { type: 'string' },
      atol: { type: 'string' },
      timeout: { type: 'string' },
      'budget-ms': { type: 'string' },
      seed: { type: 'string' },
      'hessian-estimate': { type: 'boolean' },
      json: { type: 'boolean' },
      ...allOptions,
    },
  });
  if (values.all || values.junit !== undefined || values.jobs !== undefined) throw new UsageError('--junit and --jobs go with --all');
  const [command, file, ...extra] = positionals;
  if (command !== 'check') throw new UsageError(command ? `unknown command '${command}'` : 'missing command');
  if (!file) throw new UsageError('missing FILE.ts');
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  if (!values.function) throw new UsageError('missing --function NAME');
  const timeoutMs = parseNumber('--timeout', values.timeout);
  const seed = parseNumber('--seed', values.seed);
  const checkBudgetMs = parseNumber('--budget-ms', values['budget-ms']);
  const request: CheckRequest = {
    file: resolve(file),
    functionName: values.function,
    wrt: values.wrt,
    ...(values.this !== undefined ? { thisConstant: values.this } : {}),
    at: values.at ? Object.fromEntries(values.at.map(parseAt)) : undefined,
    gradientFunction: values.gradient,
    hessianDiagonalFunction: values['hessian-diagonal'],
    objectiveFunction: values.objective,
    rtol: parseNumber('--rtol', values.rtol),
    atol: parseNumber('--atol', values.atol),
    options: {
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      ...(seed !== undefined ? { seed } : {}),
      ...(checkBudgetMs !== undefined ? { checkBudgetMs } : {}),
      ...(values['hessian-estimate'] ? { hessianDiagonal: 'estimate' as const } : {}),
    },
  };
  return { request, json: values.json ?? false };
}

/** The flags of `check --all` (it accepts the tolerances, timeout and seed of a single check too). */
const allOptions = {
  all: { type: 'boolean' },
  junit: { type: 'string' },
  jobs: { type: 'string' },
} as const;

const singleOnly = ['function', 'wrt', 'at', 'gradient', 'hessian-diagonal', 'objective', 'hessian-estimate'] as const;

/** `check --all [FILE.ts | FOLDER]...`: runs every annotated function; the exit code is the worst of them. */
async function mainAll(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  let values: Record<string, string | boolean | string[] | undefined>;
  let paths: string[];
  let jobs: number;
  let request: Omit<CheckRequest, 'file'>;
  try {
    const parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        ...allOptions,
        rtol: { type: 'string' },
        atol: { type: 'string' },
        timeout: { type: 'string' },
        'budget-ms': { type: 'string' },
        seed: { type: 'string' },
        json: { type: 'boolean' },
        ...Object.fromEntries(singleOnly.map((f) => [f, { type: f === 'hessian-estimate' ? 'boolean' : 'string', multiple: f === 'at' }])),
      },
    });
    values = parsed.values as Record<string, string | boolean | string[] | undefined>;
    const [command, ...rest] = parsed.positionals;
    if (command !== 'check') throw new UsageError(command ? `unknown command '${command}'` : 'missing command');
    const given = singleOnly.find((f) => values[f] !== undefined);
    if (given) throw new UsageError(`--${given} names one check; --all takes its settings from each function's directives`);
    paths = rest;
    const jobsText = values.jobs as string | undefined;
    jobs = jobsText === undefined ? defaultJobs() : Number(jobsText);
    if (!Number.isInteger(jobs) || jobs < 1) throw new UsageError(`--jobs expects a whole number ≥ 1, got '${jobsText}'`);
    const timeoutMs = parseNumber('--timeout', values.timeout as string | undefined);
    const seed = parseNumber('--seed', values.seed as string | undefined);
    const checkBudgetMs = parseNumber('--budget-ms', values['budget-ms'] as string | undefined);
    request = {
      rtol: parseNumber('--rtol', values.rtol as string | undefined),
      atol: parseNumber('--atol', values.atol as string | undefined),
      options: {
        ...(timeoutMs !== undefined ? { timeoutMs } : {}),
        ...(seed !== undefined ? { seed } : {}),
        ...(checkBudgetMs !== undefined ? { checkBudgetMs } : {}),
      },
    };
  } catch (e) {
    const message = e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? (e as Error).message : String(e);
    return fail({ kind: 'bad-argument', message: `${message}\n${USAGE}` }, json);
  }
  const t0 = performance.now();
  let tasks;
  try {
    tasks = await discover(paths);
  } catch (e) {
    return fail({ kind: 'bad-argument', message: (e as Error).message }, json);
  }
  if (tasks.length === 0) {
    process.stderr.write(`derivative-lens: no function with a @dlens- tag in ${paths.length ? paths.join(', ') : 'the current folder'}\n`);
    if (json) process.stdout.write('[]\n');
    return 0;
  }
  const color = !json && process.stdout.isTTY === true && !process.env.NO_COLOR;
  const entries = await runAll(tasks, {
    jobs,
    request,
    // Lines appear as checks finish (in file order), so a long run shows progress.
    onEntry: (entry) => json || process.stdout.write(entryText(entry, color) + '\n'),
  });
  const totalMs = performance.now() - t0;
  if (json) {
    const objects = entries.map((e) => e.report ?? { function: e.function, file: e.file, location: { file: e.file, line: e.line, column: 1 }, error: e.error });
    process.stdout.write(toJson(objects) + '\n');
  } else process.stdout.write(summaryText(entries, totalMs, Math.min(jobs, tasks.length)) + '\n');
  if (values.junit) {
    try {
      writeFileSync(values.junit as string, junitXml(entries, totalMs));
    } catch (e) {
      return fail({ kind: 'bad-argument', message: `--junit: cannot write ${values.junit} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` }, false);
    }
  }
  // Workflow commands are read from the log; with --json, stdout must stay one JSON document.
  if (process.env.GITHUB_ACTIONS === 'true') {
    for (const line of githubAnnotations(entries)) (json ? process.stderr : process.stdout).write(line + '\n');
  }
  return exitCodeOf(entries);
}

function fail(info: EngineErrorInfo, json: boolean): number {
  if (json) process.stdout.write(toJson({ error: info }) + '\n');
  process.stderr.write(formatError(info) + '\n');
  return 2;
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (argv.includes('--all')) return mainAll(argv);
  let parsed: { request: CheckRequest; json: boolean };
  try {
    parsed = parseRequest(argv);
  } catch (e) {
    const message = e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? (e as Error).message : String(e);
    return fail({ kind: 'bad-argument', message: `${message}\n${USAGE}` }, argv.includes('--json'));
  }
  const { request, json } = parsed;
  // stderr only, and never with --json: scripts read stdout, and a pipe or a CI log gets no redraws.
  const progress = progressLine(process.stderr, !json);
  try {
    const report = await runCheck(request, undefined, (p) => progress.update(p)).finally(() => progress.clear());
    if (json) process.stdout.write(toJson(report) + '\n');
    else {
      const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
      process.stdout.write(formatReport(report, { color }) + '\n');
    }
    return report.verdict === 'fail' ? 1 : 0;
  } catch (e) {
    if (e instanceof EngineError) return fail(e.info, json);
    return fail({ kind: 'internal', message: `internal error: ${(e as Error).stack ?? String(e)}` }, json);
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
