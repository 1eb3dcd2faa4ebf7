// Builds the report's DOM from a Report: header, badges, derivatives as tables and heat maps, checks, plot, timings.

import { leafReports, type LeafReport } from '../../engine/report/leaves';
import type { Check, EngineErrorInfo, PointValue, Report } from '../../engine/types';
import { checkBadge, evaluationErrorMessage, formatIndex, formatMs, formatNumber } from '../format';
import type { RenderedSummary } from '../protocol';
import type { RGB } from './colorScale';
import { el, table } from './dom';
import { heatmap, largeInputEntries } from './heatmap';
import { describeValue, flatIndex, flatten, gridOf, indexOf, maxAbs, withinTolerance } from './nested';
import type { Nested } from '../../engine/types';
import { stepSweepPlot } from './plot';

export interface Actions {
  copyJson(): void;
  reveal(location?: Report['location']): void;
}

/** Counts what was drawn, for the `rendered` summary. */
interface Tally {
  heatmaps: number;
  tables: number;
  plot: boolean;
}

const fmt = (x: number) => formatNumber(x, 6);

function section(title: string, ...children: (Node | undefined | false)[]): HTMLElement {
  return el('section', {}, el('h2', {}, title), ...children);
}

/** Values in the wrt shape as a table of rows × columns (a vector wraps), or the largest entries when large. */
function shapedTable(values: number[], report: LeafReport, tally: Tally, marked?: Set<number>): HTMLElement {
  tally.tables++;
  if (values.length > largeInputEntries) {
    const order = values.map((_, k) => k).sort((a, b) => Math.abs(values[b]) - Math.abs(values[a]) || a - b);
    return table(
      ['entry', 'value'],
      order.slice(0, 20).map((k) => ({ cells: [formatIndex(report.wrt, indexOf(report.shape, k)), fmt(values[k])], className: marked?.has(k) ? 'bad' : undefined })),
    );
  }
  const { rows, cols } = gridOf(report.shape);
  const t = el('table', { className: 'data shaped' });
  const colHead = el('tr', {}, el('th', {}), ...Array.from({ length: cols }, (_, c) => el('th', {}, report.shape.length === 2 ? String(c) : `+${c}`)));
  t.append(el('thead', {}, colHead));
  const body = el('tbody');
  for (let r = 0; r < rows; r++) {
    const tr = el('tr', {}, el('th', {}, String(report.shape.length === 2 ? r : r * cols)));
    for (let c = 0; c < cols; c++) {
      const k = r * cols + c;
      if (k >= values.length) break;
      tr.append(el('td', { className: marked?.has(k) ? 'bad' : undefined, title: formatIndex(report.wrt, indexOf(report.shape, k)) }, fmt(values[k])));
    }
    body.append(tr);
  }
  t.append(body);
  return t;
}

function derivativeBlock(title: string, values: number[], report: LeafReport, bg: RGB, tally: Tally, note?: string): HTMLElement {
  const parts: HTMLElement[] = [];
  if (report.shape.length > 0) {
    parts.push(heatmap({ values, shape: report.shape, wrt: report.wrt, background: bg }));
    tally.heatmaps++;
  }
  parts.push(shapedTable(values, report, tally));
  return section(title, note ? el('p', { className: 'muted' }, note) : undefined, el('div', { className: 'pair' }, ...parts));
}

function checkHead(check: Check, actions: Actions): HTMLElement {
  return el(
    'div',
    { className: 'check-head' },
    el('span', { className: `badge ${check.status}` }, checkBadge(check)),
    el('span', {}, ` ${check.summary}`),
    check.location && revealButton('Go to supplied function', check.location, actions),
  );
}

function revealButton(label: string, location: Report['location'], actions: Actions): HTMLButtonElement {
  const b = el('button', { className: 'link' }, label);
  b.addEventListener('click', () => actions.reveal(location));
  return b;
}

function explanationBlock(check: Check, explanations: string[]): HTMLElement | undefined {
  if (!check.explanation) return undefined;
  explanations.push(check.explanation);
  const evidence = check.evidence && Object.entries(check.evidence).map(([k, v]) => `${k} = ${typeof v === 'number' ? fmt(v) : v}`).join(', ');
  const alternatives = check.alternatives?.length ? el('div', { className: 'muted' }, `Also fits: ${check.alternatives.join('; ')}`) : undefined;
  return el('div', { className: 'explanation' }, el('strong', {}, 'Why: '), check.explanation, evidence ? el('div', { className: 'muted' }, `Evidence: ${evidence}`) : undefined, alternatives);
}

/** Engine vs finite differences, entry by entry (all entries up to the limit, else the worst ones). */
function fdCheck(check: Check, engine: number[], report: LeafReport, actions: Actions, tally: Tally, explanations: string[]): HTMLElement {
  const reference = flatten(check.reference);
  const estimate = flatten(check.errorEstimate);
  const bad = new Set(check.mismatches.map((m) => flatIndex(report.shape, m.index)));
  const entries =
    engine.length <= largeInputEntries
      ? engine.map((_, k) => k).filter((k) => reference.length === 0 || Number.isFinite(reference[k]))
      : [...bad];
  const rows = entries.map((k) => {
    const ref = reference[k];
    const err = Math.abs(engine[k] - ref);
    return {
      cells: [formatIndex(report.wrt, indexOf(report.shape, k)), fmt(engine[k]), ref === undefined ? '—' : fmt(ref), estimate[k] === undefined ? '—' : formatNumber(estimate[k]), Number.isFinite(err) ? formatNumber(err) : '—'],
      className: bad.has(k) ? 'bad' : undefined,
    };
  });
  tally.tables++;
  return el(
    'div',
    { className: 'check' },
    checkHead(check, actions),
    el('p', { className: 'muted' }, `${check.method ?? ''} · tolerance rtol ${check.tolerance.rtol}, atol ${check.tolerance.atol} · max abs error ${formatNumber(check.maxAbsError)}, max rel error ${formatNumber(check.maxRelError)}`),
    explanationBlock(check, explanations),
    engine.length > largeInputEntries ? el('p', { className: 'muted' }, `${engine.length} entries: showing the ${rows.length} that failed.`) : undefined,
    table(['entry', 'engine', 'finite differences', 'FD error estimate', '|difference|'], rows),
  );
}

/** A supplied derivative in the wrt shape, entries that miss the engine's value outlined. */
function suppliedCheck(check: Check, engine: number[], report: LeafReport, bg: RGB, actions: Actions, tally: Tally, explanations: string[]): HTMLElement {
  const supplied = flatten(check.supplied);
  const marked = new Set<number>();
  if (supplied.length === engine.length) supplied.forEach((s, k) => withinTolerance(s, engine[k], check.tolerance) || marked.add(k));
  else check.mismatches.forEach((m) => marked.add(flatIndex(report.shape, m.index)));
  const worst = check.mismatches.slice(0, 10).map((m) => ({
    cells: [formatIndex(report.wrt, m.index), fmt(m.expected), fmt(m.actual), formatNumber(m.absError)],
    className: 'bad',
  }));
  const parts: (HTMLElement | undefined)[] = [
    checkHead(check, actions),
    explanationBlock(check, explanations),
    check.mismatchCount > 0 ? el('p', {}, `${check.mismatchCount} mismatching entries; worst first:`) : undefined,
  ];
  if (worst.length) {
    parts.push(table(['entry', 'engine (truth)', 'supplied', '|difference|'], worst));
    tally.tables++;
  }
  if (supplied.length === engine.length && report.shape.length > 0) {
    parts.push(el('h3', {}, 'Supplied values (mismatches outlined; colours on the scale of the engine values)'));
    parts.push(el('div', { className: 'pair' }, heatmap({ values: supplied, shape: report.shape, wrt: report.wrt, background: bg, marked, scale: Math.max(maxAbs(engine), maxAbs(supplied)) }), shapedTable(supplied, report, tally, marked)));
    tally.heatmaps++;
  }
  return el('div', { className: 'check' }, ...parts);
}

/** A point in one line: nested arrays summarised, objects as their fields. */
function describePoint(v: PointValue): string {
  if (typeof v === 'number' || (Array.isArray(v) && v.every((x) => typeof x === 'number' || Array.isArray(x)) && !JSON.stringify(v).includes('{'))) {
    return describeValue(v as Nested, (x) => formatNumber(x));
  }
  if (Array.isArray(v)) return `[${v.map(describePoint).join(', ')}]`;
  return `{ ${Object.entries(v).map(([k, x]) => `${k}: ${describePoint(x)}`).join(', ')} }`;
}

function header(report: Report, leaves: LeafReport[], stale: boolean, actions: Actions): HTMLElement {
  const shape = report.leaves ? `${leaves.length} leaves: ${leaves.map((l) => `${l.wrt} ${l.shape.length ? l.shape.join('×') : 'scalar'}`).join(', ')}` : leaves[0].shape.length ? leaves[0].shape.join('×') : 'scalar';
  const copy = el('button', {}, 'Copy as JSON');
  copy.addEventListener('click', () => actions.copyJson());
  const point = el('ul', { className: 'point' }, ...Object.entries(report.point).map(([name, v]) => el('li', {}, el('code', {}, name), ` = ${describePoint(v)}`)));
  return el(
    'header',
    {},
    el('h1', {}, report.function),
    el('p', { className: 'muted' }, `with respect to ${report.wrt} (${shape}) · ${report.file}`),
    stale ? el('p', { className: 'stale' }, 'The file changed since this run: these results are stale. Re-run the check to refresh them.') : undefined,
    el('div', { className: 'buttons' }, copy, revealButton('Reveal in editor', report.location, actions)),
    el('h3', {}, 'Evaluation point'),
    point,
  );
}

function timings(report: Report, tally: Tally): HTMLElement {
  tally.tables++;
  const rows = Object.entries(report.timingsMs).map(([k, v]) => ({ cells: [k, formatMs(v)] }));
  return section('Method and timings', el('p', {}, `Hessian diagonal: ${report.hessianDiagonalMethod}; ${report.passes} derivative passes.`), table(['phase', 'time'], rows));
}

/** Above this many leaves, a picker shows one leaf at a time. */
const LEAF_PICKER_MIN = 4;

/**
 * The derivatives and checks of one array-like: the whole wrt, or one leaf of a tree (titled by its path). A check's
 * explanation is shown once, with the first leaf it concerns.
 */
function leafBody(leaf: LeafReport, titled: boolean, bg: RGB, actions: Actions, tally: Tally, explanations: string[]): HTMLElement {
  const gradient = flatten(leaf.gradient);
  const diagonal = flatten(leaf.hessianDiagonal);
  const engineFor = (c: Check) => (c.id === 'gradient-vs-fd' || c.id === 'supplied-gradient' ? gradient : diagonal);
  const of = (title: string) => (titled ? `${title} of ${leaf.wrt}` : title);
  const parts: (HTMLElement | undefined)[] = [
    derivativeBlock(of('Gradient'), gradient, leaf, bg, tally),
    derivativeBlock(
      of('Hessian diagonal'),
      diagonal,
      leaf,
      bg,
      tally,
      leaf.hessianDiagonalMethod.startsWith('estimate') ? `An estimate (${leaf.hessianDiagonalMethod}), not exact.` : undefined,
    ),
  ];
  const once = (c: Check): Check => (c.explanation && explanations.includes(c.explanation) ? { ...c, explanation: undefined } : c);
  const supplied = leaf.checks.filter((c) => c.id.startsWith('supplied-'));
  if (supplied.length) parts.push(section(of('Supplied derivatives'), ...supplied.map((c) => suppliedCheck(once(c), engineFor(c), leaf, bg, actions, tally, explanations))));
  const fd = leaf.checks.filter((c) => c.id.endsWith('-vs-fd'));
  if (fd.length) parts.push(section(of('Finite-difference checks'), ...fd.map((c) => fdCheck(once(c), engineFor(c), leaf, actions, tally, explanations))));
  if (leaf.stepSweeps.length) {
    tally.plot = true;
    parts.push(
      section(
        of('Finite-difference error vs step size'),
        ...leaf.stepSweeps.map((s) =>
          el('figure', {}, stepSweepPlot(s, leaf.wrt), el('figcaption', {}, `${s.quantity === 'gradient' ? 'Gradient' : 'Hessian diagonal'} at ${formatIndex(leaf.wrt, s.index)} (reference ${fmt(s.reference)})`)),
        ),
      ),
    );
  }
  return el('div', { className: 'leaf' }, ...parts.filter((p): p is HTMLElement => p !== undefined));
}

/** A select that shows one leaf's sections at a time. */
function leafPicker(leaves: LeafReport[], bodies: HTMLElement[]): HTMLElement {
  const options = leaves.map((l, k) => Object.assign(el('option', {}, l.wrt), { value: String(k) }));
  const select = el('select', { title: 'Leaf to show' }, ...options) as HTMLSelectElement;
  const show = () => bodies.forEach((b, k) => (b.hidden = String(k) !== select.value));
  select.addEventListener('change', show);
  show();
  return el('div', { className: 'leaf-picker' }, el('label', {}, 'Leaf: ', select));
}

export function renderReport(root: HTMLElement, report: Report, stale: boolean, bg: RGB, actions: Actions): RenderedSummary {
  const tally: Tally = { heatmaps: 0, tables: 0, plot: false };
  const explanations: string[] = [];
  const badges = report.checks.map(checkBadge);
  const leaves = leafReports(report);
  const bodies = leaves.map((leaf) => leafBody(leaf, report.leaves !== undefined, bg, actions, tally, explanations));

  const parts: (HTMLElement | undefined)[] = [
    header(report, leaves, stale, actions),
    el(
      'div',
      { className: 'badges' },
      el('span', { className: `badge verdict ${report.verdict}` }, `verdict: ${report.verdict}`),
      ...report.checks.map((c) => el('span', { className: `badge ${c.status}`, title: c.summary }, checkBadge(c))),
    ),
    section('Value', el('p', { className: 'value' }, `f = ${report.value}`)),
    leaves.length > LEAF_PICKER_MIN ? leafPicker(leaves, bodies) : undefined,
    ...bodies,
  ];
  if (report.kinks.length || report.notes.length) {
    parts.push(
      section(
        'Kinks and notes',
        el(
          'ul',
          {},
          ...report.kinks.map((k) => el('li', {}, k.detail, k.location && revealButton(`line ${k.location.line}`, k.location, actions))),
          ...report.notes.map((n) => el('li', {}, n)),
        ),
      ),
    );
  }
  parts.push(timings(report, tally));
  root.replaceChildren(...parts.filter((p): p is HTMLElement => p !== undefined));
  return { function: report.function, verdict: report.verdict, badges, explanations, stale, ...tally };
}

export function renderError(root: HTMLElement, fn: string, error: EngineErrorInfo, actions: Actions): RenderedSummary {
  const where = error.file ? `${error.file}${error.line ? `:${error.line}${error.column ? `:${error.column}` : ''}` : ''}` : undefined;
  const reveal = error.file && error.line ? revealButton('Reveal in editor', { file: error.file, line: error.line, column: error.column ?? 1 }, actions) : undefined;
  root.replaceChildren(
    el('header', {}, el('h1', {}, fn), el('span', { className: 'badge fail' }, `could not evaluate (${error.kind})`)),
    el('pre', { className: 'error' }, evaluationErrorMessage(error)),
    where ? el('p', { className: 'muted' }, where) : '',
    reveal ?? '',
  );
  return { function: fn, verdict: 'error', badges: [], heatmaps: 0, tables: 0, plot: false, explanations: [], stale: false };
}

