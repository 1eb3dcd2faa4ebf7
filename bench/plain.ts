// The plain function of a case: the example file bundled by esbuild as it is (no operator rewriting) with the real ml-matrix package.
//
// The bench loads examples at run time rather than importing them, so the user's file is compiled exactly as a
// user's build would compile it, and the Matrix class the inputs are made with is the one the example calls.
import * as esbuild from 'esbuild';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';

export type PlainModule = Record<string, unknown> & { Matrix: new (rows: number[][]) => unknown };

const loaded = new Map<string, Promise<PlainModule>>();

export function loadPlainModule(root: string, file: string): Promise<PlainModule> {
  if (!loaded.has(file)) loaded.set(file, build(root, file));
  return loaded.get(file)!;
}

async function build(root: string, file: string): Promise<PlainModule> {
  const outfile = join(root, 'out/bench', `plain-${basename(file, '.ts')}.cjs`);
  await esbuild.build({
    stdin: { contents: `export * from './${file}';\nexport { Matrix } from 'ml-matrix';\n`, resolveDir: root, loader: 'ts' },
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'error',
    absWorkingDir: root,
  });
  return createRequire(__filename)(outfile) as PlainModule;
}
