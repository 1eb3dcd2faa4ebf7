// The typed messages between the extension host and the report webview, both directions, and the webview's saved state.

import type { EngineErrorInfo, Report, SourceLocation } from '../engine/types';

/** What the webview says it rendered; the test API exposes it as `webviewState()`. */
export interface RenderedSummary {
  function: string;
  verdict: string;
  badges: string[];
  heatmaps: number;
  tables: number;
  plot: boolean;
  explanations: string[];
  stale: boolean;
  /** The verdict line the report opens with (announced to screen readers). */
  headline: string;
}

/** What the panel shows: a report, or why there is none. */
export type View = { type: 'report'; report: Report; stale: boolean } | { type: 'error'; function: string; error: EngineErrorInfo };

/**
 * Messages and webview state travel as JSON, which turns NaN and ±Infinity into null. Reports carry them on purpose
 * (unsampled FD entries, non-finite derivatives), so a report crosses as a string that keeps them.
 */
export type WireView = { type: 'report'; report: string; stale: boolean } | { type: 'error'; function: string; error: EngineErrorInfo };

export type ToWebview = WireView | { type: 'stale'; stale: boolean };

export type FromWebview =
  | { type: 'ready' }
  | { type: 'rendered'; summary: RenderedSummary }
  | { type: 'copyJson' }
  | { type: 'reveal'; location?: SourceLocation }
  | { type: 'openSetting'; id: string };

/** Kept by the webview with setState and handed back to the serializer after a reload. */
export interface WebviewState {
  view?: WireView;
}

/** A prefix no report string starts with, so only encoded numbers are decoded. */
const tag = '\u0000num:';

export function encodeReport(report: Report): string {
  return JSON.stringify(report, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? tag + String(v) : v));
}

export function decodeReport(json: string): Report {
  return JSON.parse(json, (_k, v) => (typeof v === 'string' && v.startsWith(tag) ? Number(v.slice(tag.length)) : v));
}

export function toWire(view: View): WireView {
  return view.type === 'report' ? { ...view, report: encodeReport(view.report) } : view;
}

export function fromWire(view: WireView): View {
  return view.type === 'report' ? { ...view, report: decodeReport(view.report) } : view;
}
