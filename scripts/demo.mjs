// `npm run demo`: checks the founding example three ways and shows the row-sum "Hessian diagonal" flagged.
import { spawnSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = [
  {
    title: 'The founding loss (plain loops) with the hand-written gradient and the story\'s "Hessian diagonal" (row sums)',
    args: ['examples/founding-loss.ts', '--function', 'softmaxLoss'],
    expect: 1,
  },
  {
    title: 'The same loss with the correct hand-written Hessian diagonal',
    args: ['examples/founding-loss.ts', '--function', 'softmaxLoss', '--hessian-diagonal', 'softmaxLossHessianDiagonal'],
    expect: 0,
  },
  {
    title: 'The founding loss written with ml-matrix, with a gradient-boosting objective { grad, hess }',
    args: ['examples/founding-loss-matrix.ts', '--function', 'softmaxLossMatrix'],
    expect: 0,
  },
];

let unexpected = 0;
for (const run of runs) {
  console.log(`\n━━ ${run.title}\n$ derivative-lens check ${run.args.join(' ')}\n`);
  const r = spawnSync(process.execPath, [join(root, 'dist/cli.js'), 'check', ...run.args], { cwd: root, stdio: 'inherit' });
  const verdict = r.status === run.expect ? 'as expected' : `UNEXPECTED (expected ${run.expect})`;
  console.log(`\n(exit code ${r.status}: ${verdict})`);
  if (r.status !== run.expect) unexpected++;
}
process.exit(unexpected === 0 ? 0 : 1);
