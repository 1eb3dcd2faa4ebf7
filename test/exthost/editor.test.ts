// The editor tells one story per function: checks of two functions in one file keep their own findings; lens, status bar, Problems and report agree.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Nested } from '../../engine/types';
import {
  activateApi, check, closeAllEditors, codeLenses, diagnosticCode, flat, nameRange, openFixture, ourDiagnostics, waitFor,
} from './helpers';

async function lensTitleOn(doc: vscode.TextDocument, name: string, after = 'function '): Promise<string | undefined> {
  const line = nameRange(doc, after, name).start.line;
  return (await codeLenses(doc.uri)).find((l) => l.range.start.line === line && l.command?.command.startsWith('derivativeLens.'))?.command?.title;
}

function reportTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('derivativeLens.report'));
}

suite('one result per function', () => {
  suiteSetup(async () => {
    await activateApi();
    await vscode.commands.executeCommand('derivativeLens.clear');
  });
  suiteTeardown(closeAllEditors);

  test("check A fails, check B passes: A's Error stays, each lens keeps its verdict, status bar and report follow B", async () => {
    const api = await activateApi();
    const { document: doc } = await openFixture('editor.ts');
    const a = await check(doc.uri, 'cubeSum');
    assert.ok(a);
    assert.equal(a.verdict, 'fail', a.checks.map((c) => c.summary).join('; '));
    const errorOnA = () => ourDiagnostics(doc.uri).filter((d) => diagnosticCode(d) === 'supplied-gradient');
    const [d] = await waitFor("A's supplied-gradient Error", () => errorOnA().length > 0 && errorOnA());
    assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(d.range.start.line, nameRange(doc, 'function ', 'wrongGradient').start.line);

    const b = await check(doc.uri, 'squares');
    assert.ok(b);
    assert.equal(b.verdict, 'pass', b.checks.map((c) => c.summary).join('; '));
    // No @dlens-at: a seeded default point; the gradient must be 2x there.
    flat(b.gradient as Nested).forEach((g, i) => assert.ok(Math.abs(g - 2 * flat(b.point.x as Nested)[i]) < 1e-12));
    assert.equal(errorOnA().length, 1, "checking B must not remove A's Error");
    assert.match((await lensTitleOn(doc, 'cubeSum')) ?? '', /^✗ 1 check failed \(supplied gradient\) · /);
    assert.match((await lensTitleOn(doc, 'squares')) ?? '', /^✓ gradient · ✓ Hessian diagonal · /);
    await waitFor('the status bar to name B', () => api.statusBarText().includes('squares: all passed'));
    await waitFor('the report to show B', () => api.webviewState()?.function === 'squares', 30_000);

    // The lens of A opens A's report, and the status bar follows the report shown.
    await vscode.commands.executeCommand('derivativeLens.showReport', doc.uri, 'cubeSum');
    await waitFor('the report to show A', () => api.webviewState()?.function === 'cubeSum', 30_000);
    await waitFor('the status bar to follow the report', () => api.statusBarText().includes('cubeSum: 1 failed'));
    assert.equal(api.webviewState()!.headline, 'FAIL — 1 of 3 checks failed: supplied gradient');
  });

  test('an infinite gradient warns, named in the lens, the status bar and the report', async () => {
    const api = await activateApi();
    const { document: doc } = await openFixture('editor.ts');
    const r = await check(doc.uri, 'sumSqrt');
    assert.ok(r);
    assert.deepEqual(flat(r.gradient as Nested), [Infinity, 0.5, 0.25]);
    assert.equal(r.verdict, 'warn');
    const lens = await waitFor('the warn lens', async () => {
      const t = await lensTitleOn(doc, 'sumSqrt');
      return t?.startsWith('⚠') && t;
    });
    assert.match(lens, /^⚠ gradient: x\[0\] is Infinity · ⚠ Hessian diagonal: x\[0\] is -Infinity · /);
    await waitFor('the status bar warning', () => api.statusBarText() === '$(warning) sumSqrt: gradient: x[0] is Infinity');
    const state = await waitFor('the report of sumSqrt', () => api.webviewState()?.function === 'sumSqrt' && api.webviewState(), 30_000);
    assert.equal(state.verdict, 'warn');
    assert.ok(state.badges.includes('⚠ gradient: x[0] is Infinity'), state.badges.join(', '));
  });

  test('lenses only where a check can run; a helper returning an array offers "Use … as the gradient of …"', async () => {
    const { document: doc } = await openFixture('editor.ts');
    const lensLines = await waitFor('lenses on editor.ts', async () => {
      const l = (await codeLenses(doc.uri)).filter((x) => x.command?.command.startsWith('derivativeLens.'));
      return l.length > 0 && l.map((x) => x.range.start.line);
    });
    const lineOf = (name: string) => nameRange(doc, 'function ', name).start.line;
    assert.deepEqual(lensLines.sort((x, y) => x - y), ['cubeSum', 'sumSqrt', 'squares', 'scaled'].map(lineOf));
    const at = nameRange(doc, 'function ', 'squaresGradient');
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, at);
    const use = actions.find((a) => a.title === 'Use squaresGradient as the gradient of squares');
    assert.ok(use, `actions: ${actions.map((a) => a.title).join(' | ')}`);
    // Offering it changed nothing; applying it writes the directive into squares' doc comment.
    assert.ok(!doc.getText().includes('@dlens-gradient squaresGradient'));
    assert.ok(await vscode.workspace.applyEdit(use.edit!));
    try {
      const comment = doc.getText().slice(0, doc.offsetAt(nameRange(doc, 'function ', 'squares').start));
      assert.match(comment, /\/\*\*\n \* f\(x\) = Σ x²: ∇f = 2x\. Its helper below has no tag yet\.\n \* @dlens-gradient squaresGradient\n \*\/\nexport function $/);
      const r = await check(doc.uri, 'squares');
      assert.ok(r?.checks.some((c) => c.id === 'supplied-gradient' && c.status === 'pass'), 'the helper is now checked');
    } finally {
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
  });

  test('a parameter without a point is a setup problem: in the lens and the report, not an Error in the code', async () => {
    const api = await activateApi();
    const { document: doc } = await openFixture('editor.ts');
    assert.equal(await check(doc.uri, 'scaled'), undefined);
    assert.equal(api.lastError()?.kind, 'bad-argument');
    const lens = await waitFor('the setup lens', async () => {
      const t = await lensTitleOn(doc, 'scaled');
      return t?.startsWith('⚠ needs setup') && t;
    });
    assert.match(lens, /parameter 'o'/);
    assert.equal(ourDiagnostics(doc.uri).filter((d) => diagnosticCode(d) === 'evaluation-error').length, 0);
    await waitFor('the report of the setup problem', () => api.webviewState()?.function === 'scaled' && api.webviewState()?.verdict === 'error', 30_000);
    assert.match(api.statusBarText(), /^\$\(warning\) scaled: needs setup$/);
  });

  test('Clear Results closes the report too', async () => {
    const { document: doc } = await openFixture('editor.ts');
    assert.ok(await check(doc.uri, 'squares'));
    await waitFor('a report tab', () => reportTabs().length === 1);
    await vscode.commands.executeCommand('derivativeLens.clear');
    await waitFor('the report to close', () => reportTabs().length === 0);
    assert.equal(ourDiagnostics(doc.uri).length, 0);
    assert.equal((await activateApi()).statusBarText(), '', 'no status while nothing is shown');
  });
});
