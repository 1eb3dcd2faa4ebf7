// Drives code-server's workbench in headless Chromium (playwright-core): launch, open URLs, palette, editors, webviews, Problems.
import { chromium } from 'playwright-core';
import { chromiumPath } from './code-server.mjs';

export async function launchBrowser() {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    timeout: 60_000,
    // playwright makes its own throw-away profile; --user-data-dir is refused here.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

/** The workbench URL for a folder, optionally with the test payload (extensionDevelopmentPath, extensionTestsPath). */
export function workbenchUrl(port, folder, payload) {
  const authority = `127.0.0.1:${port}`;
  let url = `http://${authority}/?folder=${encodeURIComponent(folder)}`;
  if (payload) {
    const remote = (p) => `vscode-remote://${authority}${p}`;
    const entries = Object.entries(payload).map(([k, p]) => [k, remote(p)]);
    url += `&payload=${encodeURIComponent(JSON.stringify(entries))}`;
  }
  return url;
}

/** Opens the workbench and waits until the Explorer lists `fileInWorkspace` (the remote file system is up). */
export async function openWorkbench(page, port, folder, fileInWorkspace) {
  await page.goto(workbenchUrl(port, folder), { timeout: 60_000 });
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  await page.waitForSelector(explorerRow(fileInWorkspace), { timeout: 60_000 });
}

const explorerRow = (file) => `.explorer-folders-view .monaco-list-row[aria-label*="${file}"]`;

/** Opens a file from the Explorer as a pinned editor and waits until its text shows. */
export async function openFile(page, file, expectedText) {
  await page.locator(explorerRow(file)).first().dblclick();
  await page.waitForSelector(`.tab.active[aria-label*="${file}"]`, { timeout: 30_000 });
  await page.waitForFunction(
    (t) => [...document.querySelectorAll('.monaco-editor .view-lines')].some((e) => e.textContent.includes(t)),
    expectedText,
    { timeout: 30_000 },
  );
}

/**
 * F1, type the label, run the entry whose label is exactly `label` ("… of a Function…" shares the prefix); returns when it
 * was picked. `opensPicker`: the command shows its own quick pick, so the widget stays open.
 */
export async function runCommand(page, label, { opensPicker = false } = {}) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`>${label}`);
  const row = page.locator('.quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(label)}$`) }) });
  await row.first().waitFor({ timeout: 15_000 });
  const clickedAt = Date.now();
  await row.first().click();
  if (!opensPicker) await input.waitFor({ state: 'hidden', timeout: 10_000 });
  return clickedAt;
}

const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Moves the cursor of the active editor to a 1-based line and column (Go to Line). */
export async function goToLine(page, line, column = 1) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`:${line}:${column}`);
  await page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden', timeout: 10_000 });
}

/** Color Theme picker: F1 → "Preferences: Color Theme" → the theme's label. */
export async function setColorTheme(page, themeLabel) {
  await runCommand(page, 'Preferences: Color Theme', { opensPicker: true });
  const input = page.locator('.quick-input-widget input[placeholder^="Select Color Theme"]');
  await input.waitFor({ timeout: 10_000 });
  await input.fill(themeLabel);
  await page.waitForSelector(`.quick-input-list .monaco-list-row[aria-label^="${themeLabel}"]`, { timeout: 10_000 });
  await page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden', timeout: 10_000 });
}

/** The report's document: outer iframe.webview → inner #active-frame. There is one webview at a time in these suites. */
export function webviewFrame(page) {
  return page.frameLocator('iframe.webview').last().frameLocator('#active-frame');
}

/** Waits until the report body matches every needle (strings or RegExps); returns its text. */
export async function waitForWebviewText(page, needles, timeout = 60_000) {
  const body = webviewFrame(page).locator('body');
  const matches = (text) => needles.every((n) => (typeof n === 'string' ? text.includes(n) : n.test(text)));
  const deadline = Date.now() + timeout;
  let text = '';
  while (Date.now() < deadline) {
    text = await body.innerText({ timeout: 2_000 }).catch(() => '');
    if (matches(text)) return text;
    await page.waitForTimeout(100);
  }
  throw new Error(`report webview never showed ${needles.map(String).join(', ')}; it showed: ${text.slice(0, 400).replace(/\s+/g, ' ') || '(nothing)'}`);
}

/** Opens the Problems panel and returns its text once `needle` appears. */
export async function problemsText(page, needle) {
  const panel = page.locator('.markers-panel');
  if (!(await panel.isVisible().catch(() => false))) await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
  await page.waitForSelector('.markers-panel .monaco-list-row', { timeout: 30_000 });
  await page.waitForFunction((n) => document.querySelector('.markers-panel')?.textContent.includes(n), needle, { timeout: 30_000 });
  return page.locator('.markers-panel').innerText();
}
