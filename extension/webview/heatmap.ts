// Heat maps in the wrt input's shape: a grid of cells up to the large-input limit, a downsampled canvas above it.

import { formatIndex, formatNumber } from '../format';
import { cssColor, heatColor, type RGB } from './colorScale';
import { el } from './dom';
import { gridOf, indexOf, maxAbs, percentileAbs } from './nested';

/** Above this many entries the report shows summaries and canvases instead of per-entry elements. */
export const largeInputEntries = 2000;

/** Longest side of a canvas heat map, in cells; larger inputs are downsampled by blocks. */
const canvasCells = 400;

export interface HeatmapInput {
  values: number[];
  shape: number[];
  wrt: string;
  background: RGB;
  /** Flat entries to outline (e.g. supplied entries that mismatch). */
  marked?: Set<number>;
  /** The magnitude drawn at full colour; by default the largest entry. Share it to compare two maps by eye. */
  scale?: number;
}

function legend(scale: number, background: RGB): HTMLElement {
  const stops = [-1, -0.5, 0, 0.5, 1];
  return el(
    'div',
    { className: 'legend', title: 'Diverging scale centred at 0' },
    ...stops.map((t) => {
      const { fill, text } = heatColor(t, background);
      const swatch = el('span', { className: 'swatch' }, formatNumber(t * scale, 2));
      swatch.style.backgroundColor = cssColor(fill);
      swatch.style.color = cssColor(text);
      return swatch;
    }),
  );
}

function cellGrid({ values, shape, wrt, background, marked }: HeatmapInput, scale: number): HTMLElement {
  const { cols } = gridOf(shape);
  const grid = el('div', { className: 'heatmap' });
  grid.style.gridTemplateColumns = `repeat(${cols}, minmax(2.2em, 4.5em))`;
  const showNumbers = values.length <= 200;
  values.forEach((v, k) => {
    const { fill, text } = heatColor(scale > 0 ? v / scale : 0, background);
    const cell = el(
      'div',
      { className: `cell${marked?.has(k) ? ' marked' : ''}${Number.isFinite(v) ? '' : ' nonfinite'}`, title: `${formatIndex(wrt, indexOf(shape, k))} = ${v}` },
      showNumbers ? formatNumber(v, 3) : undefined,
    );
    cell.style.backgroundColor = cssColor(fill);
    cell.style.color = cssColor(text);
    grid.append(cell);
  });
  return grid;
}

/** Each canvas pixel block shows the entry of largest magnitude in its block, so outliers never vanish. */
function canvasMap({ values, shape, wrt, background }: HeatmapInput, scale: number): HTMLElement {
  const { rows, cols } = gridOf(shape, 200);
  const rowStep = Math.max(1, Math.ceil(rows / canvasCells));
  const colStep = Math.max(1, Math.ceil(cols / canvasCells));
  const h = Math.ceil(rows / rowStep);
  const w = Math.ceil(cols / colStep);
  // Cells may be wide and short (7000×5 becomes 5 columns of 389 blocks): size each axis on its own.
  const cw = Math.max(1, Math.min(48, Math.floor(480 / w)));
  const ch = Math.max(1, Math.min(12, Math.floor(480 / h)));
  const canvas = el('canvas', { className: 'heatmap-canvas' });
  canvas.width = w * cw;
  canvas.height = h * ch;
  const ctx = canvas.getContext('2d');
  const representative = new Int32Array(w * h).fill(-1);
  for (let k = 0; k < values.length; k++) {
    const r = Math.floor(k / cols);
    const c = k % cols;
    const b = Math.floor(r / rowStep) * w + Math.floor(c / colStep);
    const cur = representative[b];
    if (cur < 0 || !(Math.abs(values[cur]) >= Math.abs(values[k]))) representative[b] = k;
  }
  for (let b = 0; b < representative.length && ctx; b++) {
    const k = representative[b];
    if (k < 0) continue;
    ctx.fillStyle = cssColor(heatColor(scale > 0 ? values[k] / scale : 0, background).fill);
    ctx.fillRect((b % w) * cw, Math.floor(b / w) * ch, cw, ch);
  }
  canvas.addEventListener('mousemove', (e) => {
    const rect = canvas.getBoundingClientRect();
    const bx = Math.floor(((e.clientX - rect.left) / rect.width) * w);
    const by = Math.floor(((e.clientY - rect.top) / rect.height) * h);
    const k = representative[by * w + bx];
    canvas.title = k >= 0 ? `${formatIndex(wrt, indexOf(shape, k))} = ${values[k]}${rowStep * colStep > 1 ? ' (largest in its block)' : ''}` : '';
  });
  const note = `${rowStep * colStep > 1 ? `Downsampled: each cell shows the largest entry of a ${rowStep}×${colStep} block. ` : ''}Colours saturate at ±${formatNumber(scale)}.`;
  return el('div', {}, canvas, el('p', { className: 'muted' }, note));
}

export function heatmap(input: HeatmapInput): HTMLElement {
  const large = input.values.length > largeInputEntries;
  // One outlier among thousands would wash every other entry out: large maps saturate at the 99th percentile.
  const scale = input.scale ?? (large ? percentileAbs(input.values, 0.99) || maxAbs(input.values) : maxAbs(input.values));
  const body = large ? canvasMap(input, scale) : cellGrid(input, scale);
  return el('div', { className: 'heatmap-wrap' }, body, legend(scale, input.background));
}
