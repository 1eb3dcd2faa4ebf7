// The `derivative-lens` executable: runs the CLI bundle (cli-main.js, 10 MB with TypeScript's parser) through a V8 code cache.
//
// Compiling the bundle is most of the CLI's start-up. V8 can serialise the code it compiled, including the functions
// compiled lazily while the command ran, and accept it back instead of compiling again (vm.Script cachedData). The
// cache lives in the user's cache folder, named by the bundle's size and time and Node's version, so a rebuilt bundle
// or another Node never reads a stale one (V8 also rejects data that does not match the source). Node ≥ 22 offers
// module.enableCompileCache() for the same; this works on Node 20.
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';

const main = join(__dirname, 'cli-main.js');

function cacheFile(): string | undefined {
  try {
    const { size, mtimeMs } = statSync(main);
    const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
    return join(base, 'derivative-lens', `cli-main-${size}-${Math.floor(mtimeMs)}-${process.version}-${process.arch}.v8cache`);
  } catch {
    return undefined;
  }
}

function readCache(file: string | undefined): Buffer | undefined {
  try {
    return file ? readFileSync(file) : undefined;
  } catch {
    return undefined;
  }
}

/** Written once the command has run, so the lazily compiled functions are in it too; a failure only costs speed. */
function writeCache(file: string, script: Script): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    const partial = `${file}.${process.pid}`;
    writeFileSync(partial, script.createCachedData());
    renameSync(partial, file);
  } catch {
    // A read-only or full disk: start-up stays as it was.
  }
}

const file = process.env.DERIVATIVE_LENS_NO_CODE_CACHE ? undefined : cacheFile();
const cachedData = readCache(file);
const script = new Script(Module.wrap(readFileSync(main, 'utf8')), { filename: main, cachedData });
if (file && (cachedData === undefined || script.cachedDataRejected)) process.once('exit', () => writeCache(file, script));
const mod = { exports: {}, filename: main, id: main, loaded: false, children: [], paths: [] };
(script.runInThisContext() as (...args: unknown[]) => void).call(mod.exports, mod.exports, createRequire(main), mod, main, dirname(main));
