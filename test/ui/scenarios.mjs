// The UI end-to-end suite: a user's clicks and keys in code-server with the packaged extension installed, checked in the DOM, with screenshots per theme.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  launchBrowser, openWorkbench, openFile, runCommand, goToLine, setColorTheme, webviewFrame, waitForWebviewText, problemsText,
} from '../vscode/workbench.mjs';
import { worstContrasts } from './contrast.mjs';

const themes = [
  { label: 'Light Modern', slug: 'light' },
  { label: 'Dark Modern', slug: 'dark' },
  { label: 'Dark High Contrast', slug: 'high-contrast' },
];
/** WCAG AA for body text. */
const minContrast = 4.5;

/** 1-based line and column where `text` starts in a workspace file. */
function positionOf(workspace, file, text) {
  const lines = readFileSync(join(workspace, file), 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(text));
  if (i < 0) throw new Error(`${text} not in ${file}`);
  return { line: i + 1, column: lines[i].indexOf(text) + 1 };
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

async function lensTexts(page) {
  return page.locator('.monaco-editor .codelens-decoration').allInnerTexts();
}

async function focusSourceEditor(page, { line, column }) {
  await runCommand(page, 'View: Focus First Editor Group');
  await goToLine(page, line, column);
}

async function closeReportPanel(page) {
  const tab = page.locator('.tabs-container .tab', { hasText: 'Derivatives:' }).first();
  await tab.hover();
  await tab.locator('.tab-actions .action-label').click();
  await page.locator('iframe.webview').first().waitFor({ state: 'detached', timeout: 10_000 }).catch(() => {});
}

/**
 * Runs every scenario in one workbench session (each builds on the state the previous one leaves: the report of
 * the founding example open beside its source). Resolves to { passed, failed, measurements }.
 */
export async function runUiSuite({ port, run, shotsDir }) {
  mkdirSync(shotsDir, { recursive: true });
  const shot = (name) => page.screenshot({ path: join(shotsDir, `${name}.png`) });
  const counts = { passed: 0, failed: 0 };
  const measurements = {};
  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const scenario = async (name, body) => {
    const t0 = Date.now();
    try {
      await body();
      counts.passed++;
      console.log(`  ok   - ${name} (${Date.now() - t0} ms)`);
    } catch (e) {
      counts.failed++;
      console.log(`  FAIL - ${name}: ${String(e.message ?? e).split('\n')[0]}`);
      await shot(`ui-failed-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`).catch(() => {});
    }
  };
  const insideSoftmaxLoss = positionOf(run.workspace, 'founding-loss.ts', 'const logZ');
  const rowSumsName = positionOf(run.workspace, 'founding-loss.ts', 'softmaxLossHessianRowSums(');

  try {
    await openWorkbench(page, port, run.workspace, 'founding-loss.ts');

    await scenario('clicking the "Check derivatives" lens above sumOfSquares opens its report and turns the lens into a verdict', async () => {
      await openFile(page, 'lenses.ts', 'sumOfSquares');
      const lenses = page.locator('.monaco-editor .codelens-decoration a', { hasText: /^Check derivatives$/ });
      await lenses.first().waitFor({ timeout: 30_000 });
      expect((await lenses.count()) === 3, `expected 3 lenses on lenses.ts, saw ${JSON.stringify(await lensTexts(page))}`);
      await lenses.first().click();
      await waitForWebviewText(page, ['sumOfSquares']);
      await page.locator('.tabs-container .tab', { hasText: 'Derivatives: sumOfSquares' }).waitFor({ timeout: 10_000 });
      await page.waitForFunction(() => [...document.querySelectorAll('.monaco-editor .codelens-decoration')].some((e) => e.textContent.startsWith('✓')), null, { timeout: 15_000 });
      await shot('lens-click-sumOfSquares');
    });

    await scenario('the lens above a method checks it: a report with one section per leaf of this.layers', async () => {
      await openFile(page, 'two-layer-network.ts', 'TwoLayerNetwork');
      const lenses = page.locator('.monaco-editor .codelens-decoration a', { hasText: /^Check derivatives$/ });
      await lenses.first().waitFor({ timeout: 30_000 });
      // forward (numeric parameter) and loss (directives): the second lens is the loss.
      expect((await lenses.count()) === 2, `expected 2 lenses on two-layer-network.ts, saw ${JSON.stringify(await lensTexts(page))}`);
      await lenses.nth(1).click();
      await waitForWebviewText(page, ['TwoLayerNetwork.loss', 'Gradient of this.layers[0].W', 'Hessian diagonal of this.layers[1].b'], 60_000);
      await page.locator('.tabs-container .tab', { hasText: 'Derivatives: TwoLayerNetwork.loss' }).waitFor({ timeout: 10_000 });
      await shot('method-report-leaves');
      await closeReportPanel(page);
    });

    await scenario('F1 "Derivative Lens: Check Derivatives" in softmaxLoss shows 0.2409 and the row-sum explanation', async () => {
      await openFile(page, 'founding-loss.ts', 'softmaxLoss');
      await focusSourceEditor(page, insideSoftmaxLoss);
      const t0 = await runCommand(page, 'Derivative Lens: Check Derivatives');
      await waitForWebviewText(page, ['softmaxLoss', '0.2409', /row sums/i], 90_000);
      measurements.firstPaletteRunMs = Date.now() - t0;
      await page.locator('.tabs-container .tab', { hasText: 'Derivatives: softmaxLoss' }).waitFor({ timeout: 10_000 });
      await page.waitForFunction(() => [...document.querySelectorAll('.monaco-editor .codelens-decoration')].some((e) => e.textContent.startsWith('✗')), null, { timeout: 15_000 });
    });

    await scenario('the Problems panel and the editor show the row-sum error on softmaxLossHessianRowSums', async () => {
      const text = await problemsText(page, 'softmaxLossHessianRowSums is not the Hessian diagonal of softmaxLoss');
      for (const needle of ['founding-loss.ts', 'Derivative Lens', 'supplied-hessian-diagonal']) expect(text.includes(needle), `Problems panel lacks "${needle}": ${text.slice(0, 300)}`);
      expect(/row sums/i.test(text), `Problems panel lacks the explanation: ${text.slice(0, 300)}`);
      await focusSourceEditor(page, rowSumsName);
      await page.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: 15_000 });
      await shot('problems-panel');
    });

    await scenario('warm run: command to rendered report latency', async () => {
      for (const key of ['warmPaletteRunMs', 'warmPaletteRun2Ms']) {
        await closeReportPanel(page);
        await focusSourceEditor(page, insideSoftmaxLoss);
        const t0 = await runCommand(page, 'Derivative Lens: Check Derivatives');
        await waitForWebviewText(page, ['softmaxLoss', '0.2409'], 60_000);
        measurements[key] = Date.now() - t0;
      }
      console.log(`  command → report rendered: first palette run ${measurements.firstPaletteRunMs} ms, warm ${measurements.warmPaletteRunMs} ms and ${measurements.warmPaletteRun2Ms} ms`);
    });

    await scenario('light, dark and high-contrast themes: the report text is readable (contrast ≥ 4.5) — screenshots of report and diagnostic', async () => {
      const unreadable = [];
      for (const theme of themes) {
        await setColorTheme(page, theme.label);
        await page.waitForTimeout(800); // the webview restyles after the workbench
        await waitForWebviewText(page, ['softmaxLoss']);
        const worst = await webviewFrame(page).locator('body').evaluate(worstContrasts);
        measurements[`contrast-${theme.slug}`] = worst[0];
        console.log(`  ${theme.label}: lowest text contrast in the report ${worst[0]?.ratio} (${JSON.stringify(worst[0])})`);
        for (const w of worst.filter((x) => x.ratio < minContrast)) unreadable.push(`${theme.label}: "${w.text}" in ${w.element} ${w.fg} on ${w.bg} = ${w.ratio}`);
        await shot(`${theme.slug}-report`);
        await focusSourceEditor(page, rowSumsName);
        await page.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: 15_000 });
        await runCommand(page, 'Show or Focus Hover');
        await page.locator('.monaco-hover', { hasText: /row sums/i }).first().waitFor({ timeout: 15_000 });
        await page.waitForTimeout(600); // the hover fades in
        await shot(`${theme.slug}-editor-diagnostic`);
        await page.keyboard.press('Escape');
      }
      expect(unreadable.length === 0, `text below ${minContrast}:1 — ${unreadable.join('; ')}`);
    });

    await scenario('the Testing view lists the tagged functions and "Run Tests" checks them all: failures, errors and passes', async () => {
      await setColorTheme(page, 'Dark Modern');
      await runCommand(page, 'Testing: Focus on Test Explorer View');
      const tree = page.locator('.test-explorer');
      for (const file of ['founding-loss.ts', 'lenses.ts', 'throws.ts']) await tree.locator('.monaco-list-row', { hasText: file }).first().waitFor({ timeout: 30_000 });
      // The Testing view's own title bar "Run Tests" button.
      await page.locator('.part.sidebar .action-label[aria-label^="Run Tests"]').first().click();
      // The runaway fixture runs into the 10 s time limit: everything is done when no item is queued or running.
      await page.waitForFunction(() => {
        const rows = [...document.querySelectorAll('.test-explorer .monaco-list-row')];
        return rows.some((r) => r.querySelector('.codicon-testing-failed-icon')) && rows.some((r) => r.querySelector('.codicon-testing-error-icon'))
          && !document.querySelector('.test-explorer .codicon-testing-queued-icon, .test-explorer .codicon-loading, .test-explorer .codicon-testing-loading-icon');
      }, null, { timeout: 120_000 });
      const row = (file) => tree.locator('.monaco-list-row', { hasText: file }).first();
      const icon = async (file) => (await row(file).locator('.codicon[class*="codicon-testing-"]').first().getAttribute('class')) ?? '';
      expect(/testing-failed-icon/.test(await icon('founding-loss.ts')), `founding-loss.ts: ${await icon('founding-loss.ts')}`);
      expect(/testing-error-icon/.test(await icon('throws.ts')), `throws.ts: ${await icon('throws.ts')}`);
      expect(/testing-passed-icon/.test(await icon('lenses.ts')), `lenses.ts: ${await icon('lenses.ts')}`);
      const summary = await page.locator('.test-explorer-messages, .result-summary, .pane-body .result-summary-container').first().innerText().catch(() => '');
      console.log(`  Testing view after the run: ${summary.replace(/\s+/g, ' ').trim() || '(no summary element)'}`);
      await shot('testing-view-run-all');
    });
  } catch (e) {
    counts.failed++;
    console.log(`  FAIL - UI suite setup: ${e.message}`);
    await shot('ui-failed-setup').catch(() => {});
  } finally {
    await browser.close().catch(() => {});
  }
  return { ...counts, measurements };
}
