// Words and numbers the extension shows (lens titles, diagnostic messages, status text), kept free of `vscode` so they are unit-tested.

import type { Check, CheckId, CheckStatus, EngineErrorInfo, ErrorKind, Report } from '../engine/types';
import { formatNumber } from '../engine/numbers';
import { formatEntry, sizeOf } from '../engine/shape';
import { entryName } from '../engine/tree';
import { kinksMatter } from '../engine/report/text';

const checkLabels: Record<CheckId, string> = {
  'gradient-vs-fd': 'gradient',
  'hessian-diagonal-vs-fd': 'Hessian diagonal',
  'supplied-gradient': 'supplied gradient',
  'supplied-hessian-diagonal': 'supplied Hessian diagonal',
};

export function checkLabel(id: CheckId): string {
  return checkLabels[id];
}

const statusMarks: Record<CheckStatus, string> = { pass: '✓', warn: '⚠', fail: '✗' };

export function statusMark(status: CheckStatus): string {
  return statusMarks[status];
}

/** "✓ gradient", "✗ supplied Hessian diagonal", "⚠ gradient: x[0] is Infinity" (a warning names its reason). */
export function checkBadge(check: Check): string {
  const reason = check.status === 'warn' && check.headline ? `: ${check.headline}` : '';
  return `${statusMark(check.status)} ${checkLabel(check.id)}${reason}`;
}

export function formatMs(ms: number): string {
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 10_000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

export const lensTitles = {
  run: 'Check derivatives',
  stale: 'Check derivatives (results stale)',
  untrusted: 'Check derivatives (trust the workspace to run)',
  tooLarge: (chars: number, limit: number) => `Derivative Lens: file too large to analyse (${Math.round(chars / 1024)} KB, limit ${Math.round(limit / 1024)} KB)`,
  syntax: 'Fix the syntax error first, then check derivatives',
};

/** Errors about the code's behaviour at a place in it: Problems shows them. The others are setup, syntax or limits. */
const codeErrorKinds = new Set<ErrorKind>(['threw', 'unsupported', 'non-finite', 'bad-return', 'import', 'directive', 'diverged']);

export function errorInCode(error: EngineErrorInfo): boolean {
  return codeErrorKinds.has(error.kind);
}

/** Errors that need the user to set something up before a check can run (a point for a parameter, a shape). */
export function isSetupError(error: EngineErrorInfo): boolean {
  return error.kind === 'bad-argument' || error.kind === 'bad-shape' || error.kind === 'not-found';
}

/** The lens of a function whose last run could not evaluate: what stands in the way, short. */
export function errorLensTitle(error: EngineErrorInfo): string {
  if (error.kind === 'syntax') return lensTitles.syntax;
  const words = evaluationErrorMessage(error).replace(/\s+/g, ' ');
  const short = words.length > 80 ? `${words.slice(0, 79)}…` : words;
  return `${isSetupError(error) ? '⚠ needs setup' : '✗ could not evaluate'}: ${short} · re-run`;
}

/** The verdict lens: every check's badge when none failed, else how many failed and which; then the time. */
export function verdictLensTitle(report: Report): string {
  const time = formatMs(report.timingsMs.total);
  const failed = report.checks.filter((c) => c.status === 'fail');
  if (failed.length > 0) return `✗ ${failed.length} ${failed.length === 1 ? 'check' : 'checks'} failed (${failed.map((c) => checkLabel(c.id)).join(', ')}) · ${time}`;
  if (report.checks.length === 0) return `value ${formatNumber(report.value)} · ${time}`;
  return [...report.checks.map(checkBadge), time].join(' · ');
}

/** The status bar's text (codicons allowed): the verdict of the last run. */
export function statusBarText(report: Report): string {
  const icon = report.verdict === 'pass' ? '$(check)' : report.verdict === 'warn' ? '$(warning)' : '$(error)';
  const failed = report.checks.filter((c) => c.status === 'fail').length;
  const warned = report.checks.find((c) => c.status === 'warn');
  const words = report.verdict === 'fail' ? `${failed} failed` : warned ? checkBadge(warned).slice(2) : report.checks.length ? 'all passed' : 'no checks ran';
  return `${icon} ${report.function}: ${words}`;
}

/** Every top-level function gets a lens; a method only when it carries @dlens- directives or takes numeric parameters. */
export function lensWorthy(fn: { method?: unknown; directives: unknown[]; params: { kind: string }[] }): boolean {
  return !fn.method || fn.directives.length > 0 || fn.params.some((p) => p.kind !== 'unknown');
}

/** "Y[0][0]: expected 0.2409, got 1.1e-17" for the worst mismatch of a check, when it has one. */
export function worstEntryText(check: Check, wrt: string): string | undefined {
  const m = check.mismatches[0];
  if (!m) return undefined;
  return `${m.entry ?? formatEntry(wrt, m.index)}: expected ${formatNumber(m.expected)}, got ${formatNumber(m.actual)}`;
}

function entriesOf(report: Report): number {
  return report.leaves ? report.leaves.reduce((a, l) => a + l.size, 0) : sizeOf(report.shape as number[]);
}

/** How a kink's entry reads: by leaf path in a tree, else as an index of the wrt. */
function kinkEntry(report: Report, e: number[]): string {
  return report.leaves ? entryName({ wrt: report.wrt, shape: [entriesOf(report)], leaves: report.leaves }, e[0]) : formatEntry(report.wrt, e);
}

/** What one diagnostic says; the glue decides where it goes from `anchor`. */
export interface DiagnosticSpec {
  code: CheckId | 'kink' | 'non-finite' | 'evaluation-error';
  severity: 'error' | 'warning' | 'information';
  message: string;
  /** supplied: the supplied function's location; checked: the checked function's name; kink/location: a source location. */
  anchor: { kind: 'supplied'; check: Check } | { kind: 'checked' } | { kind: 'location'; file: string; line: number; column: number };
}

function hasNonFinite(x: unknown): boolean {
  if (typeof x === 'number') return !Number.isFinite(x);
  return Array.isArray(x) && x.some(hasNonFinite);
}

/** The diagnostics a report stands for: failed supplied derivatives, FD disagreements, kinks and NaN/Inf. */
export function diagnosticsFor(report: Report): DiagnosticSpec[] {
  const out: DiagnosticSpec[] = [];
  const n = entriesOf(report);
  for (const check of report.checks) {
    if (check.status === 'pass') continue;
    const worst = worstEntryText(check, report.wrt);
    const count = check.mismatchCount > 0 ? `${check.mismatchCount} of ${n} entries differ` : check.summary;
    const parts = [worst ? `${count}; worst ${worst}.` : `${count}.`];
    if (check.explanation) parts.push(check.explanation.charAt(0).toUpperCase() + check.explanation.slice(1));
    if (check.id === 'supplied-gradient' || check.id === 'supplied-hessian-diagonal') {
      // The summary starts with the culprit ("handGrad is not the gradient of loss: …"): the Problems panel shows one line.
      out.push({
        code: check.id,
        severity: check.status === 'fail' ? 'error' : 'warning',
        message: [`${check.summary}.`, ...parts.slice(1)].join(' '),
        anchor: { kind: 'supplied', check },
      });
    } else {
      const what = check.id === 'gradient-vs-fd' ? 'Gradient' : 'Hessian diagonal';
      out.push({
        code: check.id,
        severity: 'warning',
        message: `${what} of ${report.function} disagrees with finite differences: ${parts.join(' ')}`,
        anchor: { kind: 'checked' },
      });
    }
  }
  const disagreed = kinksMatter(report);
  for (const kink of report.kinks) {
    const where = kink.location;
    const entries = kink.entries.length
      ? ` (entries ${kink.entries.slice(0, 5).map((e) => kinkEntry(report, e)).join(', ')}${kink.entries.length > 5 ? ', …' : ''})`
      : '';
    out.push({
      code: 'kink',
      severity: disagreed ? 'warning' : 'information',
      message: disagreed
        ? `${kink.detail} at the evaluation point: ${report.function} may not be differentiable here${entries}; finite differences may disagree with the engine.`
        : `${kink.detail} at the evaluation point${entries}; finite differences agree with the engine, so it does not matter here.`,
      anchor: where ? { kind: 'location', file: where.file, line: where.line, column: where.column } : { kind: 'checked' },
    });
  }
  const values = (v: Report['gradient']) => (report.leaves ? Object.values(v) : v);
  const nonFinite = [
    ['gradient', values(report.gradient)],
    ['Hessian diagonal', values(report.hessianDiagonal)],
  ].filter(([, v]) => hasNonFinite(v));
  if (nonFinite.length > 0) {
    out.push({
      code: 'non-finite',
      severity: 'warning',
      message: `The ${nonFinite.map(([w]) => w).join(' and ')} of ${report.function} contains NaN or Infinity at the evaluation point.`,
      anchor: { kind: 'checked' },
    });
  }
  return out;
}

/** The message of an evaluation error, prefixed by what kind of failure it was. */
export function evaluationErrorMessage(err: EngineErrorInfo): string {
  const prefix: Partial<Record<EngineErrorInfo['kind'], string>> = {
    syntax: 'Syntax error',
    threw: 'The function threw',
    timeout: 'Timed out',
    'out-of-memory': 'Out of memory',
    unsupported: 'Not differentiable',
    directive: 'Bad directive',
    import: 'Import failed',
    'not-found': 'Not found',
    'bad-return': 'Bad return value',
    'non-finite': 'Non-finite value',
    'bad-shape': 'Bad shape',
    'bad-argument': 'Bad argument',
  };
  const p = prefix[err.kind];
  return p ? `${p}: ${err.message}` : err.message;
}

const htmlEscapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** For the few strings the host puts in the webview's HTML shell; the webview itself builds DOM with textContent. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => htmlEscapes[c]);
}
