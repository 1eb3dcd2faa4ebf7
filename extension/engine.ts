// Loads the engine on first use from its own bundle: it brings TypeScript, acorn and esbuild (about 10 MB of
// JavaScript), so activation compiles only the extension's glue until a lens or a check needs the engine.
import * as path from 'node:path';

export type Engine = typeof import('../engine/host-api');

let loading: Promise<Engine> | undefined;

export function loadEngine(): Promise<Engine> {
  // A plain require of a file beside this bundle: esbuild would inline an import() of the module, which is what
  // the separate bundle avoids.
  loading ??= Promise.resolve().then(() => require(path.join(__dirname, 'engine-host.js')) as Engine);
  return loading;
}
