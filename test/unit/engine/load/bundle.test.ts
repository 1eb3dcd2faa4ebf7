// Bundling: unsaved text, relative imports, the ml-matrix stand-in, refused Node built-ins, errors at the TS line, exact source maps.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { bundleModule } from '../../../../engine/load/bundle';
import { mlMatrixGlobal, moduleGlobal } from '../../../../engine/sandbox/protocol';
import { rewriteOperators } from '../../../../engine/load/rewrite';
import { createLocator } from '../../../../engine/load/sourcemap';
import { EngineError } from '../../../../engine/types';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dlens-bundle-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
fs.writeFileSync(path.join(dir, 'helper.ts'), 'export const scale: number = 3;\nexport function twice(x: number): number {\n  return 2 * x;\n}\n');
fs.mkdirSync(path.join(dir, 'lib'));
fs.writeFileSync(path.join(dir, 'lib', 'paths.ts'), 'export const viaPaths = 11;\n');
fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { '@lib/*': ['lib/*'] } } }));
const file = path.join(dir, 'main.ts');

async function failure(text: string): Promise<EngineError['info']> {
  try {
    await bundleModule(file, text, {});
  } catch (e) {
    assert.ok(e instanceof EngineError);
    return e.info;
  }
  assert.fail('expected a bundling error');
}

test('bundles the given text with relative imports, tsconfig paths and ml-matrix, exporting the aliases', async () => {
  const text = [
    "import { scale, twice } from './helper';",
    "import { viaPaths } from '@lib/paths';",
    "import { Matrix } from 'ml-matrix';",
    'export function f(x: number): number {',
    '  return twice(x) * scale + viaPaths + new Matrix(1, 1).rows;',
    '}',
  ].join('\n');
  const b = await bundleModule(file, text, { __dlens_fn: 'f', __dlens_c_scale: 'scale' });
  class FakeMatrix {
    rows: number;
    constructor(r: number) {
      this.rows = r;
    }
  }
  const ctx = vm.createContext({ [mlMatrixGlobal]: { Matrix: FakeMatrix } });
  vm.runInContext(b.code, ctx);
  const mod = ctx[moduleGlobal];
  assert.equal(mod.__dlens_fn(2), 2 * 2 * 3 + 11 + 1);
  assert.equal(mod.__dlens_c_scale, 3);
});

test('the source map, through the rewrite, points at the TypeScript line and column of imported and local code', async () => {
  const text = "import { twice } from './helper';\n\nexport function g(y: number): number {\n  const z: number = y * y;\n  return twice(z) - 1;\n}\n";
  const b = await bundleModule(file, text, { __dlens_fn: 'g' });
  const r = rewriteOperators(b.code);
  const loc = createLocator(b.map, r, b.sourceRoot);
  const lines = r.code.split('\n');
  const find = (needle: string) => {
    const i = lines.findIndex((l) => l.includes(needle));
    return loc.locate(i + 1, lines[i].indexOf(needle) + 1);
  };
  assert.deepEqual(find('return __ad.sub(twice'), { file, line: 5, column: 3 });
  assert.deepEqual(find('return __ad.mul(2'), { file: path.join(dir, 'helper.ts'), line: 3, column: 3 });
  const stack = `Error: boom\n    at engineFrame (/x/worker.js:1:1)\n    at g (${'dlens-bundle.js'}:${lines.findIndex((l) => l.includes('const z')) + 1}:${lines.find((l) => l.includes('const z'))!.indexOf('y ,') + 1})`;
  assert.deepEqual(loc.locateStack(stack), { file, line: 4, column: 21 });
});

test('Node built-ins are refused at the import line, in any spelling', async () => {
  for (const spec of ['fs', 'node:fs', 'child_process', 'net', 'fs/promises']) {
    const info = await failure(`// a comment\nimport * as m from '${spec}';\nexport const f = (x: number) => x + Object.keys(m).length;\n`);
    assert.equal(info.kind, 'import', spec);
    assert.equal(info.message, `imports Node built-in '${spec}': checked code gets no Node modules (it runs in a vm context without require or process)`);
    assert.deepEqual([info.file, info.line, info.column], [file, 2, 20]);
  }
});

test('syntax errors and missing imports carry the TS file, line and column', async () => {
  const syntax = await failure('export function f(x: number) {\n  return x +* 2;\n}\n');
  assert.equal(syntax.kind, 'syntax');
  assert.deepEqual([syntax.file, syntax.line], [file, 2]);
  const missing = await failure("\nimport { nothing } from './nope';\nexport const f = (x: number) => x * nothing;\n");
  assert.equal(missing.kind, 'import');
  assert.match(missing.message, /Could not resolve "\.\/nope"/);
  assert.deepEqual([missing.file, missing.line], [file, 2]);
  const inHelper = await failure("import { absent } from './helper';\nexport const f = (x: number) => x * absent;\n");
  assert.equal(inHelper.kind, 'import');
  assert.match(inHelper.message, /No matching export/);
});

test("packages in the workspace's node_modules resolve as esbuild resolves them", async () => {
  const pkg = path.join(dir, 'node_modules', 'tiny-scale');
  fs.mkdirSync(pkg, { recursive: true });
  fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'tiny-scale', main: 'index.js' }));
  fs.writeFileSync(path.join(pkg, 'index.js'), 'exports.tinyScale = 7;\n');
  const b = await bundleModule(file, "import { tinyScale } from 'tiny-scale';\nexport const f = (x: number) => x * tinyScale;\n", { __dlens_fn: 'f' });
  const ctx = vm.createContext({});
  vm.runInContext(b.code, ctx);
  assert.equal(ctx[moduleGlobal].__dlens_fn(3), 21);
});

test('a syntax error in a folder reached through a symbolic link is placed on the file as the caller named it', async () => {
  const real = path.join(dir, 'real', 'deep');
  fs.mkdirSync(real, { recursive: true });
  // The link sits deeper than its target, so steps up from the real folder lead elsewhere than from the link.
  fs.mkdirSync(path.join(dir, 'l1', 'l2'), { recursive: true });
  fs.symlinkSync(path.join(dir, 'real'), path.join(dir, 'l1', 'l2', 'linked'));
  const linked = path.join(dir, 'l1', 'l2', 'linked', 'deep', 'broken.ts');
  const text = 'export function f(x: number): number {\n  return x * ;\n}\n';
  fs.writeFileSync(linked, text);
  await assert.rejects(bundleModule(linked, text, {}), (e: unknown) => {
    assert.ok(e instanceof EngineError);
    assert.deepEqual([e.info.kind, e.info.file, e.info.line], ['syntax', linked, 2]);
    return true;
  });
});
