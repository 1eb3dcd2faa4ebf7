// Code lenses: one above every candidate function, verdict text after a run, and a lens's command checks its own function.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Nested, Report } from '../../engine/types';
import {
  activateApi, assertClose, closeAllEditors, codeLenses, flat, lensTitlesByLine, nameRange, openFixture, waitFor, check,
} from './helpers';

/** Each candidate of lenses.ts, how it is declared, and its closed form at its @dlens-at point. */
const candidates = [
  { name: 'sumOfSquares', after: 'function ', x: [1, -2, 0.5], f: (x: number[]) => ({ g: x.map((v) => 2 * v), h: x.map(() => 2) }) },
  {
    name: 'logSumExp', after: 'const ', x: [0, 1, 2],
    f: (x: number[]) => {
      const z = x.reduce((s, v) => s + Math.exp(v), 0);
      const p = x.map((v) => Math.exp(v) / z);
      return { g: p, h: p.map((q) => q * (1 - q)) };
    },
  },
  { name: 'cubic', after: 'const ', x: [1.5], f: ([t]: number[]) => ({ g: [3 * t * t], h: [6 * t] }) },
];

const verdictLens = /^(✓ [^·✓⚠✗]+ · )+\d+ ms$/;

suite('code lenses', () => {
  suiteSetup(async () => {
    await activateApi();
    await vscode.commands.executeCommand('derivativeLens.clear');
  });
  suiteTeardown(closeAllEditors);

  test('"Check derivatives" above every candidate function, passing the document and the name', async () => {
    const { document: doc } = await openFixture('lenses.ts');
    const lenses = await waitFor('lenses on lenses.ts', async () => {
      const all = (await codeLenses(doc.uri)).filter((l) => l.command?.command === 'derivativeLens.checkAtCursor');
      return all.length >= candidates.length && all;
    });
    assert.equal(lenses.length, candidates.length, `lenses: ${lenses.map((l) => l.command?.title).join(', ')}`);
    for (const c of candidates) {
      const line = nameRange(doc, c.after, c.name).start.line;
      const lens = lenses.find((l) => l.range.start.line <= line && l.range.end.line >= line);
      assert.ok(lens, `no lens on ${c.name} (line ${line + 1})`);
      assert.equal(lens.command!.title, 'Check derivatives');
      const [uri, name] = lens.command!.arguments ?? [];
      assert.equal(String(uri), String(doc.uri));
      assert.equal(name, c.name);
    }
  });

  test('in the founding example only the loss has a lens: its helpers return arrays or objects', async () => {
    const { document: doc } = await openFixture('founding-loss.ts');
    const titles = await waitFor('lenses on founding-loss.ts', async () => {
      const t = await lensTitlesByLine(doc.uri);
      return t.size > 0 && t;
    });
    const statementLine = (name: string) => doc.positionAt(doc.getText().indexOf(`export function ${name}`)).line;
    assert.deepEqual([...titles.keys()], [statementLine('softmaxLoss')]);
  });

  test("running a lens's command checks that function and its lens shows the verdict", async () => {
    const api = await activateApi();
    const { document: doc } = await openFixture('lenses.ts');
    for (const c of candidates) {
      const lens = (await codeLenses(doc.uri)).find((l) => l.command?.arguments?.[1] === c.name)!;
      assert.ok(lens, `no lens for ${c.name}`);
      const report = await vscode.commands.executeCommand<Report>(lens.command!.command, ...(lens.command!.arguments ?? []));
      assert.ok(report, `${c.name}: no report; lastError ${JSON.stringify(api.lastError())}`);
      assert.equal(report.function, c.name);
      const truth = c.f(c.x);
      flat(report.gradient as Nested).forEach((g, i) => assertClose(g, truth.g[i], 1e-12, `${c.name} gradient[${i}]`));
      flat(report.hessianDiagonal as Nested).forEach((h, i) => assertClose(h, truth.h[i], 1e-12, `${c.name} diag[${i}]`));
      assert.equal(report.verdict, 'pass', report.checks.map((k) => k.summary).join('; '));
      const title = await waitFor(`verdict lens on ${c.name}`, async () => {
        const t = (await codeLenses(doc.uri)).find((l) => l.range.start.line === lens.range.start.line)?.command?.title;
        return t && t !== 'Check derivatives' && t;
      });
      assert.match(title, verdictLens, `${c.name} lens: ${title}`);
      assert.equal((title.match(/✓/g) ?? []).length, report.checks.length, `one ✓ per check that ran: ${title}`);
    }
  });

  test('a failing run shows ✗ with the number of failed checks, and the verdict lens opens the report', async () => {
    const { document: doc } = await openFixture('founding-loss.ts');
    const report = await check(doc.uri, 'softmaxLoss');
    assert.ok(report);
    const line = nameRange(doc, 'function ', 'softmaxLoss').start.line;
    const lens = await waitFor('verdict lens on softmaxLoss', async () =>
      (await codeLenses(doc.uri)).find((l) => l.range.start.line <= line && l.range.end.line >= line && l.command?.title.startsWith('✗')),
    );
    const failed = report.checks.filter((c) => c.status === 'fail').length;
    assert.equal(failed, 1);
    assert.match(lens.command!.title, /^✗ 1 check failed \(supplied Hessian diagonal\) · \d+ ms$/);
    assert.equal(lens.command!.command, 'derivativeLens.showReport');
  });
});
