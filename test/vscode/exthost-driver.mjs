// Runs the mocha suites inside code-server's extension host: Chromium opens the workbench with the test payload and waits for codeAutomationExit.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser, workbenchUrl } from './workbench.mjs';

const testLine = /^(ok {3}- |FAIL - |\d+ passed, \d+ failed)/;

/**
 * Opens `run.workspace` with extensionDevelopmentPath/extensionTestsPath and resolves when the workbench calls
 * codeAutomationExit (run() settled) or after `timeoutMs`. Test lines are echoed as they arrive; the result
 * file written by the tests' index is the authority for the counts.
 */
export async function runExtensionHostTests({ port, run, devPath, testsPath, resultFile, shotsDir, name, timeoutMs }) {
  const browser = await launchBrowser();
  const seen = new Set();
  const echo = (line) => {
    if (testLine.test(line) && !seen.has(line)) {
      seen.add(line);
      console.log(`  ${line}`);
    }
  };
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    let exit;
    const exited = new Promise((r) => (exit = r));
    // The workbench forwards the extension host's console here while it is under automation.
    await page.exposeFunction('codeAutomationLog', (_type, args) => {
      for (const line of (Array.isArray(args) ? args : [args]).join(' ').split('\n')) echo(line.trim());
    });
    await page.exposeFunction('codeAutomationExit', (code) => exit(Number(code)));
    const t0 = Date.now();
    await page.goto(workbenchUrl(port, run.workspace, { extensionDevelopmentPath: devPath, extensionTestsPath: testsPath }), { timeout: 60_000 });
    let timer;
    const code = await Promise.race([exited, new Promise((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)))]);
    clearTimeout(timer);
    if (code !== 0) await page.screenshot({ path: join(shotsDir, `exthost-${name}-end.png`) }).catch(() => {});
    const lines = existsSync(resultFile) ? readFileSync(resultFile, 'utf8').split('\n').filter(Boolean) : [];
    for (const line of lines) echo(line.trim());
    const summary = lines.map((l) => /^(\d+) passed, (\d+) failed$/.exec(l)).find(Boolean);
    const passed = summary ? Number(summary[1]) : 0;
    const failed = summary ? Number(summary[2]) : 1;
    if (code === 'timeout') console.log(`  extension-host suite "${name}" timed out after ${timeoutMs / 1000} s`);
    else if (!summary) console.log(`  extension-host suite "${name}" ended (code ${code}) without a result; the extension host log is under ${run.userData}/logs`);
    return { passed, failed: code === 0 && summary ? failed : Math.max(failed, 1), ms: Date.now() - t0 };
  } finally {
    await browser.close().catch(() => {});
  }
}
