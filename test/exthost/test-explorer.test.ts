// The Test Explorer: tagged functions discovered (file → function, ranges on names), kept current on edits and file changes, runs that fail at the wrong function.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  activateApi, check, closeAllEditors, codeLenses, foundingClosedForm, foundingLabels, foundingWeights, nameRange, removeScratch, scratchCopy, waitFor, withSetting,
  type DerivativeLensApi, type TestItemSummary,
} from './helpers';

function fileItem(api: DerivativeLensApi, uri: vscode.Uri): TestItemSummary | undefined {
  return api.testItems().find((i) => i.file === uri.fsPath);
}

const functionId = (uri: vscode.Uri, name: string) => `${uri.toString()}#${name}`;

async function editAt(apply: (edit: vscode.WorkspaceEdit) => void): Promise<void> {
  const edit = new vscode.WorkspaceEdit();
  apply(edit);
  assert.ok(await vscode.workspace.applyEdit(edit));
}

async function runAtCursor(doc: vscode.TextDocument, after: string, name: string): Promise<void> {
  const editor = await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
  const at = nameRange(doc, after, name).start;
  editor.selection = new vscode.Selection(at, at);
  await vscode.commands.executeCommand('testing.runAtCursor');
}

suite('Test Explorer', () => {
  const scratches: vscode.Uri[] = [];
  suiteSetup(async () => {
    await activateApi();
    await vscode.commands.executeCommand('derivativeLens.clear');
    // Opening the view is what asks the controller for its items.
    await vscode.commands.executeCommand('workbench.view.testing.focus');
  });
  suiteTeardown(async () => {
    for (const uri of scratches) await removeScratch(uri).catch(() => {});
    await closeAllEditors();
  });

  test('discovers every tagged function of the workspace, file → function, with the range on the name', async () => {
    const api = await activateApi();
    const lenses = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'lenses.ts');
    const founding = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'founding-loss.ts');
    const file = await waitFor('lenses.ts in the Test Explorer', () => fileItem(api, lenses), 30_000);
    assert.equal(file.label, 'lenses.ts');
    const doc = await vscode.workspace.openTextDocument(lenses);
    assert.deepEqual(
      file.children.map((c) => [c.label, c.line]),
      [['sumOfSquares', nameRange(doc, 'function ', 'sumOfSquares').start.line], ['logSumExp', nameRange(doc, 'const ', 'logSumExp').start.line], ['cubic', nameRange(doc, 'const ', 'cubic').start.line]],
    );
    const foundingItem = await waitFor('founding-loss.ts', () => fileItem(api, founding));
    // Only tagged functions: the hand-written derivatives it names have no tags of their own.
    assert.deepEqual(foundingItem.children.map((c) => c.label), ['softmaxLoss']);
    for (const name of ['runaway.ts', 'throws.ts', 'syntax-error.ts', 'founding-loss-matrix.ts']) {
      assert.ok(api.testItems().some((i) => i.label === name), `${name} missing: ${api.testItems().map((i) => i.label).join(', ')}`);
    }
    assert.ok(!api.testItems().some((i) => i.label === 'founding-data.ts'), 'a file without tags has no item');
  });

  test('kept current: a new file appears, an unsaved edit adds and removes functions, deleting the file removes it', async () => {
    const api = await activateApi();
    const uri = await scratchCopy('lenses.ts', `explorer-${Date.now()}.ts`);
    scratches.push(uri);
    await waitFor('the new file in the Test Explorer', () => fileItem(api, uri)?.children.length === 3, 30_000);
    const doc = await vscode.workspace.openTextDocument(uri);
    await editAt((e) => e.insert(uri, doc.lineAt(doc.lineCount - 1).range.end, '\n/** @dlens-at x = [2] */\nexport function quartic(x: number[]): number {\n  return x[0] ** 4;\n}\n'));
    const added = await waitFor('quartic after the edit', () => fileItem(api, uri)?.children.find((c) => c.label === 'quartic'));
    assert.equal(added.line, nameRange(doc, 'function ', 'quartic').start.line);
    assert.ok(doc.isDirty, 'the tree follows the editor before any save');
    const tag = doc.getText().indexOf('@dlens-at x = [1, -2, 0.5]');
    await editAt((e) => e.replace(uri, new vscode.Range(doc.positionAt(tag), doc.positionAt(tag + '@dlens-at x = [1, -2, 0.5]'.length)), 'no tag here'));
    await waitFor('sumOfSquares to go once its tag is gone', () => !fileItem(api, uri)?.children.some((c) => c.label === 'sumOfSquares'));
    assert.deepEqual(fileItem(api, uri)!.children.map((c) => c.label), ['logSumExp', 'cubic', 'quartic']);
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await closeAllEditors();
    await vscode.workspace.fs.delete(uri, { useTrash: false });
    await waitFor('the deleted file to leave the Test Explorer', () => !fileItem(api, uri), 30_000);
  });

  test('a run with a failing item: failed at the wrong hand-written function with expected and actual; the lens shows the same', async () => {
    const api = await activateApi();
    const uri = await scratchCopy('founding-loss.ts', `explorer-founding-${Date.now()}.ts`);
    scratches.push(uri);
    await waitFor('the copy in the Test Explorer', () => fileItem(api, uri), 30_000);
    const doc = await vscode.workspace.openTextDocument(uri);
    await runAtCursor(doc, 'function ', 'softmaxLoss');
    const id = functionId(uri, 'softmaxLoss');
    const outcome = await waitFor('softmaxLoss to fail in the Test Explorer', () => api.testOutcomes()[id]?.state === 'failed' && api.testOutcomes()[id], 60_000);
    assert.equal(outcome.messages.length, 1, JSON.stringify(outcome.messages));
    const [message] = outcome.messages;
    assert.match(message.text, /row sums/);
    assert.equal(message.location!.file, uri.fsPath);
    assert.equal(message.location!.line - 1, nameRange(doc, 'function ', 'softmaxLossHessianRowSums').start.line, 'at the wrong hand-written function');
    // Expected: the exact diagonal (closed form); actual: the row sums, which vanish for softmax.
    const truth = foundingClosedForm(foundingLabels, foundingLabels, foundingWeights).diagonal;
    const expected = message.expected!.split('\n').filter((l) => l.includes(' = '));
    const actual = message.actual!.split('\n').filter((l) => l.includes(' = '));
    assert.ok(expected.length > 0 && expected.length === actual.length);
    for (const [k, line] of expected.entries()) {
      const [, i, j, v] = /^Y\[(\d+)\]\[(\d+)\] = (.+)$/.exec(line)!;
      assert.ok(Math.abs(Number(v) - truth[+i][+j]) < 1e-12, `${line} vs closed form ${truth[+i][+j]}`);
      assert.ok(Math.abs(Number(actual[k].split(' = ')[1])) < 1e-12, `row sums vanish: ${actual[k]}`);
    }
    assert.ok(outcome.durationMs! > 0);
    const line = nameRange(doc, 'function ', 'softmaxLoss').start.line;
    await waitFor('the ✗ lens on softmaxLoss', async () => (await codeLenses(uri)).some((l) => l.range.start.line <= line && l.range.end.line >= line && l.command?.title.startsWith('✗')));
  });

  test('a lens run shows in the Test Explorer, an edit marks it outdated, and a run of everything reports each kind of outcome', async () => {
    const api = await activateApi();
    const lenses = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'lenses.ts');
    assert.ok(await check(lenses, 'cubic'));
    await waitFor('cubic passed in the Test Explorer after its lens run', () => api.testOutcomes()[functionId(lenses, 'cubic')]?.state === 'passed');

    const uri = await scratchCopy('lenses.ts', `explorer-stale-${Date.now()}.ts`);
    scratches.push(uri);
    await waitFor('the copy in the Test Explorer', () => fileItem(api, uri), 30_000);
    const doc = await vscode.workspace.openTextDocument(uri);
    await runAtCursor(doc, 'function ', 'sumOfSquares');
    await waitFor('sumOfSquares passed', () => api.testOutcomes()[functionId(uri, 'sumOfSquares')]?.state === 'passed', 30_000);
    await editAt((e) => e.insert(uri, doc.lineAt(doc.lineCount - 1).range.end, '\n// an edit\n'));
    await waitFor('the result to be outdated after the edit', () => api.testOutcomes()[functionId(uri, 'sumOfSquares')]?.state === 'stale');
    await vscode.commands.executeCommand('workbench.action.files.revert');

    await withSetting('timeoutMs', 2000, async () => {
      await vscode.commands.executeCommand('testing.runAll');
      const root = vscode.workspace.workspaceFolders![0].uri;
      const states = await waitFor('every fixture to have an outcome', () => {
        const o = api.testOutcomes();
        const want = { 'runaway.ts#spin': 'errored', 'throws.ts#sumOfLogs': 'errored', 'syntax-error.ts#broken': 'errored', 'founding-loss.ts#softmaxLoss': 'failed', 'lenses.ts#logSumExp': 'passed' };
        const got = Object.fromEntries(Object.keys(want).map((k) => [k, o[`${vscode.Uri.joinPath(root, k.split('#')[0])}#${k.split('#')[1]}`]?.state]));
        return JSON.stringify(got) === JSON.stringify(want) && o;
      }, 90_000);
      const thrown = states[`${vscode.Uri.joinPath(root, 'throws.ts')}#sumOfLogs`];
      assert.match(thrown.messages[0].text, /^The function threw: sumOfLogs needs positive entries/);
      const throwsDoc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(root, 'throws.ts'));
      assert.equal(thrown.messages[0].location!.line - 1, throwsDoc.getText().split('\n').findIndex((l) => l.includes('throw new Error')));
    });
  });
});
