// The human-readable report the CLI prints: aligned tables, a verdict per check, colour only when asked.

import { leafReports, type LeafReport } from './leaves';
import { formatNumber } from '../numbers';
import { formatShape } from '../shape';
import type { Check, CheckPlan, CheckStatus, EngineErrorInfo, InputSource, Nested, Report } from '../types';

export interface TextOptions {
  color: boolean;
  /** Largest number of rows and columns of a table before it is elided. */
  maxRows?: number;
  maxColumns?: number;
}

const ANSI = { red: 31, green: 32, yellow: 33, dim: 2, bold: 1 } as const;
type Style = keyof typeof ANSI;

const STATUS_MARK: Record<CheckStatus, string> = { pass: '✓ pass', warn: '⚠ warn', fail: '✗ fail' };
const STATUS_STYLE: Record<CheckStatus, Style> = { pass: 'green', warn: 'yellow', fail: 'red' };

/** What user code printed, safe for a terminal: control characters (escape sequences) shown as �, lines indented. */
function printable(line: string): string {
  return line.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '\ufffd').replace(/\n/g, '\n  ');
}

function painter(color: boolean) {
  return (style: Style, text: string) => (color ? `\x1b[${ANSI[style]}m${text}\x1b[0m` : text);
}

/** Rows of a value in the wrt shape: a scalar is one cell, a vector one row, a matrix its rows. */
function asRows(value: Nested): number[][] {
  if (typeof value === 'number') return [[value]];
  if (value.every((v) => typeof v === 'number')) return [value as number[]];
  return value.map((row) => (typeof row === 'number' ? [row] : (row as Nested[]).map((v) => (typeof v === 'number' ? v : NaN))));
}

/** Indices to show out of `n`: all of them, or the first and last few around an ellipsis (-1). */
function visible(n: number, max: number): number[] {
  if (n <= max) return [...Array(n).keys()];
  const head = Math.ceil((max - 1) / 2);
  const tail = max - 1 - head;
  return [...[...Array(head).keys()], -1, ...[...Array(tail).keys()].map((i) => n - tail + i)];
}

export function formatTable(value: Nested, opts: TextOptions): string {
  const rows = asRows(value);
  const matrix = Array.isArray(value) && rows.length > 1;
  const rowIdx = visible(rows.length, opts.maxRows ?? 12);
  const colIdx = visible(rows[0]?.length ?? 0, opts.maxColumns ?? 8);
  const header = ['', ...colIdx.map((j) => (j < 0 ? '…' : `[${j}]`))];
  const body = rowIdx.map((i) =>
    i < 0
      ? ['⋮', ...colIdx.map(() => '')]
      : [matrix ? `[${i}]` : '', ...colIdx.map((j) => (j < 0 ? '…' : formatNumber(rows[i][j], 8)))],
  );
  const table = [header, ...body];
  const widths = header.map((_, c) => Math.max(...table.map((r) => r[c].length)));
  return table
    .map((r) =>
      r
        .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function formatCheck(check: Check, opts: TextOptions): string {
  const paint = painter(opts.color);
  const lines = [
    `  ${paint(STATUS_STYLE[check.status], STATUS_MARK[check.status])}  ${check.id.padEnd(26)} ${check.summary}`,
  ];
  const indent = '                                    ';
  if (check.method) lines.push(paint('dim', `${indent}${check.method}`));
  if (check.status !== 'pass') {
    for (const m of check.mismatches.slice(0, 3)) {
      lines.push(`${indent}${m.entry}: expected ${formatNumber(m.expected, 8)}, got ${formatNumber(m.actual, 8)}`);
    }
    if (check.mismatchCount > 3) lines.push(`${indent}… ${check.mismatchCount - 3} more`);
    if (check.explanation) lines.push(`${indent}${paint('bold', 'why:')} ${check.explanation}`);
    for (const alt of check.alternatives ?? []) lines.push(paint('dim', `${indent}or: ${alt}`));
    for (const k of check.kinks ?? []) {
      const where = k.location ? ` (line ${k.location.line})` : '';
      lines.push(`${indent}kink: ${k.detail}${where}`);
    }
  }
  return lines.join('\n');
}

/**
 * Whether the report's kinks made a difference: a finite-difference check warned because of them. When every check
 * agreed (the max-shift of a stable softmax ties on every one-hot row, yet the loss is smooth), they are only information.
 */
export function kinksMatter(report: Report): boolean {
  return report.checks.some((c) => c.status === 'warn' && c.id.endsWith('-vs-fd'));
}

/** One input in words: "x = --at (2)", "T = its default value in code", "w = generated: normal 5, seed 1". */
export function inputWords(input: InputSource): string {
  const shape = input.shape ? ` (${formatShape(input.shape, 'scalar')})` : '';
  const from: Record<InputSource['source'], string> = {
    at: 'given with --at',
    directive: `@dlens-at ${input.detail ?? ''}`.trim(),
    constant: `module constant ${input.detail ?? ''}`.trim(),
    'default-value': 'its default value in code',
    omitted: 'undefined (optional, no point given)',
    generated: `generated: ${input.detail ?? ''}`,
  };
  return `${input.name}${shape}: ${from[input.source]}`;
}

/** Which finite-difference mode ran, what it cost in evaluations, and (fast mode) why and what its pass guarantees. */
export function planLines(plan: CheckPlan): string[] {
  const spent = `${plan.evaluations.f.toLocaleString('en-US')} evaluations of f and ${plan.evaluations.gradient.toLocaleString('en-US')} gradients`;
  return [
    `finite differences: ${plan.mode} mode, ${spent} (budget ${(plan.budgetMs / 1000).toFixed(1)} s)`,
    ...(plan.reason ? [`  fast because ${plan.reason}`] : []),
    ...plan.guarantee.map((g) => `  a pass means: ${g}`),
  ];
}

export function formatReport(report: Report, opts: TextOptions): string {
  const paint = painter(opts.color);
  const where = report.location ? `${report.location.file}:${report.location.line}` : report.file;
  const failed = report.checks.filter((c) => c.status === 'fail').length;
  const warned = report.checks.filter((c) => c.status === 'warn').length;
  const leaves = leafReports(report);
  const size = report.leaves ? `${report.leaves.length} leaves, ${report.leaves.reduce((a, l) => a + l.size, 0)} entries` : formatShape(leaves[0].shape, 'scalar');
  // One gradient and one diagonal table per leaf, headed by the leaf's path when there are several.
  const tables = (title: string, pick: (l: LeafReport) => Nested) =>
    leaves.flatMap((l) => [paint('bold', report.leaves ? `${title} ${l.wrt} (${formatShape(l.shape, 'scalar')})` : title), formatTable(pick(l), opts), '']);
  const out: string[] = [
    paint('bold', `${report.function} — ${where}`),
    `  wrt ${report.wrt} (${size}), value ${formatNumber(report.value, 8)}`,
    `  Hessian diagonal: ${report.hessianDiagonalMethod}, ${report.passes} passes`,
    ...(report.inputs ?? []).map((i) => `  input ${inputWords(i)}`),
    '',
    ...tables('gradient', (l) => l.gradient),
    ...tables('Hessian diagonal', (l) => l.hessianDiagonal),
    paint('bold', 'checks'),
    ...report.checks.map((c) => formatCheck(c, opts)),
  ];
  if (report.kinks.length > 0) {
    out.push('', paint('bold', kinksMatter(report) ? 'kinks' : 'kinks (finite differences agree with the engine: no effect here)'));
    for (const k of report.kinks) out.push(`  ${k.detail}${k.location ? ` (line ${k.location.line})` : ''}`);
  }
  if (report.notes.length > 0) out.push('', paint('bold', 'notes'), ...report.notes.map((n) => `  ${n}`));
  if (report.checkPlan) out.push('', ...planLines(report.checkPlan));
  if (report.console?.length) out.push('', paint('bold', 'console'), ...report.console.map((line) => paint('dim', `  ${printable(line)}`)));
  const t = report.timingsMs;
  out.push(
    '',
    paint(
      'dim',
      `timings: evaluate ${t.evaluate.toFixed(2)} ms · gradient ${t.gradient.toFixed(1)} ms · Hessian diagonal ${t.hessianDiagonal.toFixed(1)} ms · ` +
        `finite differences ${t.finiteDifference.toFixed(1)} ms · total ${t.total.toFixed(0)} ms`,
    ),
  );
  const verdict =
    report.verdict === 'fail'
      ? `FAIL — ${failed} of ${report.checks.length} checks failed`
      : report.verdict === 'warn'
        ? `PASS with ${warned} warning${warned === 1 ? '' : 's'}`
        : `PASS — all ${report.checks.length} checks passed`;
  out.push(paint(STATUS_STYLE[report.verdict], paint('bold', verdict)));
  return out.join('\n');
}

export function formatError(info: EngineErrorInfo): string {
  const where = info.file ? `${info.file}${info.line ? `:${info.line}${info.column ? `:${info.column}` : ''}` : ''}: ` : '';
  return `derivative-lens: ${where}${info.message}`;
}
