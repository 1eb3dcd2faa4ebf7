// `check --all`: every annotated function of the files and folders given, checked in one process by a few warm workers in parallel.
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { annotatedFunctions, collectFiles } from './load/annotated';
import { syntaxError } from './load/bundle';
import { runCheck } from './run';
import { keepWarmWorkers } from './sandbox/host';
import { EngineError, type CheckRequest, type CheckStatus, type EngineErrorInfo, type Report } from './types';

/** The outcome of one function: its report, or why it could not be evaluated. */
export interface SuiteEntry {
  function: string;
  file: string;
  line: number;
  status: CheckStatus | 'error';
  ms: number;
  report?: Report;
  error?: EngineErrorInfo;
}

export interface SuiteOptions {
  /** Applied to every function (tolerances, timeout, seed); directives fill the rest, as for one check. */
  request?: Omit<CheckRequest, 'file' | 'text' | 'functionName' | 'offset'>;
  /** Checks at once; default cores − 1, at least 1. */
  jobs?: number;
  /** Called for each entry in the final order, as soon as it and every entry before it are done. */
  onEntry?: (entry: SuiteEntry, index: number) => void;
}

export const defaultJobs = (): number => Math.max(1, availableParallelism() - 1);

interface Task {
  function: string;
  file: string;
  line: number;
  text: string;
  /** Set when the file itself cannot be checked (unreadable, or a syntax error hides its functions). */
  error?: EngineErrorInfo;
}

function errorInfo(e: unknown): EngineErrorInfo {
  if (e instanceof EngineError) return e.info;
  return { kind: 'internal', message: `internal error: ${(e as Error).stack ?? String(e)}` };
}

async function tasksOf(file: string): Promise<Task[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const message = `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
    return [{ function: '(file)', file, line: 1, text: '', error: { kind: 'bad-argument', message, file } }];
  }
  const found = annotatedFunctions(text, file);
  if (found.length > 0) return found.map((f) => ({ function: f.name, file, line: f.line, text }));
  // Tags the parser could not attach to a function: a syntax error is the usual reason, and must not pass silently.
  if (!/@dlens-/.test(text)) return [];
  const syntax = await syntaxError(file, text);
  return syntax ? [{ function: '(file)', file, line: syntax.info.line ?? 1, text, error: syntax.info }] : [];
}

/** The annotated functions of `paths` (files and folders, default the current folder), in file and source order. */
export async function discover(paths: string[]): Promise<Task[]> {
  const files = collectFiles(paths.length > 0 ? paths : ['.']);
  return (await Promise.all(files.map(tasksOf))).flat();
}

async function runTask(task: Task, options: SuiteOptions): Promise<SuiteEntry> {
  const base = { function: task.function, file: task.file, line: task.line };
  if (task.error) return { ...base, status: 'error', ms: 0, error: task.error };
  const t0 = performance.now();
  try {
    const report = await runCheck({ ...options.request, file: task.file, text: task.text, functionName: task.function });
    return { ...base, status: report.verdict, ms: performance.now() - t0, report };
  } catch (e) {
    return { ...base, status: 'error', ms: performance.now() - t0, error: errorInfo(e) };
  }
}

/** Runs every task; the entries come back in the tasks' order whatever order they finished in. */
export async function runAll(tasks: Task[], options: SuiteOptions = {}): Promise<SuiteEntry[]> {
  const jobs = Math.max(1, Math.min(options.jobs ?? defaultJobs(), tasks.length || 1));
  keepWarmWorkers(jobs);
  const entries: (SuiteEntry | undefined)[] = new Array(tasks.length);
  let next = 0;
  let reported = 0;
  const flush = () => {
    while (reported < tasks.length && entries[reported]) options.onEntry?.(entries[reported]!, reported++);
  };
  const lane = async () => {
    while (next < tasks.length) {
      const i = next++;
      entries[i] = await runTask(tasks[i], options);
      flush();
    }
  };
  await Promise.all(Array.from({ length: jobs }, lane));
  return entries as SuiteEntry[];
}

const rank: Record<SuiteEntry['status'], number> = { pass: 0, warn: 0, fail: 1, error: 2 };

/** The CLI's exit code for a run: 0 all passed (warnings allowed), 1 a check failed, 2 something could not be evaluated. */
export function exitCodeOf(entries: SuiteEntry[]): number {
  return entries.reduce((worst, e) => Math.max(worst, rank[e.status]), 0);
}
