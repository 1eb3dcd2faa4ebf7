// Which files the live load hooks rewrite: the user's own, never node_modules or the engine itself.
import * as path from 'node:path';

export interface LiveFilter {
  /** Paths (substrings, '/'-separated) or patterns of the files to rewrite; default: every file under the current folder. */
  include?: (string | RegExp)[];
  /** Paths or patterns never rewritten, on top of node_modules, which always stays plain. */
  exclude?: (string | RegExp)[];
}

const sourceExtensions = /\.(ts|mts|cts|js|mjs|cjs)$/;

function matches(file: string, pattern: string | RegExp): boolean {
  return typeof pattern === 'string' ? file.includes(pattern) : pattern.test(file);
}

/** Whether the hooks rewrite `file` (an absolute path). */
export function shouldRewrite(file: string, filter: LiveFilter = {}, engineDir?: string): boolean {
  const f = file.split(path.sep).join('/');
  if (!sourceExtensions.test(f) || f.includes('/node_modules/') || f.endsWith('.d.ts')) return false;
  if (engineDir !== undefined && f.startsWith(engineDir.split(path.sep).join('/') + '/')) return false;
  const cwd = process.cwd().split(path.sep).join('/') + '/';
  if (filter.include ? !filter.include.some((p) => matches(f, p)) : !f.startsWith(cwd)) return false;
  return !(filter.exclude ?? []).some((p) => matches(f, p));
}

/** The live hooks' filter from the environment: DERIVATIVE_LENS_INCLUDE and DERIVATIVE_LENS_EXCLUDE, comma-separated paths. */
export function filterFromEnvironment(env: NodeJS.ProcessEnv = process.env): LiveFilter {
  const list = (v: string | undefined) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined);
  return { include: list(env.DERIVATIVE_LENS_INCLUDE), exclude: list(env.DERIVATIVE_LENS_EXCLUDE) };
}

