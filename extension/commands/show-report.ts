// "Show Report": the report of a function a lens names, else of the result the status bar shows.

import * as vscode from 'vscode';
import type { Services } from '../services';

export function showReport(s: Services) {
  // A Test Explorer message's link passes the URI as a string.
  return (target?: vscode.Uri | string, functionName?: string): void => {
    const uri = typeof target === 'string' ? vscode.Uri.parse(target) : target;
    const result = uri && functionName ? s.results.get(uri, functionName) : s.results.current();
    if (result) s.runner.present(result, 'asked');
    else void vscode.window.showInformationMessage('Derivative Lens: no report yet. Run "Check Derivatives" first.');
  };
}
