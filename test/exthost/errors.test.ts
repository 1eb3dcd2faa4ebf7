// Code that cannot be evaluated: a runaway loop is stopped at timeoutMs and the next check works; a throw lands on its line; syntax is TypeScript's.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateApi, check, closeAllEditors, codeLenses, diagnosticCode, lineOf, openFixture, ourDiagnostics, waitFor, withSetting, workspaceUri } from './helpers';

function evaluationErrors(uri: vscode.Uri): vscode.Diagnostic[] {
  return ourDiagnostics(uri).filter((d) => diagnosticCode(d) === 'evaluation-error');
}

/** The labels of the open report tabs. */
function reportTabs(): string[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview).map((t) => t.label);
}

suite('evaluation errors', () => {
  suiteSetup(async () => {
    await activateApi();
  });
  suiteTeardown(closeAllEditors);

  test('a runaway loop is stopped after timeoutMs = 1000, and the next check works', async () => {
    const api = await activateApi();
    await openFixture('runaway.ts');
    await withSetting('timeoutMs', 1000, async () => {
      const t0 = Date.now();
      const running = check(workspaceUri('runaway.ts'), 'spin');
      // The report opens while the engine works, so the webview's own start-up is not added to the check's time.
      await waitFor('the report tab before the check ends', () => reportTabs().includes('Derivatives: spin'), 900);
      const report = await running;
      const elapsed = Date.now() - t0;
      assert.equal(report, undefined);
      assert.equal(api.lastError()?.kind, 'timeout', `lastError: ${JSON.stringify(api.lastError())}`);
      assert.ok(elapsed >= 1000, `stopped after ${elapsed} ms, before the limit`);
      assert.ok(elapsed < 8000, `took ${elapsed} ms to stop a 1000 ms limit`);
    });
    const next = await check(workspaceUri('lenses.ts'), 'cubic');
    assert.ok(next, `the check after the timeout failed: ${JSON.stringify(api.lastError())}`);
    assert.equal(next.value, 3.375);
  });

  test('a check at a cursor outside any function says so and leaves no report tab open', async () => {
    await closeAllEditors();
    const editor = await openFixture('runaway.ts');
    editor.selection = new vscode.Selection(0, 0, 0, 0);
    assert.equal(await vscode.commands.executeCommand('derivativeLens.checkAtCursor'), undefined);
    assert.deepEqual(reportTabs(), []);
  });

  test('a throw gives an evaluation-error at the throw, with its message', async () => {
    const api = await activateApi();
    const { document: doc } = await openFixture('throws.ts');
    assert.equal(await check(doc.uri, 'sumOfLogs'), undefined);
    assert.equal(api.lastError()?.kind, 'threw', `lastError: ${JSON.stringify(api.lastError())}`);
    const [d, ...rest] = await waitFor('the evaluation-error diagnostic', () => evaluationErrors(doc.uri).length > 0 && evaluationErrors(doc.uri));
    assert.equal(rest.length, 0);
    assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(d.range.start.line, lineOf(doc, 'throw new Error'));
    assert.match(d.message, /sumOfLogs needs positive entries, got -1/);
  });

  test("a syntax error is left to TypeScript: no diagnostic of ours, the lens says to fix it first, the report says where", async () => {
    const api = await activateApi();
    const { document: doc } = await openFixture('syntax-error.ts');
    assert.equal(await check(doc.uri, 'broken'), undefined);
    const error = api.lastError();
    assert.equal(error?.kind, 'syntax', `lastError: ${JSON.stringify(error)}`);
    assert.equal(error?.line, lineOf(doc, 'x[0] * ;') + 1, 'the report still names the line');
    await waitFor('the report of the syntax error', () => api.webviewState()?.function === 'broken' && api.webviewState()?.verdict === 'error', 30_000);
    assert.equal(evaluationErrors(doc.uri).length, 0);
    const lens = (await codeLenses(doc.uri)).find((l) => l.command?.arguments?.[1] === 'broken');
    assert.equal(lens?.command?.title, 'Fix the syntax error first, then check derivatives');
  });
});
