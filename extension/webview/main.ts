// The report webview's script: receives reports from the host, renders them, keeps state across reloads, reports back what it drew.

import { fromWire, toWire, type FromWebview, type ToWebview, type View, type WebviewState } from '../protocol';
import { parseColor, type RGB } from './color-scale';
import { renderError, renderReport, type Actions } from './report';

declare function acquireVsCodeApi(): {
  postMessage(message: FromWebview): void;
  getState(): WebviewState | undefined;
  setState(state: WebviewState): void;
};

const vscode = acquireVsCodeApi();
const root = document.getElementById('root')!;
const saved = vscode.getState()?.view;
let view: View | undefined = saved && fromWire(saved);

/** The editor background the heat maps blend from; the theme kind's usual colour if the variable is unreadable. */
function background(): RGB {
  const css = getComputedStyle(document.body).getPropertyValue('--vscode-editor-background');
  const dark = document.body.classList.contains('vscode-dark') || document.body.classList.contains('vscode-high-contrast');
  return parseColor(css) ?? (dark ? [30, 30, 30] : [255, 255, 255]);
}

const actions: Actions = {
  copyJson: () => vscode.postMessage({ type: 'copyJson' }),
  reveal: (location) => vscode.postMessage({ type: 'reveal', location }),
  openSetting: (id) => vscode.postMessage({ type: 'openSetting', id }),
};

function render(): void {
  if (!view) return;
  const summary = view.type === 'report' ? renderReport(root, view.report, view.stale, background(), actions) : renderError(root, view.function, view.error, actions);
  // When it was drawn, on the page's clock: the UI suite measures command → report from it, not from its own polling.
  root.dataset.renderedAt = String(Date.now());
  vscode.setState({ view: toWire(view) });
  vscode.postMessage({ type: 'rendered', summary });
}

window.addEventListener('message', (event: MessageEvent<ToWebview>) => {
  const msg = event.data;
  switch (msg.type) {
    case 'report':
    case 'error':
      view = fromWire(msg);
      break;
    case 'stale':
      if (view?.type !== 'report') return;
      view = { ...view, stale: msg.stale };
      break;
  }
  render();
});

// A theme switch changes the body's class: redraw so the heat maps blend from the new background.
new MutationObserver(render).observe(document.body, { attributes: true, attributeFilter: ['class'] });

render();
vscode.postMessage({ type: 'ready' });
