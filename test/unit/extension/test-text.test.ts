// The Test Explorer's expected/actual sides of a failed check: the founding case's row sums against the exact diagonal.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectedActual } from '../../../extension/test-text';
import { foundingReport, hessianDiagonal, rowSums } from '../helpers/founding-report';

test('one "entry = value" line per mismatch, worst first, at full precision, the same entries on both sides', () => {
  const report = foundingReport();
  const check = report.checks.find((c) => c.id === 'supplied-hessian-diagonal')!;
  const { expected, actual } = expectedActual(check, report.wrt);
  const e = expected.split('\n');
  const a = actual.split('\n');
  assert.equal(e.length, a.length);
  const shown = check.mismatches.length;
  for (let k = 0; k < shown; k++) {
    const [i, j] = check.mismatches[k].index;
    assert.equal(e[k], `Y[${i}][${j}] = ${hessianDiagonal[i][j]}`);
    assert.equal(a[k], `Y[${i}][${j}] = ${rowSums[i][j]}`);
  }
  if (check.mismatchCount > shown) {
    assert.equal(e[shown], `… ${check.mismatchCount - shown} more entries differ`);
    assert.equal(a[shown], e[shown], 'the count line is no difference of its own');
  } else assert.equal(e.length, shown);
});
