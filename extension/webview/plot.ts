// The log–log plot of finite-difference error against step size for one entry (a StepSweep), as inline SVG, with its tolerance and reference slopes.

import { formatNumber } from '../../engine/numbers';
import { formatEntry } from '../../engine/shape';
import type { StepSweep } from '../../engine/types';
import { svg } from './dom';

const width = 420;
const height = 240;
const margin = { left: 56, right: 16, top: 14, bottom: 40 };

/** Errors of exactly 0 have no logarithm: they sit at this floor. */
const errorFloor = 1e-18;

function decades(lo: number, hi: number): number[] {
  const out: number[] = [];
  const step = Math.max(1, Math.ceil((hi - lo) / 6));
  for (let d = Math.ceil(lo); d <= Math.floor(hi); d += step) out.push(d);
  return out;
}

/** `tolerance`: the bound the entry had to meet; errors under it pass. */
export function stepSweepPlot(sweep: StepSweep, wrt: string, tolerance?: number): SVGSVGElement {
  const pts = sweep.points
    .filter((p) => p.h > 0 && Number.isFinite(p.error))
    .map((p) => ({ x: Math.log10(p.h), y: Math.log10(Math.max(Math.abs(p.error), errorFloor)), p }));
  const root = svg('svg', { class: 'plot', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img' });
  const what = sweep.quantity === 'gradient' ? 'gradient' : 'Hessian diagonal';
  root.append(svg('title', {}, `Finite-difference error of the ${what} at ${formatEntry(wrt, sweep.index)} against step size`));
  if (pts.length === 0) return root;
  const xs = pts.map((q) => q.x);
  const tolY = tolerance !== undefined && tolerance > 0 ? Math.log10(tolerance) : undefined;
  const ys = [...pts.map((q) => q.y), ...(tolY !== undefined ? [tolY] : [])];
  const [x0, x1] = [Math.min(...xs), Math.max(...xs) || Math.min(...xs) + 1];
  const [y0, y1] = [Math.floor(Math.min(...ys)), Math.ceil(Math.max(...ys))];
  const sx = (x: number) => margin.left + ((x - x0) / (x1 - x0 || 1)) * (width - margin.left - margin.right);
  const sy = (y: number) => height - margin.bottom - ((y - y0) / (y1 - y0 || 1)) * (height - margin.top - margin.bottom);

  const axes = svg('g', { class: 'axes' });
  axes.append(svg('line', { x1: margin.left, y1: height - margin.bottom, x2: width - margin.right, y2: height - margin.bottom }));
  axes.append(svg('line', { x1: margin.left, y1: margin.top, x2: margin.left, y2: height - margin.bottom }));
  for (const d of decades(x0, x1)) {
    axes.append(svg('line', { class: 'grid', x1: sx(d), y1: margin.top, x2: sx(d), y2: height - margin.bottom }));
    axes.append(svg('text', { x: sx(d), y: height - margin.bottom + 14, 'text-anchor': 'middle' }, `1e${d}`));
  }
  for (const d of decades(y0, y1)) {
    axes.append(svg('line', { class: 'grid', x1: margin.left, y1: sy(d), x2: width - margin.right, y2: sy(d) }));
    axes.append(svg('text', { x: margin.left - 6, y: sy(d) + 4, 'text-anchor': 'end' }, `1e${d}`));
  }
  axes.append(svg('text', { x: (width + margin.left) / 2, y: height - 6, 'text-anchor': 'middle' }, 'step size h'));
  axes.append(svg('text', { x: 12, y: (height - margin.bottom) / 2, 'text-anchor': 'middle', transform: `rotate(-90 12 ${(height - margin.bottom) / 2})` }, '|error|'));
  root.append(axes);

  if (tolY !== undefined) {
    // Everything under the tolerance line passes: shade it, so "good enough" reads at a glance.
    root.append(svg('rect', { class: 'band', x: margin.left, y: sy(tolY), width: width - margin.left - margin.right, height: Math.max(0, height - margin.bottom - sy(tolY)) }));
    root.append(svg('line', { class: 'tolerance', x1: margin.left, y1: sy(tolY), x2: width - margin.right, y2: sy(tolY) }));
    root.append(svg('text', { class: 'label', x: width - margin.right - 4, y: sy(tolY) - 4, 'text-anchor': 'end' }, 'tolerance'));
  }
  const best = pts.reduce((a, b) => (b.y < a.y ? b : a));
  // Reference slopes through the best step: truncation error falls as h², rounding error grows as 1/h.
  const clipY = (y: number) => Math.max(y0, Math.min(y1, y));
  for (const [slope, label, dx] of [[2, 'h² (truncation)', x1 - best.x], [-1, '1/h (rounding)', x0 - best.x]] as const) {
    if (dx === 0) continue;
    const yEnd = clipY(best.y + slope * dx);
    const xEnd = best.x + (yEnd - best.y) / slope;
    root.append(svg('line', { class: 'slope', x1: sx(best.x), y1: sy(best.y), x2: sx(xEnd), y2: sy(yEnd) }));
    root.append(svg('text', { class: 'label', x: sx(xEnd), y: sy(yEnd) + (slope > 0 ? 12 : -4), 'text-anchor': slope > 0 ? 'end' : 'start' }, label));
  }
  root.append(svg('polyline', { class: 'series', points: pts.map((q) => `${sx(q.x)},${sy(q.y)}`).join(' ') }));
  for (const q of pts) {
    const dot = svg('circle', { class: q === best ? 'point best' : 'point', cx: sx(q.x), cy: sy(q.y), r: q === best ? 4.5 : 3 });
    dot.append(svg('title', {}, `h = ${formatNumber(q.p.h)}: estimate ${q.p.estimate}, error ${formatNumber(q.p.error)}`));
    root.append(dot);
  }
  return root;
}

/** The words under the plot: what each mark means. */
export const plotLegend = [
  ['point', 'error of the central difference at each step size h'],
  ['best', 'the step with the smallest error'],
  ['tolerance', 'dashed line: the tolerance, shaded below it (errors there pass)'],
  ['slope', 'dotted lines: how error should fall with h (h², truncation) and grow below it (1/h, rounding)'],
] as const;
