// What `check --all` prints: one line per function and a summary, JUnit XML, and GitHub Actions annotations.
import { relative } from 'node:path';
import type { SuiteEntry } from '../run-all';
import type { Check } from '../types';
import { formatCheck } from './text';

const marks: Record<SuiteEntry['status'], string> = { pass: '✓', warn: '⚠', fail: '✗', error: '✗' };
const colors: Record<SuiteEntry['status'], number> = { pass: 32, warn: 33, fail: 31, error: 31 };

/** Paths as the user typed them: relative to the folder the command ran in. */
export const shortPath = (file: string, cwd = process.cwd()): string => relative(cwd, file) || file;

function ms(x: number): string {
  return x < 10_000 ? `${Math.round(x)} ms` : `${(x / 1000).toFixed(1)} s`;
}

const failedChecks = (e: SuiteEntry): Check[] => e.report?.checks.filter((c) => c.status === 'fail') ?? [];

/** `✓ name  file:line  12 ms`, then what failed or why it could not be evaluated; paths relative to `cwd`. */
export function entryText(e: SuiteEntry, color: boolean, cwd?: string): string {
  const mark = color ? `\x1b[${colors[e.status]}m${marks[e.status]}\x1b[0m` : marks[e.status];
  const lines = [`${mark} ${e.function}  ${shortPath(e.file, cwd)}:${e.line}  ${ms(e.ms)}`];
  for (const c of failedChecks(e)) lines.push(formatCheck(c, { color }));
  if (e.error) {
    const where = e.error.file && e.error.line ? ` (${shortPath(e.error.file, cwd)}:${e.error.line})` : '';
    lines.push(`    could not evaluate: ${e.error.message}${where}`);
  }
  return lines.join('\n');
}

function count(entries: SuiteEntry[], status: SuiteEntry['status']): number {
  return entries.filter((e) => e.status === status).length;
}

export function summaryText(entries: SuiteEntry[], totalMs: number, jobs: number): string {
  const parts = [`${count(entries, 'pass')} passed`];
  if (count(entries, 'warn')) parts.push(`${count(entries, 'warn')} passed with warnings`);
  parts.push(`${count(entries, 'fail')} failed`);
  if (count(entries, 'error')) parts.push(`${count(entries, 'error')} could not be evaluated`);
  const n = entries.length;
  return `${n} function${n === 1 ? '' : 's'}: ${parts.join(', ')} (${ms(totalMs)}, ${jobs} in parallel)`;
}

function xml(text: string): string {
  // Characters XML 1.0 cannot carry at all (terminal colour codes, for one) are dropped.
  return text
    .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

const attrs = (a: Record<string, string | number>) => Object.entries(a).map(([k, v]) => ` ${k}="${xml(String(v))}"`).join('');
const seconds = (x: number) => (x / 1000).toFixed(3);

function testcase(e: SuiteEntry): string {
  const file = shortPath(e.file);
  const body: string[] = [];
  for (const c of failedChecks(e)) {
    body.push(`      <failure${attrs({ message: c.summary, type: c.id })}>${xml(formatCheck(c, { color: false }))}</failure>`);
  }
  if (e.error) {
    const where = e.error.file && e.error.line ? `${shortPath(e.error.file)}:${e.error.line}: ` : '';
    body.push(`      <error${attrs({ message: e.error.message, type: e.error.kind })}>${xml(where + e.error.message)}</error>`);
  }
  const warned = e.report?.checks.filter((c) => c.status === 'warn') ?? [];
  if (warned.length) body.push(`      <system-out>${xml(warned.map((c) => `warning: ${c.id}: ${c.summary}`).join('\n'))}</system-out>`);
  const open = `    <testcase${attrs({ name: e.function, classname: file, file, line: e.line, time: seconds(e.ms) })}`;
  return body.length ? `${open}>\n${body.join('\n')}\n    </testcase>` : `${open}/>`;
}

/** JUnit XML: a testsuite per file, a testcase per function, a failure per failed check, an error when it could not be evaluated. */
export function junitXml(entries: SuiteEntry[], totalMs: number): string {
  const byFile = new Map<string, SuiteEntry[]>();
  for (const e of entries) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e]);
  const totals = (list: SuiteEntry[]) => ({
    tests: list.length,
    failures: count(list, 'fail'),
    errors: count(list, 'error'),
    skipped: 0,
  });
  const suites = [...byFile].map(([file, list]) => {
    const time = seconds(list.reduce((s, e) => s + e.ms, 0));
    return `  <testsuite${attrs({ name: shortPath(file), ...totals(list), time })}>\n${list.map(testcase).join('\n')}\n  </testsuite>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({ name: 'Derivative Lens', ...totals(entries), time: seconds(totalMs) })}>`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}

/** GitHub's workflow-command escaping: data and property values differ in what must be encoded. */
const ghData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const ghProperty = (s: string) => ghData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

function annotation(level: 'error' | 'warning', file: string, line: number, title: string, message: string): string {
  return `::${level} file=${ghProperty(shortPath(file))},line=${line},title=${ghProperty(title)}::${ghData(message)}`;
}

/**
 * `::error` annotations for GitHub Actions: a failed hand-written derivative at that function (where the fix goes),
 * an engine-vs-finite-difference failure at the checked function, an evaluation error where it happened.
 */
export function githubAnnotations(entries: SuiteEntry[]): string[] {
  const out: string[] = [];
  for (const e of entries) {
    const title = `Derivative Lens: ${e.function}`;
    if (e.error) out.push(annotation('error', e.error.file ?? e.file, e.error.line ?? e.line, title, `could not evaluate: ${e.error.message}`));
    for (const c of e.report?.checks ?? []) {
      if (c.status === 'pass') continue;
      const at = c.location ?? e.report!.location;
      const text = formatCheck(c, { color: false }).replace(/^\s+/gm, '');
      out.push(annotation(c.status === 'fail' ? 'error' : 'warning', at?.file ?? e.file, at?.line ?? e.line, `${title} · ${c.id}`, text));
    }
  }
  return out;
}
