// Builds the TF.js peer into one CommonJS file with esbuild at run time and loads it.
//
// tfjs-core's CommonJS entry registers no gradients; the registrations are ESM only. Resolving every
// @tensorflow import through the packages' "module" (ESM) entries gives one engine instance that the
// gradient registrations, the CPU kernels and the peer all share.
import * as esbuild from 'esbuild';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { TfPeer } from './tfjs';

export async function loadTfPeer(root: string): Promise<TfPeer> {
  const outfile = join(root, 'out/bench/tfjs-peer.cjs');
  await esbuild.build({
    entryPoints: [join(root, 'bench/peers/tfjs.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    mainFields: ['module', 'main'],
    logLevel: 'error',
    absWorkingDir: root,
  });
  return (createRequire(__filename)(outfile) as { peer: TfPeer }).peer;
}
