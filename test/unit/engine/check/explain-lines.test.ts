// Explanations end to end: hand-written derivatives with real mistakes, in plain loops and in ml-matrix code, through the whole engine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCheck } from '../../../../engine/run';
import type { Check, CheckRequest } from '../../../../engine/types';

const root = path.resolve(__dirname, '../../..');
const file = path.join(root, 'test/fixtures/load/explain-cases.ts');
const source = fs.readFileSync(file, 'utf8').split('\n');

/** The 1-based line of the fixture holding `text` (found, not hard-coded: the fixture may move). */
function lineOf(text: string): number {
  const i = source.findIndex((l) => l.includes(text));
  assert.ok(i >= 0, text);
  return i + 1;
}

async function supplied(functionName: string, extra: Partial<CheckRequest>): Promise<{ gradient?: Check; diagonal?: Check }> {
  const r = await runCheck({ file, functionName, ...extra });
  return { gradient: r.checks.find((c) => c.id === 'supplied-gradient'), diagonal: r.checks.find((c) => c.id === 'supplied-hessian-diagonal') };
}

const penaltyLoops = lineOf('reg += w[j] * w[j]');
const penaltyMatrix = lineOf('const penalty = lambda * Matrix.exp(w).sum();');
const dataMatrix = lineOf('const data = X.mmul(w).sub(y).pow(2).sum() / X.rows;');

test('correct derivatives pass without an explanation (loops and ml-matrix)', async () => {
  for (const [fn, g, h] of [
    ['ridgeLoops', 'ridgeLoopsGradient', 'ridgeLoopsDiagonal'],
    ['penalisedMatrix', 'penalisedMatrixGradient', 'penalisedMatrixDiagonal'],
  ]) {
    const { gradient, diagonal } = await supplied(fn, { gradientFunction: g, hessianDiagonalFunction: h });
    for (const c of [gradient!, diagonal!]) {
      assert.equal(c.status, 'pass', c.summary);
      assert.equal(c.explanation, undefined);
      assert.equal(c.evidence, undefined);
    }
  }
});

test('a missing penalty is named by its line, with the fit as evidence (loops: gradient; ml-matrix: gradient and diagonal)', async () => {
  const loops = await supplied('ridgeLoops', { gradientFunction: 'ridgeLoopsNoPenalty' });
  assert.match(loops.gradient!.summary, /^ridgeLoopsNoPenalty is not the gradient of ridgeLoops: 3 of 3 entries differ/);
  assert.equal(loops.gradient!.explanation, `lacks the contribution of line ${penaltyLoops} (\`${source[penaltyLoops - 1].trim()}\`): supplied = engine − ∇(line ${penaltyLoops})`);
  assert.equal(loops.gradient!.evidence!.lines, String(penaltyLoops));
  assert.ok(Math.abs(Number(loops.gradient!.evidence!.coefficients) + 1) < 1e-6);
  assert.ok((loops.gradient!.evidence!.residual as number) <= 1e-6);
  assert.deepEqual(loops.gradient!.explanationLocation && { file: loops.gradient!.explanationLocation.file, line: loops.gradient!.explanationLocation.line }, { file, line: penaltyLoops });

  const matrix = await supplied('penalisedMatrix', { gradientFunction: 'penalisedMatrixNoPenalty', hessianDiagonalFunction: 'penalisedMatrixDiagonalNoPenalty' });
  assert.match(matrix.gradient!.explanation!, new RegExp(`^lacks the contribution of line ${penaltyMatrix} \\(\`const penalty = lambda \\* Matrix\\.exp\\(w\\)\\.sum\\(\\);\`\\): supplied = engine − ∇\\(line ${penaltyMatrix}\\)$`));
  // λ exp(w_j) varies with j: no constant offset fits, only the line does.
  assert.match(matrix.diagonal!.summary, /^penalisedMatrixDiagonalNoPenalty is not the Hessian diagonal of penalisedMatrix: /);
  assert.match(matrix.diagonal!.explanation!, new RegExp(`^lacks the contribution of line ${penaltyMatrix} .*: supplied = engine − diag ∇²\\(line ${penaltyMatrix}\\)$`));
  assert.equal(matrix.diagonal!.alternatives, undefined);
});

test('a term counted twice or with the wrong sign (loops and ml-matrix)', async () => {
  const twice = await supplied('ridgeLoops', { gradientFunction: 'ridgeLoopsPenaltyTwice' });
  assert.match(twice.gradient!.explanation!, new RegExp(`^has the contribution of line ${penaltyLoops} .* twice: supplied = engine \\+ ∇\\(line ${penaltyLoops}\\)$`));
  const sign = await supplied('ridgeLoops', { gradientFunction: 'ridgeLoopsPenaltySign' });
  assert.match(sign.gradient!.explanation!, new RegExp(`^has the contribution of line ${penaltyLoops} .* with the wrong sign: supplied = engine − 2·∇\\(line ${penaltyLoops}\\)$`));
  const half = await supplied('ridgeLoops', { gradientFunction: 'ridgeLoopsPenaltyHalf' });
  assert.match(half.gradient!.explanation!, new RegExp(`^has half the contribution of line ${penaltyLoops} .*: supplied = engine − 0\\.5·∇\\(line ${penaltyLoops}\\)$`));
  const data = await supplied('penalisedMatrix', { gradientFunction: 'penalisedMatrixDataTwice' });
  assert.match(data.gradient!.explanation!, new RegExp(`^has the contribution of line ${dataMatrix} .* twice: supplied = engine \\+ ∇\\(line ${dataMatrix}\\)$`));
});

test('one term summed where the loss takes its mean: N − 1 extra copies of its line (loops and ml-matrix)', async () => {
  const dataLoops = lineOf('data += (p - y[i]) ** 2;');
  const loops = await supplied('ridgeLoops', { gradientFunction: 'ridgeLoopsSumOfData' });
  assert.equal(
    loops.gradient!.explanation,
    `has the contribution of line ${dataLoops} (\`data += (p - y[i]) ** 2;\`) N = 6 times (the number of rows of X): its sum where the loss takes its mean: supplied = engine + 5·∇(line ${dataLoops})`,
  );
  assert.ok(Math.abs(Number(loops.gradient!.evidence!.coefficients) - 5) < 1e-6);
  const matrix = await supplied('penalisedMatrix', { gradientFunction: 'penalisedMatrixSumOfData' });
  assert.match(matrix.gradient!.explanation!, new RegExp(`^has the contribution of line ${dataMatrix} .* N = 6 times \\(the number of rows of X\\)`));
});

test('near miss: 90 % of a term is not a missing term, and gets no explanation from a fit', async () => {
  const { gradient } = await supplied('ridgeLoops', { gradientFunction: 'ridgeLoopsPenaltyScaled' });
  assert.equal(gradient!.status, 'fail');
  assert.equal(gradient!.explanation, undefined);
  assert.equal(gradient!.evidence, undefined);
});

test('swapped entries are named as pairs (loops and ml-matrix); a swap that is also off is not', async () => {
  const loops = await supplied('ridgeLoops', { gradientFunction: 'ridgeLoopsSwapped' });
  assert.equal(loops.gradient!.explanation, 'w[0] and w[2] are swapped: the values are right but in the wrong places');
  assert.equal(loops.gradient!.evidence!.fit, 'permutation of truth');
  const matrix = await supplied('penalisedMatrix', { gradientFunction: 'penalisedMatrixSwapped' });
  assert.match(matrix.gradient!.explanation!, /^w\[0\]\[0\] and w\[1\]\[0\] are swapped/);
  const off = await supplied('ridgeLoops', { gradientFunction: 'ridgeLoopsSwappedOff' });
  assert.doesNotMatch(off.gradient!.explanation ?? '', /swapped/);
});

test('an additive constant is named with its size; a missing 2λ on the diagonal is an offset, with the line as the alternative', async () => {
  const loops = await supplied('ridgeLoops', { gradientFunction: 'ridgeLoopsOffset', hessianDiagonalFunction: 'ridgeLoopsDiagonalNoPenalty' });
  assert.match(loops.gradient!.explanation!, /^every entry is 0\.1 too large/);
  assert.ok(Math.abs((loops.gradient!.evidence!.offset as number) - 0.1) < 1e-12);
  // The point's lambda is 0.3: the penalty's curvature is 2λ = 0.6 on every entry.
  assert.match(loops.diagonal!.explanation!, /^every entry is 0\.6 too small/);
  assert.ok(Math.abs((loops.diagonal!.evidence!.offset as number) + 0.6) < 1e-12);
  assert.deepEqual(loops.diagonal!.alternatives, [`lacks the contribution of line ${penaltyLoops} (\`${source[penaltyLoops - 1].trim()}\`): supplied = engine − diag ∇²(line ${penaltyLoops})`]);
  const matrix = await supplied('penalisedMatrix', { gradientFunction: 'penalisedMatrixOffset' });
  assert.match(matrix.gradient!.explanation!, /^every entry is 0\.25 too small/);
});

test('the gradient of the sum for a mean: a factor N = the number of rows (loops and ml-matrix mean()); 1.001·N is not', async () => {
  const loops = await supplied('mseLoops', { gradientFunction: 'mseLoopsSumGradient' });
  assert.equal(loops.gradient!.explanation, 'a factor of N = 6 (the number of rows of X): the gradient of the sum, but the loss is the mean');
  assert.equal(loops.gradient!.evidence!.N, 6);
  const matrix = await supplied('mseMatrix', { gradientFunction: 'mseMatrixSumGradient' });
  assert.match(matrix.gradient!.explanation!, /^a factor of N = 6 \(the number of rows of X\)/);
  const almost = await supplied('mseLoops', { gradientFunction: 'mseLoopsAlmostSum' });
  assert.match(almost.gradient!.explanation!, /^a constant factor: every entry is 6\.006×/);
});

test('the example: the CLI names the missing regulariser by line, in the text and in the JSON', () => {
  const example = path.join(root, 'examples/ridge-regression.ts');
  const lines = fs.readFileSync(example, 'utf8').split('\n');
  const penalty = lines.findIndex((l) => l.includes('loss += lambda * w[j] * w[j];')) + 1;
  const cli = path.join(root, 'dist/cli.js');
  const text = spawnSync(process.execPath, [cli, 'check', example, '--function', 'ridgeLoss'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  assert.equal(text.status, 1);
  assert.match(text.stdout, /supplied-gradient +ridgeGradient is not the gradient of ridgeLoss: 3 of 3 entries differ/);
  assert.ok(text.stdout.includes(`why: lacks the contribution of line ${penalty} (\`loss += lambda * w[j] * w[j];\`)`), text.stdout);
  const json = spawnSync(process.execPath, [cli, 'check', example, '--function', 'ridgeLoss', '--json'], { encoding: 'utf8' });
  const check = (JSON.parse(json.stdout).checks as Check[]).find((c) => c.id === 'supplied-gradient')!;
  assert.match(check.summary, /^ridgeGradient is not the gradient of ridgeLoss: /);
  assert.equal(check.evidence!.lines, String(penalty));
  assert.equal(check.explanationLocation!.line, penalty);
});

test('a tree whose one leaf is wrong: that leaf explained by the line it gets wrong, and the diagnostic placed there', async () => {
  const penaltyModel = lineOf('for (const v of m.w) penalty += v * v;');
  const { gradient } = await supplied('ridgeModel', { gradientFunction: 'ridgeModelPenaltyHalf' });
  assert.equal(gradient!.status, 'fail');
  assert.match(gradient!.summary, /ridgeModelPenaltyHalf is not the gradient of ridgeModel: 3 of 4 entries differ/);
  assert.equal(
    gradient!.explanation,
    `only m.w is wrong: has half the contribution of line ${penaltyModel} (\`for (const v of m.w) penalty += v * v;\`): supplied = engine − 0.5·∇(line ${penaltyModel})`,
  );
  assert.equal(gradient!.evidence!.leaf, 'm.w');
  assert.equal(gradient!.explanationLocation?.line, penaltyModel);
});
