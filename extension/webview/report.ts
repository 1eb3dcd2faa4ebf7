// Builds the report's DOM from a Report, failures first: verdict and summary, then each check, then the data (collapsed).

import { formatNumber } from '../../engine/numbers';
import { flatValues, formatEntry, multiIndex, sizeOf } from '../../engine/shape';
import { leafReports, type LeafReport } from '../../engine/report/leaves';
import type { Check, EngineErrorInfo, Nested, PointValue, Report } from '../../engine/types';
import { checkBadge, checkLabel, evaluationErrorMessage, formatMs, isSetupError, statusMark } from '../format';
import type { RenderedSummary } from '../protocol';
import type { RGB } from './color-scale';
import { button, collapsible, el, table, tableRow, type Row } from './dom';
import { heatmap, largeInputEntries } from './heatmap';
import { describeValue, gridOf } from './nested';
import { plotLegend, stepSweepPlot } from './plot';
import { entryErrors, ratioGrid, type EntryError } from './ratios';

export interface Actions {
  copyJson(): void;
  reveal(location?: Report['location']): void;
  openSetting(id: string): void;
}

/** Counts what was drawn, for the `rendered` summary. */
interface Tally {
  heatmaps: number;
  tables: number;
  plot: boolean;
}

/** The captured console of one evaluation, when the engine sends it. */
type Extras = {
  console?: string[];
};

/** Rows a table shows before "Show all". */
const firstRows = 20;
/** A "Show all" never builds more rows than this: the rest is in Copy as JSON. */
const maxRows = 5000;

const fmt = (x: number) => formatNumber(x, 6);

const checkIds = (c: Check) => `check-${c.id}`;

const timingLabels: Record<keyof Report['timingsMs'], string> = {
  bundle: 'Bundling your module',
  evaluate: 'One plain evaluation of f',
  gradient: 'Gradient (one reverse sweep)',
  hessianDiagonal: 'Hessian diagonal',
  finiteDifference: 'Finite-difference checks',
  supplied: 'Your derivatives',
  total: 'Total',
};

const sourceLabels: Record<string, string> = {
  at: 'given for this run (--at)',
  directive: '@dlens-at in the doc comment',
  constant: 'a constant of the module',
  'default-value': "the parameter's default value",
  omitted: 'left out (optional)',
  generated: 'generated from a fixed seed',
};

/** How a check works, in plain words, before the engine's exact method text. */
const howChecked: Record<Check['id'], string> = {
  'gradient-vs-fd':
    'The engine computed the gradient exactly from a record of every operation. To check it independently, each entry was also estimated by nudging that input a little up and down and measuring how f changed (central differences, refined by Richardson extrapolation). An entry passes when the two agree within the tolerance, widened by how accurate the estimate itself is.',
  'hessian-diagonal-vs-fd':
    "The engine computed each second derivative ∂²f/∂x² exactly. To check them, the engine's gradient was nudged the same way as above (and f's second differences cross-checked), and each entry compared within the tolerance.",
  'supplied-gradient':
    "Your gradient function was called at the same point and each entry compared with the engine's exact gradient. Both are double-precision computations of the same quantity, so the tolerance is tight.",
  'supplied-hessian-diagonal':
    "Your Hessian-diagonal function was called at the same point and each entry compared with the engine's exact second derivatives, within a tight tolerance.",
};

/** A link to a check's section: focusable, announced as a link; following it opens the section and moves focus there. */
function linkToCheck(check: Check, className: string, text: string, title?: string): HTMLAnchorElement {
  const a = el('a', { className, title }, text);
  a.href = `#${checkIds(check)}`;
  a.addEventListener('click', (e) => {
    e.preventDefault();
    const target = document.getElementById(checkIds(check));
    if (target instanceof HTMLDetailsElement) target.open = true;
    target?.scrollIntoView({ block: 'start' });
    target?.querySelector('summary')?.focus();
  });
  return a;
}

function badge(check: Check): HTMLAnchorElement {
  return linkToCheck(check, `badge ${check.status}`, checkBadge(check), check.summary);
}

function revealButton(label: string, location: Report['location'], actions: Actions): HTMLButtonElement {
  return button(label, () => actions.reveal(location), 'link');
}

/** "FAIL — 1 of 4 checks failed: supplied Hessian diagonal". */
export function verdictText(report: Report): string {
  const failed = report.checks.filter((c) => c.status === 'fail');
  const warned = report.checks.filter((c) => c.status === 'warn');
  if (report.checks.length === 0) return 'No checks ran: only the value and derivatives are shown.';
  if (failed.length) return `FAIL — ${failed.length} of ${report.checks.length} checks failed: ${failed.map((c) => checkLabel(c.id)).join(', ')}`;
  if (warned.length) return `WARN — ${warned.map((c) => checkBadge(c).slice(2)).join('; ')}`;
  return `PASS — all ${report.checks.length} checks passed`;
}

function entryText(report: LeafReport, e: EntryError, check: Check): string {
  const fd = check.id.endsWith('-vs-fd');
  const [want, got] = fd ? ['finite differences', 'engine'] : ['engine', 'yours'];
  return `${formatEntry(report.wrt, multiIndex(report.shape, e.k))}: ${got} ${fmt(e.actual)}, ${want} ${fmt(e.expected)}`;
}

/** The top of the report: each check that did not pass, with its worst entries, why, and where to go. */
function failureSummary(report: Report, leaves: LeafReport[], actions: Actions, explanations: string[]): HTMLElement | undefined {
  const bad = report.checks.filter((c) => c.status !== 'pass').sort((a, b) => (a.status === b.status ? 0 : a.status === 'fail' ? -1 : 1));
  if (bad.length === 0) return undefined;
  const items = bad.map((check) => {
    // The worst entries over every leaf (a tree's checks are split per leaf, in the same order).
    const at = report.checks.indexOf(check);
    const worst = leaves
      .flatMap((leaf) => entryErrors(leaf, leaf.checks[at]).filter((e) => e.ratio > 1).map((e) => ({ text: entryText(leaf, e, leaf.checks[at]), ratio: e.ratio })))
      .sort((a, b) => b.ratio - a.ratio)
      .slice(0, 3);
    if (check.explanation) explanations.push(check.explanation);
    const go = linkToCheck(check, 'link', 'Details');
    return el(
      'li',
      { className: `failure ${check.status}` },
      el('strong', {}, `${statusMark(check.status)} ${checkLabel(check.id)}: `),
      // FD summaries start with the quantity's name already.
      check.summary.startsWith(`${checkLabel(check.id)}: `) ? check.summary.slice(checkLabel(check.id).length + 2) : check.summary,
      worst.length ? el('ul', { className: 'worst' }, ...worst.map((e) => el('li', {}, el('code', {}, e.text)))) : undefined,
      check.explanation
        ? el(
            'div',
            { className: 'explanation' },
            el('strong', {}, 'Likely cause: '),
            check.explanation,
            check.alternatives?.length ? el('div', { className: 'muted' }, `Also fits: ${check.alternatives.join('; ')}`) : undefined,
            check.evidence ? el('div', { className: 'muted' }, `Evidence: ${Object.entries(check.evidence).map(([k, v]) => `${k} = ${typeof v === 'number' ? fmt(v) : v}`).join(', ')}`) : undefined,
          )
        : undefined,
      el('div', { className: 'buttons' }, go, check.location && revealButton('Go to your function', check.location, actions)),
    );
  });
  return el('section', { className: 'summary', id: 'summary' }, el('h2', {}, 'What needs attention'), el('ul', { className: 'failures' }, ...items));
}

/** A worst-first table of a check's entries: the first rows, and a button that adds the rest. */
function entryTable(report: LeafReport, check: Check, errors: EntryError[], tally: Tally): HTMLElement {
  tally.tables++;
  const fd = check.id.endsWith('-vs-fd');
  const head = fd ? ['entry', 'engine', 'finite differences', '|difference|', '÷ tolerance'] : ['entry', 'engine (truth)', 'yours', '|difference|', '÷ tolerance'];
  const row = (e: EntryError): Row => {
    const cells = [formatEntry(report.wrt, multiIndex(report.shape, e.k)), fd ? fmt(e.actual) : fmt(e.expected), fd ? fmt(e.expected) : fmt(e.actual), formatNumber(Math.abs(e.actual - e.expected)), formatNumber(e.ratio, 3)];
    return { cells, className: e.ratio > 1 ? 'bad' : undefined };
  };
  const beyond = errors.filter((e) => e.ratio > 1).length;
  const caption = `${checkLabel(check.id)}: ${errors.length} entries compared, worst first${beyond ? `; ${beyond} beyond tolerance (highlighted)` : ''}`;
  const t = table(caption, head, errors.slice(0, firstRows).map(row), { rowHeaders: true });
  const wrap = el('div', { className: 'table-wrap' }, t);
  if (errors.length > firstRows) {
    const more = button(`Show all ${errors.length.toLocaleString('en-US')} entries`, () => {
      const body = t.tBodies[0];
      for (const e of errors.slice(firstRows, maxRows)) body.append(tableRow(row(e), true));
      more.remove();
      if (errors.length > maxRows) wrap.append(el('p', { className: 'muted' }, `The first ${maxRows.toLocaleString('en-US')} are shown; Copy as JSON has every entry.`));
    });
    wrap.append(more);
  }
  return wrap;
}

/** The map of error ÷ tolerance in the input's shape, mismatches outlined, with its words for screen readers. */
function ratioMap(report: LeafReport, check: Check, errors: EntryError[], bg: RGB, tally: Tally): HTMLElement | undefined {
  if (report.shape.length === 0 || errors.length === 0) return undefined;
  const n = sizeOf(report.shape);
  const ratios = ratioGrid(errors, n);
  const marked = new Set(errors.filter((e) => e.ratio > 1).map((e) => e.k));
  const byK = new Map(errors.map((e) => [e.k, e]));
  const worst = errors[0];
  const summary =
    `Map of error ÷ tolerance over ${report.shape.join('×')} entries of ${report.wrt}: ` +
    (marked.size ? `${marked.size} beyond tolerance, worst ${formatEntry(report.wrt, multiIndex(report.shape, worst.k))} at ${formatNumber(worst.ratio, 3)} times the tolerance.` : `every judged entry within tolerance (largest ${formatNumber(worst.ratio, 3)}).`);
  tally.heatmaps++;
  return el(
    'figure',
    {},
    heatmap({
      values: ratios,
      shape: report.shape,
      wrt: report.wrt,
      background: bg,
      marked,
      mode: 'ratio',
      summary,
      describe: (k) => {
        const e = byK.get(k);
        const name = formatEntry(report.wrt, multiIndex(report.shape, k));
        return e ? `${entryText(report, e, check)} — ${formatNumber(e.ratio, 3)} × tolerance` : `${name}: not compared`;
      },
    }),
    el('figcaption', {}, summary),
  );
}

/** One check: its verdict, what it found (map and table, collapsed when it passed), and how it was checked. */
/** One check: its verdict, what it found per leaf (map and table, collapsed when it passed), and how it was checked. */
function checkSection(report: Report, leaves: LeafReport[], check: Check, bg: RGB, actions: Actions, tally: Tally): HTMLElement {
  const at = report.checks.indexOf(check);
  const t = check.tolerance;
  const quantity = check.id === 'gradient-vs-fd' ? 'gradient' : check.id === 'hessian-diagonal-vs-fd' ? 'hessian-diagonal' : undefined;
  const swept = leaves.map((leaf) => ({ leaf, sweep: leaf.stepSweeps.find((s) => s.quantity === quantity) })).find((x) => x.sweep);
  const found = leaves.flatMap((leaf) => {
    const c = leaf.checks[at];
    const errors = entryErrors(leaf, c);
    return [leaves.length > 1 ? el('h3', {}, leaf.wrt) : undefined, ratioMap(leaf, c, errors, bg, tally), errors.length ? entryTable(leaf, c, errors, tally) : el('p', { className: 'muted' }, 'No entry could be compared.')];
  });
  const parts: (HTMLElement | undefined)[] = [
    el('p', {}, check.summary),
    check.location ? el('div', { className: 'buttons' }, revealButton('Go to your function', check.location, actions)) : undefined,
    el('p', { className: 'muted' }, `Tolerance: |difference| ≤ ${t.atol} + ${t.rtol}·|reference| per entry${check.id.endsWith('-vs-fd') ? ', plus 3× the estimate’s own error' : ''}.`),
    ...found,
  ];
  if (swept) {
    tally.plot = true;
    const s = swept.sweep!;
    const wrt = swept.leaf.wrt;
    const bound = t.atol + t.rtol * Math.abs(s.reference);
    parts.push(
      el(
        'figure',
        {},
        stepSweepPlot(s, wrt, bound),
        el('figcaption', {}, `Error of a plain central difference against step size h at ${formatEntry(wrt, s.index)} (the entry closest to failing; reference ${fmt(s.reference)}).`),
        el('ul', { className: 'plot-legend' }, ...plotLegend.map(([cls, words]) => el('li', {}, el('span', { className: `key ${cls}` }), words))),
      ),
    );
  }
  parts.push(el('details', { className: 'how' }, el('summary', {}, 'How was this checked?'), el('p', {}, howChecked[check.id]), check.method ? el('p', { className: 'muted' }, `Exactly: ${check.method}.`) : undefined));
  const d = el('details', { className: `section check ${check.status}`, id: checkIds(check) }, el('summary', {}, el('h2', {}, checkBadge(check))), ...parts);
  d.open = check.status !== 'pass';
  return d;
}

/** Values in the wrt shape: entry–value rows for a vector (x[0], x[1], …), a grid with row and column headers for a matrix. */
function valuesTable(title: string, values: number[], report: LeafReport, tally: Tally): HTMLElement {
  tally.tables++;
  const name = (k: number) => formatEntry(report.wrt, multiIndex(report.shape, k));
  if (report.shape.length !== 2 || values.length > largeInputEntries) {
    const rows = values.map((v, k) => ({ cells: [name(k), fmt(v)] }));
    const t = table(`${title} of ${report.wrt}, by entry`, ['entry', 'value'], rows.slice(0, firstRows), { rowHeaders: true });
    const wrap = el('div', { className: 'table-wrap' }, t);
    if (rows.length > firstRows) {
      const more = button(`Show all ${rows.length.toLocaleString('en-US')} entries`, () => {
        for (const r of rows.slice(firstRows, maxRows)) t.tBodies[0].append(tableRow(r, true));
        more.remove();
      });
      wrap.append(more);
    }
    return wrap;
  }
  const { rows, cols } = gridOf(report.shape);
  const t = table(`${title} of ${report.wrt} (${rows}×${cols}), rows by columns`, ['', ...Array.from({ length: cols }, (_, c) => `[${c}]`)], [], { className: 'data shaped' });
  for (let r = 0; r < rows; r++) t.tBodies[0].append(tableRow({ cells: [`${report.wrt}[${r}]`, ...values.slice(r * cols, (r + 1) * cols).map(fmt)] }, true));
  return el('div', { className: 'table-wrap' }, t);
}

function derivativeSection(title: string, values: number[], report: LeafReport, bg: RGB, tally: Tally, note?: string): HTMLElement {
  const parts: (HTMLElement | undefined)[] = [note ? el('p', { className: 'muted' }, note) : undefined];
  if (report.shape.length > 0) {
    const finite = values.filter(Number.isFinite);
    const nonFinite = values.length - finite.length;
    const summary = `Map of the ${title.toLowerCase()} over ${report.shape.join('×')} entries of ${report.wrt}, from ${fmt(Math.min(...finite))} to ${fmt(Math.max(...finite))}${nonFinite ? `; ${nonFinite} not finite (dashed)` : ''}.`;
    parts.push(heatmap({ values, shape: report.shape, wrt: report.wrt, background: bg, summary }));
    tally.heatmaps++;
  }
  parts.push(valuesTable(title, values, report, tally));
  return collapsible(title, false, ...parts);
}

function header(report: Report & Extras, leaves: LeafReport[], stale: boolean): HTMLElement {
  const shapeWords = (l: LeafReport) => (l.shape.length ? l.shape.join('×') : 'a number');
  const shape = report.leaves ? `${leaves.length} leaves: ${leaves.map((l) => `${l.wrt} ${shapeWords(l)}`).join(', ')}` : shapeWords(leaves[0]);
  const verdict = el('p', { className: `verdict ${report.verdict}`, id: 'verdict' }, verdictText(report));
  verdict.setAttribute('role', 'status');
  verdict.setAttribute('aria-live', 'polite');
  return el(
    'header',
    {},
    el('h1', {}, report.function),
    el('p', { className: 'muted' }, `Derivatives with respect to ${report.wrt} (${shape}) · f = ${fmt(report.value)}`),
    stale ? el('p', { className: 'stale' }, 'The file changed since this run: these results are stale. Re-run the check to refresh them.') : undefined,
    verdict,
    report.checks.length ? el('nav', { className: 'badges', title: 'Checks' }, ...report.checks.map(badge)) : undefined,
  );
}

/** A point in one line: nested arrays summarised, objects (a tree, a receiver) as their fields. */
function describePoint(v: PointValue): string {
  if (typeof v === 'number') return describeValue(v, (x) => formatNumber(x));
  if (Array.isArray(v) && !JSON.stringify(v).includes('{')) return describeValue(v as Nested, (x) => formatNumber(x));
  if (Array.isArray(v)) return `[${v.map(describePoint).join(', ')}]`;
  return `{ ${Object.entries(v).map(([k, x]) => `${k}: ${describePoint(x)}`).join(', ')} }`;
}

function pointSection(report: Report & Extras, actions: Actions, tally: Tally): HTMLElement {
  const point = el('ul', { className: 'point' }, ...Object.entries(report.point).map(([name, v]) => el('li', {}, el('code', {}, name), ` = ${describePoint(v)}`)));
  const inputs = report.inputs?.length
    ? (tally.tables++,
      table(
        'Where each input came from',
        ['parameter', 'from', 'shape', 'detail'],
        report.inputs.map((i) => ({ cells: [i.name, sourceLabels[i.source] ?? i.source, i.shape?.length ? i.shape.join('×') : i.shape ? 'number' : '', i.detail ?? ''] })),
        { rowHeaders: true, className: 'data words' },
      ))
    : undefined;
  const copy = button('Copy as JSON', () => actions.copyJson());
  return collapsible('Evaluation point', false, point, inputs, el('div', { className: 'buttons' }, copy, revealButton('Reveal in editor', report.location, actions)), el('p', { className: 'muted' }, report.file));
}

function timings(report: Report, tally: Tally): HTMLElement {
  tally.tables++;
  const rows = (Object.keys(timingLabels) as (keyof Report['timingsMs'])[]).map((k) => ({ cells: [timingLabels[k], formatMs(report.timingsMs[k])] }));
  return collapsible(
    'Method and timings',
    false,
    el('p', {}, `Hessian diagonal: ${report.hessianDiagonalMethod}; ${report.passes} derivative passes over the recorded function.`),
    table('Time spent in each step of the check', ['step', 'time'], rows, { rowHeaders: true, className: 'data words' }),
  );
}

export function renderReport(root: HTMLElement, report: Report & Extras, stale: boolean, bg: RGB, actions: Actions): RenderedSummary {
  const tally: Tally = { heatmaps: 0, tables: 0, plot: false };
  const explanations: string[] = [];
  // Failures first, then warnings, then what passed.
  const order = { fail: 0, warn: 1, pass: 2 } as const;
  const checks = [...report.checks].sort((a, b) => order[a.status] - order[b.status]);
  // A tree (or several wrt paths) is shown leaf by leaf, each titled by its path.
  const leaves = leafReports(report);
  const of = (title: string, leaf: LeafReport) => (report.leaves ? `${title} of ${leaf.wrt}` : title);
  const parts: (HTMLElement | undefined)[] = [
    header(report, leaves, stale),
    failureSummary(report, leaves, actions, explanations),
    ...checks.map((c) => checkSection(report, leaves, c, bg, actions, tally)),
    ...leaves.flatMap((leaf) => [
      derivativeSection(of('Gradient', leaf), flatValues(leaf.gradient), leaf, bg, tally),
      derivativeSection(
        of('Hessian diagonal', leaf),
        flatValues(leaf.hessianDiagonal),
        leaf,
        bg,
        tally,
        leaf.hessianDiagonalMethod.startsWith('estimate') ? `An estimate (${leaf.hessianDiagonalMethod}), not exact.` : undefined,
      ),
    ]),
    pointSection(report, actions, tally),
  ];
  if (report.kinks.length || report.notes.length) {
    parts.push(
      collapsible(
        `Kinks and notes (${report.kinks.length + report.notes.length})`,
        report.verdict !== 'pass' && report.kinks.length > 0,
        el(
          'ul',
          {},
          ...report.kinks.map((k) => el('li', {}, k.detail, k.location && revealButton(`line ${k.location.line}`, k.location, actions))),
          ...report.notes.map((n) => el('li', {}, n)),
        ),
      ),
    );
  }
  if (report.console?.length) {
    parts.push(collapsible(`Console output (${report.console.length} ${report.console.length === 1 ? 'line' : 'lines'})`, false, el('pre', { className: 'console' }, report.console.join('\n'))));
  }
  parts.push(timings(report, tally));
  root.replaceChildren(...parts.filter((p): p is HTMLElement => p !== undefined));
  const badges = report.checks.map(checkBadge);
  return { function: report.function, verdict: report.verdict, badges, explanations, stale, headline: verdictText(report), ...tally };
}

/** What to do about an error, by kind. */
function remedy(error: EngineErrorInfo): string | undefined {
  if (error.kind === 'syntax') return 'Fix the syntax error that TypeScript marks in the editor, then check again.';
  if (isSetupError(error)) return 'Give the check what it needs (for a parameter without a point: a @dlens-at line in the doc comment; Insert Check Directives writes one), then check again.';
  if (error.kind === 'timeout') return 'Make the input smaller with @dlens-at, or allow more time in the setting.';
  if (error.kind === 'out-of-memory') return 'Make the input smaller with @dlens-at, or allow more memory in the setting.';
  if (error.kind === 'non-finite') return 'The function must return a finite number at the evaluation point: pick another point with @dlens-at, or fix the operation named above.';
  if (error.kind === 'threw') return 'The function threw at the evaluation point: the line above is where, in your TypeScript.';
  return undefined;
}

const errorSettings: Partial<Record<EngineErrorInfo['kind'], string>> = { timeout: 'derivativeLens.timeoutMs', 'out-of-memory': 'derivativeLens.memoryMb' };

export function renderError(root: HTMLElement, fn: string, error: EngineErrorInfo, actions: Actions): RenderedSummary {
  const where = error.file ? `${error.file}${error.line ? `:${error.line}${error.column ? `:${error.column}` : ''}` : ''}` : undefined;
  const reveal = error.file && error.line ? revealButton(`Go to line ${error.line}`, { file: error.file, line: error.line, column: error.column ?? 1 }, actions) : undefined;
  const setting = errorSettings[error.kind];
  const setup = isSetupError(error) || error.kind === 'syntax';
  const headline = `${setup ? 'Needs attention before a check can run' : 'Could not evaluate'} (${error.kind})`;
  const verdict = el('p', { className: `verdict ${setup ? 'warn' : 'fail'}` }, headline);
  verdict.setAttribute('role', 'status');
  verdict.setAttribute('aria-live', 'polite');
  const help = remedy(error);
  root.replaceChildren(
    el('header', {}, el('h1', {}, fn), verdict),
    el(
      'section',
      { className: 'summary' },
      el('h2', {}, 'What happened'),
      el('pre', { className: 'error' }, evaluationErrorMessage(error)),
      where ? el('p', { className: 'muted' }, where) : '',
      error.stack?.length ? el('div', {}, el('h3', {}, 'Where in your code (innermost call first)'), el('ol', { className: 'stack' }, ...error.stack.map((f) => el('li', {}, el('code', {}, f))))) : '',
      help ? el('p', {}, help) : '',
    ),
    el('div', { className: 'buttons' }, reveal ?? '', setting ? button('Open setting', () => actions.openSetting(setting)) : ''),
  );
  return { function: fn, verdict: 'error', badges: [], heatmaps: 0, tables: 0, plot: false, explanations: [], stale: false, headline };
}
