// Parameter trees and methods in the editor: lenses above methods, the cursor in a method, a report with one section per leaf.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Report } from '../../engine/types';
import { activateApi, assertClose, check, closeAllEditors, codeLenses, lineOf, openFixture, waitFor } from './helpers';

suite('parameter trees and methods', () => {
  suiteSetup(async () => {
    await activateApi();
    await vscode.commands.executeCommand('derivativeLens.clear');
  });
  suiteTeardown(closeAllEditors);

  test('a lens above a method with directives, passing Class.method', async () => {
    const { document: doc } = await openFixture('two-layer-network.ts');
    const lenses = await waitFor('lenses on two-layer-network.ts', async () => {
      const all = (await codeLenses(doc.uri)).filter((l) => l.command?.command === 'derivativeLens.checkAtCursor');
      return all.length >= 2 && all;
    });
    const names = lenses.map((l) => l.command!.arguments?.[1]);
    assert.deepEqual(names.sort(), ['TwoLayerNetwork.forward', 'TwoLayerNetwork.loss']);
    const loss = lenses.find((l) => l.command!.arguments?.[1] === 'TwoLayerNetwork.loss')!;
    assert.ok(loss.range.start.line <= lineOf(doc, 'loss(X: number[][]') && loss.range.start.line >= lineOf(doc, 'forward(x: number[])'));
  });

  test('the cursor inside a method checks it, with a report keyed by leaf path and one section per leaf', async () => {
    const api = await activateApi();
    const editor = await openFixture('two-layer-network.ts');
    const inside = editor.document.positionAt(editor.document.getText().indexOf('sum += 0.5 * e * e'));
    editor.selection = new vscode.Selection(inside, inside);
    const report = await vscode.commands.executeCommand<Report | undefined>('derivativeLens.checkAtCursor');
    assert.ok(report, 'no report');
    assert.equal(report.function, 'TwoLayerNetwork.loss');
    assert.equal(report.wrt, 'this.layers');
    assert.deepEqual(report.shape, { 'this.layers[0].W': [3, 2], 'this.layers[0].b': [3], 'this.layers[1].W': [1, 3], 'this.layers[1].b': [1] });
    assert.equal(report.verdict, 'pass');
    await vscode.commands.executeCommand('derivativeLens.showReport');
    const state = await waitFor('the webview to render the network', () => api.webviewState()?.function === 'TwoLayerNetwork.loss' && api.webviewState(), 30_000);
    // A gradient and a diagonal heat map for each of the four leaves.
    assert.ok(state.heatmaps >= 8, `heat maps: ${state.heatmaps}`);
    assert.ok(state.tables >= 8, `tables: ${state.tables}`);
  });

  test('a logistic regression over { weights, bias }: the gradient per leaf against the closed form, the supplied gradient passes', async () => {
    const { document: doc } = await openFixture('logistic-regression.ts');
    const report = await check(doc.uri, 'logisticLoss');
    assert.ok(report);
    const X = [[0.5, -1.2, 0.3], [1.5, 0.2, -0.7], [-0.3, 0.8, 1.1], [0.9, -0.4, -1.3]];
    const y = [1, 0, 1, 0];
    const w = [0.2, -0.1, 0.4];
    const b = 0.05;
    const r = X.map((x, i) => 1 / (1 + Math.exp(-(b + x.reduce((s, v, j) => s + v * w[j], 0)))) - y[i]);
    const g = report.gradient as Record<string, number[] | number>;
    w.forEach((_, j) => assertClose((g['params.weights'] as number[])[j], X.reduce((s, x, i) => s + r[i] * x[j], 0) / X.length, 1e-12, `weights[${j}]`));
    assertClose(g['params.bias'] as number, r.reduce((s, v) => s + v, 0) / X.length, 1e-12, 'bias');
    assert.equal(report.checks.find((c) => c.id === 'supplied-gradient')?.status, 'pass');
  });
});
