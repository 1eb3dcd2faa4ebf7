// The report webview: opened by Show Report, titled after the function, and rendering what the report holds (per webviewState()).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateApi, check, closeAllEditors, openFixture, waitFor } from './helpers';

function reportTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('derivativeLens.report'));
}

suite('report webview', () => {
  suiteSetup(async () => {
    await activateApi();
  });
  suiteTeardown(closeAllEditors);

  test('Show Report opens "Derivatives: softmaxLoss" with heat maps, tables, the plot and the row-sum explanation', async () => {
    const api = await activateApi();
    const { document: doc } = await openFixture('founding-loss.ts');
    const report = await check(doc.uri, 'softmaxLoss');
    assert.ok(report);
    await vscode.commands.executeCommand('derivativeLens.showReport');
    const tab = await waitFor('the report tab', () => reportTabs()[0]);
    assert.equal(tab.label, 'Derivatives: softmaxLoss');
    const state = await waitFor('the webview to render softmaxLoss', () => api.webviewState()?.function === 'softmaxLoss' && api.webviewState(), 30_000);
    assert.equal(state.verdict, report.verdict);
    assert.equal(state.stale, false);
    // The gradient and the Hessian diagonal, as tables and as heat maps at least.
    assert.ok(state.tables >= 2, `tables: ${state.tables}`);
    assert.ok(state.heatmaps >= 2, `heat maps: ${state.heatmaps}`);
    assert.equal(state.plot, report.stepSweeps.length > 0, 'the step-size plot shows when the report has sweeps');
    assert.ok(state.badges.length >= report.checks.length, `one badge per check at least: ${state.badges.join(', ')}`);
    assert.ok(state.explanations.some((e) => /row sums/i.test(e)), `explanations: ${state.explanations.join(' | ')}`);
    assert.equal(reportTabs().length, 1, 'one report panel');
  });

  test('checking another function re-renders the same panel for it', async () => {
    const api = await activateApi();
    const { document: doc } = await openFixture('lenses.ts');
    const report = await check(doc.uri, 'sumOfSquares');
    assert.ok(report);
    await vscode.commands.executeCommand('derivativeLens.showReport');
    const state = await waitFor('the webview to render sumOfSquares', () => api.webviewState()?.function === 'sumOfSquares' && api.webviewState(), 30_000);
    assert.equal(state.verdict, 'pass');
    assert.deepEqual(state.explanations, []);
    await waitFor('the tab title to follow', () => reportTabs().some((t) => t.label === 'Derivatives: sumOfSquares'));
    assert.equal(reportTabs().length, 1, 'still one report panel');
  });
});
