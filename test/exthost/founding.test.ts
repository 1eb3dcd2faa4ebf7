// The founding case: the row-sum "Hessian" is caught with the right diagnostic, the exact diagonal matches the closed form, the ml-matrix objective passes.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Nested, Report } from '../../engine/types';
import {
  activateApi, assertClose, check, closeAllEditors, diagnosticCode, flat, foundingClosedForm, foundingLabels, foundingWeights,
  lineOf, nameRange, openFixture, ourDiagnostics, waitFor, workspaceUri,
} from './helpers';

suite('founding example', () => {
  suiteSetup(async () => {
    await activateApi();
  });
  suiteTeardown(closeAllEditors);

  test('checking at the cursor reports the exact Hessian diagonal of softmaxLoss', async () => {
    const api = await activateApi();
    const editor = await openFixture('founding-loss.ts');
    const inside = new vscode.Position(lineOf(editor.document, 'const logZ'), 4);
    editor.selection = new vscode.Selection(inside, inside);
    const report = await vscode.commands.executeCommand<Report>('derivativeLens.checkAtCursor');
    assert.ok(report, `no report; lastError: ${JSON.stringify(api.lastError())}`);
    assert.equal(report.function, 'softmaxLoss');
    assert.equal(report.wrt, 'Y');
    assert.deepEqual(report.shape, [7, 5]);
    assert.equal(api.lastReport()?.function, 'softmaxLoss');

    const truth = foundingClosedForm(foundingLabels, foundingLabels, foundingWeights);
    assertClose(report.value, truth.value, 1e-12, 'value');
    flat(report.gradient as Nested).forEach((g, i) => assertClose(g, flat(truth.gradient as Nested)[i], 1e-12, `gradient[${i}]`));
    flat(report.hessianDiagonal as Nested).forEach((h, i) => assertClose(h, flat(truth.diagonal)[i], 1e-12, `diag[${i}]`));
    // The figures of the original issue, to the 8 digits it printed.
    const H = report.hessianDiagonal as number[][];
    [0, 1, 3, 2].forEach((hot, i) => {
      assertClose(H[i][hot], 0.24090069, 5e-9, `H[${i}][${hot}]`);
      assertClose(H[i][(hot + 1) % 5], 0.12669198, 5e-9, `H[${i}][${(hot + 1) % 5}]`);
    });
    for (const i of [4, 5, 6]) {
      assertClose(H[i][4], 0.08030023, 5e-9, `H[${i}][4]`);
      assertClose(H[i][0], 0.04223066, 5e-9, `H[${i}][0]`);
    }
    assert.ok(report.hessianDiagonalMethod.startsWith('exact'), `method: ${report.hessianDiagonalMethod}`);
  });

  test('checks: engine agrees with finite differences, the supplied gradient passes, the row sums fail', async () => {
    const report = await check(workspaceUri('founding-loss.ts'), 'softmaxLoss');
    assert.ok(report);
    const status = Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
    assert.equal(status['gradient-vs-fd'], 'pass');
    assert.equal(status['hessian-diagonal-vs-fd'], 'pass');
    assert.equal(status['supplied-gradient'], 'pass');
    assert.equal(status['supplied-hessian-diagonal'], 'fail');
    assert.equal(report.verdict, 'fail');
    const rowSums = report.checks.find((c) => c.id === 'supplied-hessian-diagonal')!;
    assert.match(rowSums.explanation ?? '', /row sums/i);
    for (const m of rowSums.mismatches) assert.ok(Math.abs(m.actual) < 1e-15, `supplied entry ${m.index} = ${m.actual}, expected ≈ 0`);
  });

  test('the row-sum "Hessian" gets one Error diagnostic on its name, with the worst entry, the explanation and related locations', async () => {
    const editor = await openFixture('founding-loss.ts');
    const doc = editor.document;
    await check(doc.uri, 'softmaxLoss');
    const diagnostics = await waitFor('diagnostics on founding-loss.ts', () => ourDiagnostics(doc.uri).length > 0 && ourDiagnostics(doc.uri));
    const errors = diagnostics.filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
    assert.deepEqual(errors.map(diagnosticCode), ['supplied-hessian-diagonal'], `errors: ${errors.map((d) => d.message).join(' | ')}`);
    const [d] = errors;
    assert.deepEqual(d.range, nameRange(doc, 'function ', 'softmaxLossHessianRowSums'));
    // It leads with the culprit; the worst entry is a hot-column entry (0.241) against a rounding-level value.
    assert.match(d.message, /^softmaxLossHessianRowSums is not the Hessian diagonal of softmaxLoss: 35 of 35 entries differ \(worst Y\[\d\]\[\d\]: (0|-?\d(\.\d+)?e-1\d), engine 0\.241\)/);
    assert.match(d.message, /row sums/i);
    const related = d.relatedInformation ?? [];
    const at = (loc: vscode.Location) => `${loc.uri.path}:${loc.range.start.line}`;
    const relatedLines = related.map((r) => at(r.location));
    assert.ok(relatedLines.includes(`${doc.uri.path}:${nameRange(doc, 'function ', 'softmaxLoss').start.line}`), `related: ${relatedLines}`);
    assert.ok(relatedLines.includes(`${doc.uri.path}:${lineOf(doc, '@dlens-hessian-diagonal')}`), `related: ${relatedLines}`);
    // Correct derivatives and agreeing FD checks leave nothing behind; any other diagnostic may only be the max-shift
    // kink, as information: finite differences agreed, so it is no warning.
    for (const other of diagnostics.filter((x) => x !== d)) {
      assert.equal(diagnosticCode(other), 'kink', `unexpected diagnostic: ${other.message}`);
      assert.equal(other.severity, vscode.DiagnosticSeverity.Information);
    }
  });

  test('a gradient that forgot the penalty: the Error names the missing line and links to it', async () => {
    const editor = await openFixture('ridge-regression.ts');
    const doc = editor.document;
    await check(doc.uri, 'ridgeLoss');
    const diagnostics = await waitFor('diagnostics on ridge-regression.ts', () => ourDiagnostics(doc.uri).length > 0 && ourDiagnostics(doc.uri));
    const errors = diagnostics.filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
    assert.deepEqual(errors.map(diagnosticCode), ['supplied-gradient'], `errors: ${errors.map((d) => d.message).join(' | ')}`);
    const [d] = errors;
    assert.deepEqual(d.range, nameRange(doc, 'function ', 'ridgeGradient'));
    const penalty = lineOf(doc, 'loss += lambda * w[j] * w[j];');
    assert.match(d.message, /^ridgeGradient is not the gradient of ridgeLoss: 3 of 3 entries differ/);
    assert.ok(d.message.includes(`Lacks the contribution of line ${penalty + 1} (\`loss += lambda * w[j] * w[j];\`)`), d.message);
    const related = (d.relatedInformation ?? []).map((r) => `${r.location.uri.path}:${r.location.range.start.line}`);
    assert.ok(related.includes(`${doc.uri.path}:${penalty}`), `related: ${related}`);
  });

  test('the ml-matrix version passes through its gradient-boosting objective', async () => {
    const api = await activateApi();
    const uri = workspaceUri('founding-loss-matrix.ts');
    const report = await check(uri, 'softmaxLossMatrix');
    assert.ok(report, `no report; lastError: ${JSON.stringify(api.lastError())}`);
    const ids = report.checks.map((c) => c.id).sort();
    assert.deepEqual(ids, ['gradient-vs-fd', 'hessian-diagonal-vs-fd', 'supplied-gradient', 'supplied-hessian-diagonal']);
    for (const c of report.checks) assert.equal(c.status, 'pass', `${c.id}: ${c.summary}`);
    const truth = foundingClosedForm(foundingLabels, foundingLabels, foundingWeights);
    flat(report.hessianDiagonal as Nested).forEach((h, i) => assertClose(h, flat(truth.diagonal)[i], 1e-12, `diag[${i}]`));
    assert.equal(ourDiagnostics(uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error).length, 0);
  });
});
