// Loads a case's example file as the live load hooks do (engine/live/transform.ts) into this process: plain calls of hook-rewritten code.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import * as vm from 'node:vm';
import { mlMatrixModule } from '../engine/ad/matrix/module';
import { liveBindings } from '../engine/live/bindings';
import { transformLive } from '../engine/live/transform';
import type { PlainModule } from './plain';

const engine = { api: 'derivative-lens', mlMatrix: 'derivative-lens/ml-matrix' };
const modules = new Map<string, Record<string, unknown>>();

/** A module and its relative imports as CommonJS, rewritten; the engine's two modules are this process's own. */
function requireLive(file: string): Record<string, unknown> {
  const cached = modules.get(file);
  if (cached) return cached;
  const module = { exports: {} as Record<string, unknown> };
  modules.set(file, module.exports);
  const code = transformLive(readFileSync(file, 'utf8'), file, 'cjs', engine);
  const requireFrom = (id: string): unknown => {
    if (id === engine.api) return { __dlensLive: liveBindings };
    if (id === engine.mlMatrix) return mlMatrixModule;
    if (id.startsWith('.')) return requireLive(resolve(dirname(file), `${id}.ts`));
    return createRequire(file)(id);
  };
  vm.compileFunction(code, ['require', 'module', 'exports'], { filename: file })(requireFrom, module, module.exports);
  modules.set(file, module.exports);
  return module.exports;
}

/** The example `file` as a test runner with the hook would load it, with the Matrix its rewritten code uses. */
export function loadLiveModule(root: string, file: string): PlainModule {
  return { ...requireLive(join(root, file)), Matrix: mlMatrixModule.Matrix as PlainModule['Matrix'] };
}
