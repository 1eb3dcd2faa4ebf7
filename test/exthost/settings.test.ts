// Settings reach the engine: tolerances decide verdicts, the seed and default shapes decide the evaluation point.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateApi, check, closeAllEditors, diagnosticCode, openFixture, ourDiagnostics, waitFor, withSetting, workspaceUri } from './helpers';

suite('settings', () => {
  suiteSetup(async () => {
    await activateApi();
  });
  suiteTeardown(closeAllEditors);

  test('a huge suppliedAtol lets the row sums pass; removing it fails them again', async () => {
    const { document: doc } = await openFixture('founding-loss.ts');
    await withSetting('suppliedAtol', 1, async () => {
      const report = await check(doc.uri, 'softmaxLoss');
      assert.ok(report);
      const rowSums = report.checks.find((c) => c.id === 'supplied-hessian-diagonal')!;
      assert.equal(rowSums.status, 'pass', rowSums.summary);
      assert.equal(rowSums.tolerance.atol, 1);
      await waitFor('no error diagnostics', () => !ourDiagnostics(doc.uri).some((d) => d.severity === vscode.DiagnosticSeverity.Error));
    });
    const again = await check(doc.uri, 'softmaxLoss');
    assert.equal(again?.checks.find((c) => c.id === 'supplied-hessian-diagonal')?.status, 'fail');
    await waitFor('the error diagnostic back', () => ourDiagnostics(doc.uri).some((d) => diagnosticCode(d) === 'supplied-hessian-diagonal'));
  });

  test('rtol and atol set the finite-difference tolerance', async () => {
    await withSetting('rtol', 0.5, () =>
      withSetting('atol', 0.25, async () => {
        const report = await check(workspaceUri('lenses.ts'), 'logSumExp');
        assert.ok(report);
        for (const id of ['gradient-vs-fd', 'hessian-diagonal-vs-fd']) {
          assert.deepEqual(report.checks.find((c) => c.id === id)?.tolerance, { rtol: 0.5, atol: 0.25 }, id);
        }
      }),
    );
  });

  test('checkBudgetMs = 0 runs the finite differences in fast mode, and the report says so', async () => {
    const { document: doc } = await openFixture('founding-loss.ts');
    await withSetting('checkBudgetMs', 0, async () => {
      const report = await check(doc.uri, 'softmaxLoss');
      assert.ok(report);
      assert.equal(report.checkPlan?.mode, 'fast');
      assert.equal(report.checkPlan?.budgetMs, 0);
      const gradient = report.checks.find((c) => c.id === 'gradient-vs-fd')!;
      assert.equal(gradient.status, 'pass', gradient.summary);
      assert.match(gradient.summary, /along 3 random ±1 directions \(fast mode\)/);
    });
    const again = await check(doc.uri, 'softmaxLoss');
    assert.equal(again?.checkPlan?.mode, 'per-entry');
  });

  test('defaultVectorLength shapes a parameter without an evaluation point', async () => {
    // A function without @dlens-at: the engine makes a seeded point of the default length.
    const uri = workspaceUri(`noat-${Date.now()}.ts`);
    const text = '// scratch\nexport function norm2(x: number[]): number {\n  let s = 0;\n  for (const v of x) s += v * v;\n  return s;\n}\n';
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
    try {
      await withSetting('defaultVectorLength', 7, async () => {
        const report = await check(uri, 'norm2');
        assert.ok(report);
        assert.deepEqual(report.shape, [7]);
        const x = report.point.x as number[];
        assert.equal(x.length, 7);
        // ∇‖x‖² = 2x, diag = 2, whatever the seeded point is.
        (report.gradient as number[]).forEach((g, i) => assert.ok(Math.abs(g - 2 * x[i]) <= 1e-12, `gradient[${i}]`));
        (report.hessianDiagonal as number[]).forEach((h, i) => assert.equal(h, 2, `diag[${i}]`));
      });
    } finally {
      await vscode.workspace.fs.delete(uri);
    }
  });

  test("report.open: 'never' keeps the report closed after a check (Show Report opens it); 'activeGroup' opens it in the editor's group", async () => {
    const api = await activateApi();
    const tabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs.map((t) => ({ t, group: g.viewColumn }))).filter(({ t }) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('derivativeLens.report'));
    await closeAllEditors();
    const { document: doc } = await openFixture('lenses.ts');
    await withSetting('report.open', 'never', async () => {
      assert.ok(await check(doc.uri, 'cubic'));
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(tabs().length, 0, 'no report opened');
      await vscode.commands.executeCommand('derivativeLens.showReport');
      await waitFor('Show Report to open it', () => tabs().length === 1);
      await waitFor('it to show cubic', () => api.webviewState()?.function === 'cubic', 30_000);
    });
    await closeAllEditors();
    await openFixture('lenses.ts');
    await withSetting('report.open', 'activeGroup', async () => {
      assert.ok(await check(doc.uri, 'cubic'));
      const [{ group }] = await waitFor('the report tab', () => tabs().length === 1 && tabs());
      assert.equal(group, vscode.ViewColumn.One, 'in the editor group, not beside it');
    });
  });
});
