// Starts and stops code-server for the suites: fresh user-data/extensions dirs per run, loopback port, bounded waits, nothing left running.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, existsSync, realpathSync, openSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';
import { prepareWorkspace } from './workspace.mjs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The clone this file lives in, with symlinks resolved: code-server sees real paths. */
export const repoRoot = realpathSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..'));
export const toolsDir = join(repoRoot, '.vscode-test');
export const codeServerBin = join(toolsDir, 'code-server', 'node_modules', '.bin', 'code-server');
export const chromiumPath = '/usr/bin/chromium';

/** Keeps code-server's sockets, config.yaml and logs inside .vscode-test instead of /tmp and $HOME. */
function serverEnv(runDir, extra) {
  const env = {
    ...process.env,
    TMPDIR: join(toolsDir, 'tmp'),
    XDG_CONFIG_HOME: join(runDir, 'xdg-config'),
    XDG_DATA_HOME: join(runDir, 'xdg-data'),
    ...extra,
  };
  // A developer running from inside VS Code would otherwise hand its own IPC hooks to the child.
  for (const k of Object.keys(env)) if (k.startsWith('VSCODE_')) delete env[k];
  return env;
}

const quietSettings = {
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'workbench.enableExperiments': false,
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'git.enabled': false,
  'typescript.disableAutomaticTypeAcquisition': true,
  'files.autoSave': 'off',
};

/**
 * A fresh run directory under .vscode-test/runs/: user data with quiet settings, an empty extensions dir and
 * a copy of the fixture workspace (the suites edit and save files, so never the checked-in one).
 * `trust: 'untrusted'` keeps workspace trust on and opens the folder in restricted mode without a prompt.
 */
export function prepareRun(name, { trust = 'disabled', settings = {} } = {}) {
  const runDir = join(toolsDir, 'runs', `${name}-${Date.now()}`);
  const userData = join(runDir, 'user-data');
  const extensions = join(runDir, 'extensions');
  const workspace = join(runDir, 'workspace');
  mkdirSync(join(userData, 'User'), { recursive: true });
  mkdirSync(extensions, { recursive: true });
  mkdirSync(join(toolsDir, 'tmp'), { recursive: true });
  prepareWorkspace(repoRoot, workspace);
  const trustSettings =
    trust === 'untrusted'
      ? {
          'security.workspace.trust.enabled': true,
          'security.workspace.trust.startupPrompt': 'never',
          'security.workspace.trust.banner': 'never',
          'security.workspace.trust.emptyWindow': false,
        }
      : { 'security.workspace.trust.enabled': false };
  writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify({ ...quietSettings, ...trustSettings, ...settings }, null, 2));
  return { runDir, userData, extensions, workspace, trust };
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** `code-server --install-extension` into the run's own extensions dir. */
export function installVsix(run, vsix) {
  const r = spawnSync(
    codeServerBin,
    ['--user-data-dir', run.userData, '--extensions-dir', run.extensions, '--install-extension', vsix, '--force'],
    { env: serverEnv(run.runDir), encoding: 'utf8', timeout: 120_000 },
  );
  if (r.status !== 0) throw new Error(`--install-extension ${vsix} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

const running = new Set();

/** Kills the whole process group (code-server forks its extension host and file watcher). */
function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

async function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  killGroup(child, 'SIGTERM');
  const done = await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 5000))]);
  if (!done) killGroup(child, 'SIGKILL');
  killGroup(child, 'SIGKILL'); // stragglers of the group
  running.delete(child);
}

/** Safety net for abrupt exits: whatever is still registered gets SIGKILL. */
export function killAllStarted() {
  for (const child of running) killGroup(child, 'SIGKILL');
  running.clear();
}

/**
 * Starts code-server on a free loopback port and waits for /healthz (30 s at most).
 * Returns { port, log, stop() }. `env` reaches the extension host (code-server passes its environment on).
 */
export async function startCodeServer(run, { env = {} } = {}) {
  if (!existsSync(codeServerBin)) throw new Error(`code-server is not installed (${codeServerBin}); run bash test/vscode/install.sh`);
  const port = await freePort();
  const log = join(run.runDir, 'code-server.log');
  const out = openSync(log, 'a');
  const args = [
    '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none',
    '--user-data-dir', run.userData, '--extensions-dir', run.extensions,
    '--disable-telemetry', '--disable-update-check', '--disable-getting-started-override', '--disable-proxy',
    '--ignore-last-opened',
    ...(run.trust === 'untrusted' ? [] : ['--disable-workspace-trust']),
    run.workspace,
  ];
  const child = spawn(codeServerBin, args, { env: serverEnv(run.runDir, env), stdio: ['ignore', out, out], detached: true });
  closeSync(out);
  running.add(child);
  const stop = () => stopChild(child);
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}; see ${log}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not answer /healthz within 30 s; see ${log}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  return { port, log, stop };
}
