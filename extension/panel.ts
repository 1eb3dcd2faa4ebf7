// The report webview: one panel, reused, restored after a reload by its serializer; speaks the protocol in protocol.ts.

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { SourceLocation } from '../engine/types';
import { escapeHtml } from './format';
import { fromWire, toWire, type FromWebview, type RenderedSummary, type ToWebview, type View, type WebviewState } from './protocol';
import type { ReportPlacement } from './settings';

export const reportViewType = 'derivativeLens.report';

function titleOf(view: View): string {
  return `Derivatives: ${view.type === 'report' ? view.report.function : view.function}`;
}

export class ReportPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private view: View | undefined;
  private inlined: { script: string; css: string } | undefined;
  /** Whether the panel's script has loaded and listens (it says 'ready'). */
  private scriptReady = false;
  private rendered: RenderedSummary | undefined;
  private readonly closed = new vscode.EventEmitter<void>();
  /** Fires when the user closes the report (or Clear does). */
  readonly onDidClose = this.closed.event;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly reveal: (location: SourceLocation) => void,
  ) {}

  /** What the webview last said it rendered. */
  renderedSummary(): RenderedSummary | undefined {
    return this.rendered;
  }

  current(): View | undefined {
    return this.view;
  }

  /**
   * Shows `view`: an open panel is updated (and revealed unless `placement` is 'never'); otherwise a panel opens where
   * `placement` says. Returns whether the view is on screen.
   */
  show(view: View, placement: ReportPlacement, preserveFocus = true): boolean {
    this.view = view;
    if (!this.panel) {
      if (placement === 'never') return false;
      const viewColumn = placement === 'beside' ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
      this.attach(vscode.window.createWebviewPanel(reportViewType, titleOf(view), { viewColumn, preserveFocus }, this.options()));
    } else if (placement !== 'never') {
      this.panel.reveal(undefined, preserveFocus);
    }
    this.panel!.title = titleOf(view);
    this.post(toWire(view));
    return true;
  }

  /**
   * Opens the panel at once for a check whose report will show there, so the webview loads while the engine works
   * instead of after it. An open panel keeps what it shows until the result arrives.
   */
  prepare(functionName: string | undefined, placement: ReportPlacement): void {
    if (this.panel || placement === 'never') return;
    // A view kept without a panel (placement 'never') is another check's: the new panel waits for its own.
    this.view = undefined;
    const viewColumn = placement === 'beside' ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
    const title = functionName === undefined ? 'Derivatives' : `Derivatives: ${functionName}`;
    this.attach(vscode.window.createWebviewPanel(reportViewType, title, { viewColumn, preserveFocus: true }, this.options()), `Checking ${functionName ?? 'the function at the cursor'}…`);
  }

  /** Names, in the tab of a panel still waiting for its first report, the function found at the cursor. */
  name(functionName: string | undefined): void {
    if (this.panel && !this.view && functionName !== undefined) this.panel.title = `Derivatives: ${functionName}`;
  }

  /** Closes a panel that `prepare` opened for a check that ended with nothing to show (cancelled, no function). */
  abandon(): void {
    if (this.panel && !this.view) this.panel.dispose();
  }

  /** Whether the panel is open showing `functionName` of `file`. */
  showing(file: string, functionName: string): boolean {
    if (!this.panel || !this.view) return false;
    return this.view.type === 'report' ? this.view.report.file === file && this.view.report.function === functionName : this.view.function === functionName;
  }

  /** Closes the report (Clear Results). */
  close(): void {
    this.view = undefined;
    this.panel?.dispose();
  }

  /** The serializer's path: a panel VS Code kept across a reload, with the state the webview saved. */
  restore(panel: vscode.WebviewPanel, state: WebviewState | undefined): void {
    this.view = state?.view && fromWire(state.view);
    panel.webview.options = this.options();
    this.attach(panel);
  }

  /** Marks the shown report stale when it came from `file`. */
  markStale(file: string): void {
    if (this.view?.type === 'report' && this.view.report.file === file && !this.view.stale) {
      this.view = { ...this.view, stale: true };
      this.post({ type: 'stale', stale: true });
    }
  }

  private options(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist'), vscode.Uri.joinPath(this.extensionUri, 'extension', 'webview')],
    };
  }

  private attach(panel: vscode.WebviewPanel, waiting = 'Waiting for a report…'): void {
    this.panel = panel;
    this.scriptReady = false;
    panel.webview.html = this.html(panel.webview, waiting);
    const messages = panel.webview.onDidReceiveMessage((m: FromWebview) => this.receive(m));
    panel.onDidDispose(() => {
      messages.dispose();
      this.panel = undefined;
      this.view = undefined;
      this.rendered = undefined;
      this.closed.fire();
    });
  }

  /**
   * Sends to the script once it has said it is ready; before that, its 'ready' sends the current view. (A message
   * posted while it loads is delivered once it has, and the view sent again on 'ready' drew the report twice,
   * replacing what was on screen under the user's first click.)
   */
  private post(message: ToWebview): void {
    if (this.scriptReady) void this.panel?.webview.postMessage(message);
  }

  private receive(message: FromWebview): void {
    switch (message.type) {
      case 'ready':
        this.scriptReady = true;
        if (this.view) this.post(toWire(this.view));
        break;
      case 'rendered':
        this.rendered = message.summary;
        break;
      case 'copyJson':
        if (this.view?.type === 'report') {
          void vscode.env.clipboard.writeText(JSON.stringify(this.view.report, null, 2)).then(() => vscode.window.showInformationMessage('Derivative Lens: report copied as JSON.'));
        }
        break;
      case 'openSetting':
        if (message.id.startsWith('derivativeLens.')) void vscode.commands.executeCommand('workbench.action.openSettings', message.id);
        break;
      case 'reveal': {
        const loc = message.location ?? (this.view?.type === 'report' ? this.view.report.location : undefined);
        if (loc) this.reveal(loc);
        break;
      }
    }
  }

  /**
   * The webview's script and styles, read once and inlined: a new panel then needs no further fetch through the
   * webview's resource loader, which costs a large part of its start-up in a remote or browser VS Code.
   */
  private assets(): { script: string; css: string } {
    const read = (...parts: string[]) => readFileSync(vscode.Uri.joinPath(this.extensionUri, ...parts).fsPath, 'utf8');
    // Neither may close its own element early.
    this.inlined ??= { script: read('dist', 'webview.js').replace(/<\/(script)/gi, '<\\/$1'), css: read('extension', 'webview', 'report.css').replace(/<\/(style)/gi, '<\\/$1') };
    return this.inlined;
  }

  private html(webview: vscode.Webview, waiting: string): string {
    const nonce = randomBytes(16).toString('hex');
    const { script, css } = this.assets();
    const csp = `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; img-src ${webview.cspSource} data:`;
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<style nonce="${nonce}">${css}</style>
<title>${escapeHtml(this.view ? titleOf(this.view) : 'Derivatives')}</title>
</head>
<body>
<main id="root"><p>${escapeHtml(waiting)}</p></main>
<script nonce="${nonce}">${script}</script>
</body>
</html>`;
  }

  dispose(): void {
    this.panel?.dispose();
    this.closed.dispose();
  }
}
