// "Re-run Last Check": the last checked function, with the document's current text.

import * as vscode from 'vscode';
import type { Report } from '../../engine/types';
import type { Services } from '../services';

export function rerun(s: Services) {
  return async (): Promise<Report | undefined> => {
    const last = s.results.last();
    if (!last) {
      void vscode.window.showInformationMessage('Derivative Lens: no check has run yet.');
      return undefined;
    }
    return s.runner.run(await vscode.workspace.openTextDocument(last.uri), { functionName: last.functionName });
  };
}
