// "Show Report": the report of a function a lens names, else of the last run.

import * as vscode from 'vscode';
import type { Services } from '../services';

export function showReport(s: Services) {
  return (uri?: vscode.Uri, functionName?: string): void => {
    const result = uri && functionName ? s.results.get(uri, functionName) : s.results.last();
    if (result?.report) s.panel.show({ type: 'report', report: result.report, stale: result.stale }, false);
    else if (result?.error) s.panel.show({ type: 'error', function: result.functionName, error: result.error }, false);
    else void vscode.window.showInformationMessage('Derivative Lens: no report yet. Run "Check Derivatives" first.');
  };
}
