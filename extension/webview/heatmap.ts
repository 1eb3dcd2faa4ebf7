// Heat maps in the wrt input's shape: a grid of cells up to the large-input limit, a downsampled canvas above it; both outline marked entries.

import { formatNumber } from '../../engine/numbers';
import { formatEntry, multiIndex } from '../../engine/shape';
import { cssColor, heatColor, parseColor, type RGB } from './color-scale';
import { el } from './dom';
import { gridOf, maxAbs, percentileAbs } from './nested';

/** Above this many entries the report shows summaries and canvases instead of per-entry elements. */
export const largeInputEntries = 2000;

/** Longest side of a canvas heat map, in cells; larger inputs are downsampled by blocks. */
const canvasCells = 400;
/** Room for the row and column ticks around a canvas map, in canvas pixels. */
const tickMargin = { left: 40, top: 16 };

export interface HeatmapInput {
  values: number[];
  shape: number[];
  wrt: string;
  background: RGB;
  /** Flat entries to outline (entries beyond tolerance). */
  marked?: Set<number>;
  /** The magnitude drawn at full colour; by default the largest entry. Share it to compare two maps by eye. */
  scale?: number;
  /** 'ratio': error ÷ tolerance, one colour from 0 to 1 (the tolerance) and beyond; default: values on a scale centred at 0. */
  mode?: 'values' | 'ratio';
  /** What hovering or clicking entry k shows (default: its index and value). */
  describe?: (k: number) => string;
  /** One sentence for screen readers: what the map shows and what stands out. */
  summary: string;
}

function legend(input: HeatmapInput, scale: number): HTMLElement {
  const ratio = input.mode === 'ratio';
  const stops = ratio ? [0, 0.25, 0.5, 0.75, 1] : [-1, -0.5, 0, 0.5, 1];
  const label = (t: number) => (ratio ? (t === 1 ? '≥ 1' : formatNumber(t, 2)) : formatNumber(t * scale, 2));
  const words = ratio ? 'Colour: error ÷ tolerance, from 0 to 1 (the tolerance); entries beyond it are outlined.' : 'Colour: the value, centred at 0.';
  return el(
    'div',
    { className: 'legend-wrap' },
    el('p', { className: 'muted legend-words' }, words),
    el(
      'div',
      { className: 'legend', title: words },
    ...stops.map((t) => {
      const { fill, text } = heatColor(t, input.background);
      const swatch = el('span', { className: 'swatch' }, label(t));
      swatch.style.backgroundColor = cssColor(fill);
      swatch.style.color = cssColor(text);
      return swatch;
    }),
    ),
  );
}

function describeDefault(input: HeatmapInput): (k: number) => string {
  return input.describe ?? ((k) => `${formatEntry(input.wrt, multiIndex(input.shape, k))} = ${formatNumber(input.values[k], 6)}`);
}

function tick(text: string): HTMLElement {
  const t = el('div', { className: 'tick' }, text);
  t.setAttribute('aria-hidden', 'true');
  return t;
}

/** Cells in the input's shape, with row ticks on the left (first entry of the row for a vector) and column ticks on top. */
function cellGrid(input: HeatmapInput, scale: number, show: (k: number) => void): HTMLElement {
  const { values, shape, background, marked } = input;
  const { cols } = gridOf(shape);
  const grid = el('div', { className: 'heatmap' });
  grid.setAttribute('role', 'img');
  grid.setAttribute('aria-label', input.summary);
  grid.style.gridTemplateColumns = `max-content repeat(${cols}, minmax(1.6em, 4.5em))`;
  const showNumbers = values.length <= 200;
  const describe = describeDefault(input);
  grid.append(tick(''), ...Array.from({ length: cols }, (_, c) => tick(shape.length === 2 ? String(c) : `+${c}`)));
  values.forEach((v, k) => {
    if (k % cols === 0) grid.append(tick(String(shape.length === 2 ? k / cols : k)));
    const { fill, text } = heatColor(scale > 0 ? v / scale : 0, background);
    const cell = el(
      'div',
      { className: `cell${marked?.has(k) ? ' marked' : ''}${Number.isFinite(v) || (input.mode === 'ratio' && Number.isNaN(v)) ? '' : ' nonfinite'}`, title: describe(k) },
      showNumbers ? (Number.isNaN(v) && input.mode === 'ratio' ? '–' : formatNumber(v, 2)) : undefined,
    );
    cell.style.backgroundColor = cssColor(fill);
    cell.style.color = cssColor(text);
    cell.addEventListener('click', () => show(k));
    grid.append(cell);
  });
  return grid;
}

function themeColor(variable: string, fallback: RGB): string {
  return cssColor(parseColor(getComputedStyle(document.body).getPropertyValue(variable)) ?? fallback);
}

/** Each canvas block shows the entry of largest magnitude in its block (so outliers never vanish) and is outlined when any of its entries is marked. */
function canvasMap(input: HeatmapInput, scale: number, show: (k: number) => void): HTMLElement {
  const { values, shape, background, marked } = input;
  const { rows, cols } = gridOf(shape, 200);
  const rowStep = Math.max(1, Math.ceil(rows / canvasCells));
  const colStep = Math.max(1, Math.ceil(cols / canvasCells));
  const h = Math.ceil(rows / rowStep);
  const w = Math.ceil(cols / colStep);
  // Cells may be wide and short (7000×5 becomes 5 columns of 389 blocks): size each axis on its own.
  const cw = Math.max(1, Math.min(48, Math.floor(480 / w)));
  const ch = Math.max(1, Math.min(12, Math.floor(480 / h)));
  const canvas = el('canvas', { className: 'heatmap-canvas' });
  canvas.width = tickMargin.left + w * cw;
  canvas.height = tickMargin.top + h * ch;
  canvas.tabIndex = 0;
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', input.summary);
  const ctx = canvas.getContext('2d');
  const representative = new Int32Array(w * h).fill(-1);
  const outlined = new Uint8Array(w * h);
  for (let k = 0; k < values.length; k++) {
    const b = Math.floor(Math.floor(k / cols) / rowStep) * w + Math.floor((k % cols) / colStep);
    const cur = representative[b];
    if (cur < 0 || !(Math.abs(values[cur]) >= Math.abs(values[k]))) representative[b] = k;
    if (marked?.has(k)) outlined[b] = 1;
  }
  if (ctx) {
    for (let b = 0; b < representative.length; b++) {
      const k = representative[b];
      if (k < 0) continue;
      ctx.fillStyle = cssColor(heatColor(scale > 0 ? values[k] / scale : 0, background).fill);
      ctx.fillRect(tickMargin.left + (b % w) * cw, tickMargin.top + Math.floor(b / w) * ch, cw, ch);
    }
    ctx.strokeStyle = themeColor('--vscode-errorForeground', [229, 20, 0]);
    ctx.lineWidth = 2;
    // A ring around the block, at least 9 pixels across: a block of 1×1 pixels must still be found by eye.
    for (let b = 0; b < outlined.length; b++) {
      if (!outlined[b]) continue;
      const rw = Math.max(cw, 9);
      const rh = Math.max(ch, 9);
      ctx.strokeRect(tickMargin.left + (b % w) * cw + (cw - rw) / 2 - 1, tickMargin.top + Math.floor(b / w) * ch + (ch - rh) / 2 - 1, rw + 2, rh + 2);
    }
    // Ticks: first, middle and last row and column, in entry numbers (not blocks).
    ctx.fillStyle = themeColor('--vscode-foreground', [128, 128, 128]);
    ctx.font = '10px sans-serif';
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'right';
    for (const r of new Set([0, Math.floor((h - 1) / 2), h - 1])) ctx.fillText(String(r * rowStep * (shape.length === 1 ? cols : 1)), tickMargin.left - 4, tickMargin.top + r * ch + ch / 2);
    ctx.textAlign = 'center';
    ctx.textBaseline = 'alphabetic';
    if (shape.length === 2) for (const c of new Set([0, Math.floor((w - 1) / 2), w - 1])) ctx.fillText(String(c * colStep), tickMargin.left + c * cw + cw / 2, tickMargin.top - 4);
  }
  const entryAt = (e: MouseEvent): number => {
    const rect = canvas.getBoundingClientRect();
    const px = ((e.clientX - rect.left) / rect.width) * canvas.width - tickMargin.left;
    const py = ((e.clientY - rect.top) / rect.height) * canvas.height - tickMargin.top;
    if (px < 0 || py < 0) return -1;
    const bx = Math.floor(px / cw);
    const by = Math.floor(py / ch);
    return bx < w && by < h ? representative[by * w + bx] : -1;
  };
  const describe = describeDefault(input);
  const blockNote = rowStep * colStep > 1 ? ' (largest in its block)' : '';
  canvas.addEventListener('mousemove', (e) => {
    const k = entryAt(e);
    canvas.title = k >= 0 ? describe(k) + blockNote : '';
  });
  canvas.addEventListener('click', (e) => {
    const k = entryAt(e);
    if (k >= 0) show(k);
  });
  const note = `${rowStep * colStep > 1 ? `Downsampled: each cell shows the largest entry of a ${rowStep}×${colStep} block, outlined when any entry in it is beyond tolerance. ` : ''}${
    shape.length === 1 ? `Rows of ${cols} entries; the left ticks are entry numbers.` : 'Left ticks: rows; top ticks: columns.'
  }`;
  return el('div', {}, canvas, el('p', { className: 'muted' }, note));
}

export function heatmap(input: HeatmapInput): HTMLElement {
  const large = input.values.length > largeInputEntries;
  // One outlier among thousands would wash every other entry out: large maps saturate at the 99th percentile.
  const scale = input.mode === 'ratio' ? 1 : input.scale ?? (large ? percentileAbs(input.values, 0.99) || maxAbs(input.values) : maxAbs(input.values));
  const readout = el('p', { className: 'readout muted' }, 'Hover or click an entry to see it.');
  readout.setAttribute('aria-live', 'polite');
  const describe = describeDefault(input);
  const show = (k: number) => {
    readout.textContent = describe(k);
  };
  const body = large ? canvasMap(input, scale, show) : cellGrid(input, scale, show);
  return el('div', { className: 'heatmap-wrap' }, body, legend(input, scale), readout);
}
