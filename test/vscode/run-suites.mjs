// `npm test`'s last step: the extension-host suites (trusted, untrusted) and the UI suite in a real VS Code (code-server + headless Chromium).
// While debugging: --only trusted|untrusted|ui (repeatable) runs some suites; --no-build keeps dist/ and out/ as they are.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  repoRoot, toolsDir, codeServerBin, chromiumPath, prepareRun, startCodeServer, installVsix, killAllStarted,
} from './code-server.mjs';
import { runExtensionHostTests } from './exthost-driver.mjs';
import { runUiSuite } from '../ui/scenarios.mjs';
import { provision } from './provision.mjs';

const argv = process.argv.slice(2);
const only = argv.flatMap((a, i) => (argv[i - 1] === '--only' ? [a] : []));
const ci = ['true', '1'].includes(String(process.env.CI).toLowerCase());
const suiteNames = ['extension host (trusted)', 'extension host (untrusted)', 'UI end-to-end'];
const shotsDir = join(repoRoot, 'test-results', 'screenshots');
/** The whole step is bounded: a hung browser or server must not hang CI. */
const overallLimitMs = 12 * 60_000;

function missingTools() {
  const why = [];
  if (!existsSync(codeServerBin)) why.push('code-server is not installed in .vscode-test/');
  if (!existsSync(chromiumPath)) why.push(`${chromiumPath} is missing`);
  return why;
}

function sh(title, cmd, args, timeout) {
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { cwd: repoRoot, stdio: 'inherit', timeout });
  if (r.status !== 0) throw new Error(`${title} failed (${r.status ?? r.signal})`);
  console.log(`${title}: ${Date.now() - t0} ms`);
}

/** The .vsix `npm run package` just wrote (newest in the repo root or dist/). */
function packagedVsix(since) {
  const found = [repoRoot, join(repoRoot, 'dist')]
    .filter(existsSync)
    .flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.vsix')).map((f) => join(d, f)))
    .filter((f) => statSync(f).mtimeMs >= since)
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (!found.length) throw new Error('npm run package produced no .vsix');
  return found[0];
}

async function exthostSuite(name, trust) {
  const run = prepareRun(`exthost-${name}`, { trust });
  const resultFile = join(run.runDir, 'result.txt');
  const server = await startCodeServer(run, { env: { DLENS_EXTHOST_SUITE: name, DLENS_TEST_RESULT: resultFile } });
  try {
    return await runExtensionHostTests({
      port: server.port, run, name, resultFile, shotsDir, timeoutMs: 5 * 60_000,
      devPath: repoRoot, testsPath: join(repoRoot, 'out', 'test', 'exthost', 'index.js'),
    });
  } finally {
    await server.stop();
  }
}

async function uiSuite() {
  const since = Date.now() - 1000;
  sh('npm run package', 'npm', ['run', 'package'], 180_000);
  const vsix = packagedVsix(since);
  const run = prepareRun('ui');
  installVsix(run, vsix);
  const server = await startCodeServer(run);
  try {
    return await runUiSuite({ port: server.port, run, shotsDir });
  } finally {
    await server.stop();
  }
}

async function main() {
  if (cannot) {
    if (ci) {
      console.error(`FAILED: CI=true but the real-VS Code suites cannot run: ${cannot}`);
      return 1;
    }
    for (const s of suiteNames) console.log(`skipped: ${s} — ${cannot}`);
    return 0;
  }
  rmSync(shotsDir, { recursive: true, force: true });
  // Each run leaves ~30 MB of user data and logs: keep this one's, for a look after a failure, and those of runs
  // that may still be going on in other clones sharing .vscode-test (removing theirs would break them).
  const runsDir = join(toolsDir, 'runs');
  for (const d of existsSync(runsDir) ? readdirSync(runsDir) : []) {
    if (Date.now() - statSync(join(runsDir, d)).mtimeMs > overallLimitMs) rmSync(join(runsDir, d), { recursive: true, force: true });
  }
  mkdirSync(shotsDir, { recursive: true });
  if (!argv.includes('--no-build')) sh('build', 'node', ['scripts/build.mjs', '--tests'], 180_000);

  const results = [];
  const suites = [
    ['trusted', suiteNames[0], () => exthostSuite('trusted', 'disabled')],
    ['untrusted', suiteNames[1], () => exthostSuite('untrusted', 'untrusted')],
    ['ui', suiteNames[2], uiSuite],
  ].filter(([key]) => only.length === 0 || only.includes(key));
  for (const [, name, body] of suites) {
    console.log(`\n-- ${name}`);
    const t0 = Date.now();
    let r;
    try {
      r = await body();
    } catch (e) {
      console.log(`  FAIL - ${name} could not run: ${e.message}`);
      r = { passed: 0, failed: 1 };
    }
    console.log(`${name}: ${r.passed} passed, ${r.failed} failed (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    results.push(r);
  }
  console.log(`\nscreenshots: ${shotsDir}`);
  return results.every((r) => r.failed === 0 && r.passed > 0) ? 0 : 1;
}

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    killAllStarted();
    process.exit(130);
  });
}
// Before the watchdog starts: a first install takes minutes of its own (it has its own time limit).
const cannot = provision({ repoRoot, toolsDir, missingTools });
const watchdog = setTimeout(() => {
  console.error(`FAILED: the real-VS Code suites exceeded ${overallLimitMs / 60_000} minutes`);
  killAllStarted();
  process.exit(1);
}, overallLimitMs);
watchdog.unref();

let code = 1;
try {
  code = await main();
} catch (e) {
  console.error(`FAILED: ${e.stack ?? e}`);
} finally {
  killAllStarted();
}
process.exit(code);
