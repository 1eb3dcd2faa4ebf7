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
}

export type ToWebview =
  | { type: 'report'; report: Report; stale: boolean }
  | { type: 'error'; function: string; error: EngineErrorInfo }
  | { type: 'stale'; stale: boolean };

export type FromWebview =
  | { type: 'ready' }
  | { type: 'rendered'; summary: RenderedSummary }
  | { type: 'copyJson' }
  | { type: 'reveal'; location?: SourceLocation };

/** Kept by the webview with setState and handed back to the serializer after a reload. */
export interface WebviewState {
  view?: Extract<ToWebview, { type: 'report' | 'error' }>;
}
