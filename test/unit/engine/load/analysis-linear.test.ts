// The editor's file analysis (function outline and directive scan) grows linearly with the file: four times the text costs about four times the CPU.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseFile, analysisLimitChars } from '../../../../engine/run';

/** An annotated function with a point for each of its twelve parameters, a supplied gradient, a long doc line padded with spaces, and a method. */
function block(i: number): string {
  const params = Array.from({ length: 12 }, (_, k) => `p${k}`);
  return `/**
 * Loss ${i}, with a line padded to the right.${' '.repeat(200)}
${params.map((p, k) => ` * @dlens-at ${p} = [${k}, ${k + 1}]`).join('\n')}
 * @dlens-wrt p0
 * @dlens-gradient g${i}
 */
export function f${i}(${params.map((p) => `${p}: number[]`).join(', ')}): number {
  return ${params.map((p) => `${p}[0]`).join(' + ')};
}
export function g${i}(p0: number[]): number[] {
  return p0.map(() => 1);
}
export class Model${i} {
  w = [1, 2];
  /** @dlens-wrt this.w */
  loss(x: number): number {
    return this.w[0] * x * x + this.w[1];
  }
}
`;
}

function fileOf(chars: number, salt: number): string {
  let text = `// ${salt}\n`;
  for (let i = 0; text.length + 1000 < chars; i++) text += block(i);
  return text;
}

/** The least CPU time of analysing five different files of this size (the last analysis is cached, so each differs). */
function cpuMs(chars: number): number {
  let best = Infinity;
  for (let salt = 0; salt < 5; salt++) {
    const text = fileOf(chars, salt);
    const start = process.cpuUsage();
    const { functions } = analyseFile(text, '/tmp/linear.ts');
    const used = process.cpuUsage(start);
    assert.ok(functions.length > 10);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  return best;
}

test('analysis of four times the text takes less than eight times the CPU (no quadratic pass), up to the analysis limit', () => {
  const full = analysisLimitChars - 100;
  cpuMs(full / 4); // warms the parser
  const small = cpuMs(full / 4);
  const large = cpuMs(full);
  assert.ok(large / small < 8, `${full / 4} chars: ${small.toFixed(1)} ms, ${full} chars: ${large.toFixed(1)} ms (ratio ${(large / small).toFixed(1)})`);
  // The analysed functions are all there: a check of the scan itself, not only of its speed.
  const { functions } = analyseFile(fileOf(full, 9), '/tmp/linear.ts');
  const annotated = functions.filter((f) => f.directives.some((d) => d.tag === 'dlens-gradient'));
  assert.equal(annotated.length, functions.filter((f) => /^f\d+$/.test(f.name)).length);
  assert.ok(functions.some((f) => f.name === 'Model0.loss' && f.directives[0]?.text === 'this.w'));
});
