// "Check Derivatives": the function at the cursor, or the one a code lens names.

import * as vscode from 'vscode';
import type { Report } from '../../engine/types';
import type { Services } from '../services';
import { targetDocument } from './target-document';

export function checkAtCursor(s: Services) {
  return async (uri?: vscode.Uri, functionName?: string): Promise<Report | undefined> => {
    const doc = await targetDocument(uri);
    if (!doc) return undefined;
    if (functionName !== undefined) return s.runner.run(doc, { functionName });
    const editor = vscode.window.activeTextEditor;
    const offset = editor?.document === doc ? doc.offsetAt(editor.selection.active) : 0;
    return s.runner.run(doc, { offset });
  };
}
