// Lets `npm test` install what the real-VS-Code suites need (test/vscode/install.sh) when this machine allows it, once; otherwise says exactly what to run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const installScript = 'test/vscode/install.sh';

/** Why install.sh cannot run here (it needs apt and root or passwordless sudo), or undefined when it can. */
export function whyNotInstallable() {
  const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
  if (!has('apt-get') || !has('dpkg-query')) return 'this machine has no apt-get (install.sh installs Debian packages)';
  if (!has('npm')) return 'npm is not on the PATH';
  if (process.getuid?.() === 0) return undefined;
  if (has('sudo') && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0) return undefined;
  return 'installing Debian packages needs root or passwordless sudo';
}

/**
 * Runs install.sh when tools are missing and the machine allows it. A failed attempt is remembered in
 * .vscode-test/install-failed so later runs do not repeat a long install that cannot succeed; running install.sh
 * by hand (or deleting that file) tries again. Resolves to undefined when the tools are there, else the reason.
 */
export function provision({ repoRoot, toolsDir, missingTools }) {
  const missing = missingTools();
  if (missing.length === 0) return undefined;
  const failedMarker = join(toolsDir, 'install-failed');
  const manual = `run: bash ${installScript} (as root or with sudo), then npm test again`;
  if (process.env.DLENS_NO_INSTALL) return `${missing.join('; ')} and DLENS_NO_INSTALL is set — ${manual}`;
  if (existsSync(failedMarker)) return `${missing.join('; ')}; an earlier automatic install failed (see ${failedMarker}) — ${manual}`;
  const why = whyNotInstallable();
  if (why) return `${missing.join('; ')}; ${why} — ${manual}`;
  console.log(`\n== installing the real-VS-Code tooling once (${missing.join('; ')}): bash ${installScript} — a few minutes`);
  const r = spawnSync('bash', [join(repoRoot, installScript)], { cwd: repoRoot, stdio: 'inherit', timeout: 20 * 60_000 });
  const still = missingTools();
  if (r.status === 0 && still.length === 0) {
    rmSync(failedMarker, { force: true });
    return undefined;
  }
  mkdirSync(toolsDir, { recursive: true });
  writeFileSync(failedMarker, `${new Date().toISOString()} install.sh exited ${r.status ?? r.signal}; still missing: ${still.join('; ')}\n`);
  return `bash ${installScript} failed (exit ${r.status ?? r.signal}, output above) — fix what it reports, then ${manual}`;
}
