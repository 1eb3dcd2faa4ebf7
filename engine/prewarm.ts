// Warms everything a first check pays for (the parser, esbuild's service, the worker thread and its JIT) with a tiny check.
import * as os from 'node:os';
import * as path from 'node:path';
import { runCheck } from './run';
import type { EngineOptions } from './types';

const WARM_UP = 'export function warmUp(x: number[]): number {\n  return x[0] * x[0] * x[1] + Math.exp(x[1]);\n}\n';

let warming: Promise<void> | undefined;

/**
 * Runs one small check, once per process (later calls share it), so that the first real check finds a loaded engine
 * and a spare worker already booted; spares are started per heap limit (engine/sandbox/host.ts), hence `memoryMb`. Never throws: a failed warm-up only means the first check is a cold one.
 */
export function prewarm(options: Partial<Pick<EngineOptions, 'memoryMb'>> = {}): Promise<void> {
  warming ??= runCheck({
    // Never read (the text is given); a real folder so that esbuild can resolve the (absent) relative imports.
    file: path.join(os.tmpdir(), 'derivative-lens-warm-up.ts'),
    text: WARM_UP,
    functionName: 'warmUp',
    at: { x: [0.5, 0.25] },
    options,
  }).then(
    () => undefined,
    () => undefined,
  );
  return warming;
}
