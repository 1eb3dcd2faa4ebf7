// Restricted mode: the folder is not trusted, so no command may evaluate workspace code (run with trust on and the folder untrusted).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateApi, check, ourDiagnostics, openFixture, workspaceUri } from './helpers';

/** A command that waits on its own notification would hang its caller; bound every call. */
async function within<T>(ms: number, what: string, p: Thenable<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms)));
  try {
    return await Promise.race([Promise.resolve(p), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

suite('untrusted workspace', () => {
  test('the folder really is untrusted', () => {
    assert.equal(vscode.workspace.isTrusted, false, 'the harness must open the folder in restricted mode');
  });

  test('the extension still activates (limited support), so it can say why it does nothing', async () => {
    const api = await activateApi();
    assert.equal(api.evaluationsStarted(), 0);
  });

  test('Check Derivatives, by name and at the cursor, evaluates nothing and leaves no diagnostics', async () => {
    const api = await activateApi();
    const editor = await openFixture('founding-loss.ts');
    const uri = workspaceUri('founding-loss.ts');
    assert.equal(await within(5000, 'checkAtCursor(uri, name)', check(uri, 'softmaxLoss')), undefined);
    const inside = new vscode.Position(editor.document.getText().split('\n').findIndex((l) => l.includes('const logZ')), 4);
    editor.selection = new vscode.Selection(inside, inside);
    assert.equal(await within(5000, 'checkAtCursor()', vscode.commands.executeCommand('derivativeLens.checkAtCursor')), undefined);
    assert.equal(await within(5000, 'rerun', vscode.commands.executeCommand('derivativeLens.rerun')), undefined);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(api.evaluationsStarted(), 0, 'workspace code was evaluated in an untrusted folder');
    assert.equal(api.lastReport(), undefined);
    assert.deepEqual(ourDiagnostics(uri), []);
  });
});
