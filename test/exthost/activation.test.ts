// Activation: the test API, every contributed command registered, every setting contributed with its default and a description.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateApi, extensionId } from './helpers';

const commands: Record<string, string> = {
  'derivativeLens.checkAtCursor': 'Check Derivatives',
  'derivativeLens.checkFunction': 'Check Derivatives of a Function…',
  'derivativeLens.rerun': 'Re-run Last Check',
  'derivativeLens.showReport': 'Show Report',
  'derivativeLens.clear': 'Clear Results',
  'derivativeLens.insertDirectives': 'Insert Check Directives',
};

const settingDefaults: Record<string, unknown> = {
  rtol: 1e-3,
  atol: 1e-5,
  suppliedRtol: 1e-8,
  suppliedAtol: 1e-10,
  timeoutMs: 10000,
  memoryMb: 1024,
  seed: 1,
  defaultVectorLength: 5,
  defaultMatrixShape: [4, 3],
  fdSampleThreshold: 2000,
  checkOnSave: false,
  'codeLens.enabled': true,
};

suite('activation', () => {
  test('activates and returns the test API', async () => {
    const api = await activateApi();
    for (const m of ['lastReport', 'lastError', 'webviewState', 'evaluationsStarted'] as const) {
      assert.equal(typeof api[m], 'function', `API lacks ${m}()`);
    }
    assert.equal(api.evaluationsStarted(), 0, 'nothing should have been evaluated before the first check');
  });

  test('every command is registered and contributed with its title and category', async () => {
    await activateApi();
    const registered = new Set(await vscode.commands.getCommands(true));
    const contributed = vscode.extensions.getExtension(extensionId)!.packageJSON.contributes?.commands ?? [];
    for (const [id, title] of Object.entries(commands)) {
      assert.ok(registered.has(id), `${id} is not registered`);
      const c = contributed.find((x: { command: string }) => x.command === id);
      assert.ok(c, `${id} is not contributed in package.json`);
      assert.equal(c.title, title, `${id} title`);
      assert.equal(c.category, 'Derivative Lens', `${id} category`);
    }
  });

  test('every setting has its documented default and a markdownDescription', async () => {
    const properties = vscode.extensions.getExtension(extensionId)!.packageJSON.contributes?.configuration?.properties ?? {};
    const config = vscode.workspace.getConfiguration('derivativeLens');
    for (const [key, value] of Object.entries(settingDefaults)) {
      const p = properties[`derivativeLens.${key}`];
      assert.ok(p, `derivativeLens.${key} is not contributed`);
      assert.ok(typeof p.markdownDescription === 'string' && p.markdownDescription.length > 20, `derivativeLens.${key} lacks a markdownDescription`);
      assert.deepEqual(config.inspect(key)?.defaultValue, value, `derivativeLens.${key} default`);
    }
  });
});
