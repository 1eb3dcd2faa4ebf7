// Results over time: stale after an edit (diagnostics gone, lens and report say so), re-run on save when asked, re-run and clear commands.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Report } from '../../engine/types';
import {
  activateApi, check, closeAllEditors, codeLenses, lensTitlesByLine, nameRange, ourDiagnostics, removeScratch, scratchCopy, waitFor, withSetting,
} from './helpers';

async function lensTitleAt(uri: vscode.Uri, line: number): Promise<string | undefined> {
  return (await codeLenses(uri)).find((l) => l.range.start.line <= line && l.range.end.line >= line && l.command?.command.startsWith('derivativeLens.'))?.command?.title;
}

/** Appends a comment line: a real edit that leaves the function itself unchanged. */
async function appendComment(doc: vscode.TextDocument, text: string): Promise<void> {
  const edit = new vscode.WorkspaceEdit();
  edit.insert(doc.uri, doc.lineAt(doc.lineCount - 1).range.end, `\n// ${text}\n`);
  assert.ok(await vscode.workspace.applyEdit(edit));
}

const hasError = (uri: vscode.Uri) => ourDiagnostics(uri).some((d) => d.severity === vscode.DiagnosticSeverity.Error);
const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

suite('results over time', () => {
  let scratch: vscode.Uri;
  setup(async () => {
    await activateApi();
    scratch = await scratchCopy('founding-loss.ts', `scratch-${Date.now()}.ts`);
  });
  teardown(async () => {
    await removeScratch(scratch);
    await closeAllEditors();
  });

  test('an edit makes results stale: diagnostics removed, lens says so, the report is marked, a save does not re-run', async () => {
    const api = await activateApi();
    const doc = await vscode.workspace.openTextDocument(scratch);
    await vscode.window.showTextDocument(doc);
    assert.ok(await check(scratch, 'softmaxLoss'));
    await vscode.commands.executeCommand('derivativeLens.showReport');
    await waitFor('the error diagnostic', () => hasError(scratch));
    const line = nameRange(doc, 'function ', 'softmaxLoss').start.line;
    await waitFor('the verdict lens', async () => (await lensTitleAt(scratch, line))?.startsWith('✗'));
    await waitFor('the report to render', () => api.webviewState()?.function === 'softmaxLoss' && !api.webviewState()!.stale, 30_000);

    await appendComment(doc, 'an edit');
    await waitFor('diagnostics to be removed after the edit', () => ourDiagnostics(scratch).length === 0);
    await waitFor('the stale lens', async () => (await lensTitleAt(scratch, line)) === 'Check derivatives (results stale)');
    await waitFor('the report to say stale', () => api.webviewState()?.stale === true);

    const before = api.evaluationsStarted();
    assert.ok(await doc.save());
    await settle(1500);
    assert.equal(api.evaluationsStarted(), before, 'checkOnSave is off: saving must not evaluate');
    assert.equal(ourDiagnostics(scratch).length, 0);
  });

  test('with checkOnSave on, saving an edited file re-runs the check and restores its diagnostics', async () => {
    const api = await activateApi();
    await withSetting('checkOnSave', true, async () => {
      const doc = await vscode.workspace.openTextDocument(scratch);
      await vscode.window.showTextDocument(doc);
      assert.ok(await check(scratch, 'softmaxLoss'));
      await waitFor('the error diagnostic', () => hasError(scratch));
      await appendComment(doc, 'edited, then saved');
      await waitFor('diagnostics to be removed after the edit', () => ourDiagnostics(scratch).length === 0);
      const before = api.evaluationsStarted();
      assert.ok(await doc.save());
      await waitFor('a re-run after the save', () => api.evaluationsStarted() > before, 30_000);
      await waitFor('the error diagnostic to come back', () => hasError(scratch), 30_000);
      assert.equal(api.lastReport()?.function, 'softmaxLoss');
      const line = nameRange(doc, 'function ', 'softmaxLoss').start.line;
      await waitFor('the verdict lens to come back', async () => (await lensTitleAt(scratch, line))?.startsWith('✗'));
    });
  });

  test('Re-run Last Check evaluates the same function again', async () => {
    const api = await activateApi();
    const doc = await vscode.workspace.openTextDocument(scratch);
    await vscode.window.showTextDocument(doc);
    const first = await check(scratch, 'softmaxLoss');
    assert.ok(first);
    const before = api.evaluationsStarted();
    const again = await vscode.commands.executeCommand<Report>('derivativeLens.rerun');
    assert.ok(again, 'rerun gave no report');
    assert.ok(api.evaluationsStarted() > before, 'rerun did not evaluate');
    assert.equal(again.function, first.function);
    assert.equal(again.value, first.value);
  });

  test('Clear Results removes diagnostics and brings back plain lenses', async () => {
    const doc = await vscode.workspace.openTextDocument(scratch);
    await vscode.window.showTextDocument(doc);
    assert.ok(await check(scratch, 'softmaxLoss'));
    await waitFor('the error diagnostic', () => hasError(scratch));
    await vscode.commands.executeCommand('derivativeLens.clear');
    await waitFor('diagnostics to be cleared', () => ourDiagnostics(scratch).length === 0);
    const titles = await waitFor('plain lenses', async () => {
      const t = [...(await lensTitlesByLine(scratch)).values()];
      return t.length > 0 && t.every((x) => x === 'Check derivatives') && t;
    });
    assert.equal(titles.length, 1, 'one checkable function: the helpers return arrays');
  });
});
