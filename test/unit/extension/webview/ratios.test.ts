// Error ÷ tolerance per entry, the measure of the report's maps and worst-first tables, on the founding case and a sampled FD check.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { entryErrors, ratioGrid } from '../../../../extension/webview/ratios';
import { leafReports } from '../../../../engine/report/leaves';
import { foundingReport, hessianDiagonal, rowSums } from '../../helpers/founding-report';

test('the row-sum "diagonal": every entry beyond tolerance, the hot columns worst, ratios from the closed forms', () => {
  const report = leafReports(foundingReport())[0];
  const check = report.checks.find((c) => c.id === 'supplied-hessian-diagonal')!;
  const errors = entryErrors(report, check);
  assert.equal(errors.length, 35);
  assert.ok(errors.every((e) => e.ratio > 1));
  for (let i = 1; i < errors.length; i++) assert.ok(errors[i - 1].ratio >= errors[i].ratio, 'worst first');
  // Closed form of the worst entry: the hot column of a single-row class, |row sum − diagonal| ÷ (1e-10 + 1e-8·|diagonal|).
  const worst = errors[0];
  const [i, j] = [Math.floor(worst.k / 5), worst.k % 5];
  assert.equal(j, [0, 1, 3, 2, 4, 4, 4][i], `the worst entry is a hot column, got Y[${i}][${j}]`);
  assert.equal(worst.expected, hessianDiagonal[i][j]);
  assert.equal(worst.actual, rowSums[i][j]);
  assert.equal(worst.ratio, Math.abs(rowSums[i][j] - hessianDiagonal[i][j]) / (1e-10 + 1e-8 * Math.abs(hessianDiagonal[i][j])));
});

test('an FD check: entries without a reference are not judged, the bound widens by 3 FD error estimates, Infinity ranks worst', () => {
  const report = leafReports(foundingReport())[0];
  report.shape = [3];
  report.wrt = 'x';
  report.gradient = [Infinity, 0.5, 0.25];
  const check = report.checks[0];
  check.reference = [NaN, 0.5 + 2e-5, 0.25];
  check.errorEstimate = [NaN, 1e-6, 0];
  check.tolerance = { rtol: 1e-3, atol: 1e-5 };
  const errors = entryErrors(report, check);
  assert.deepEqual(errors.map((e) => e.k), [1, 2], 'x[0] has no reference: not compared');
  assert.ok(Math.abs(errors[0].ratio - 2e-5 / (1e-5 + 1e-3 * (0.5 + 2e-5) + 3e-6)) < 1e-12);
  assert.deepEqual(ratioGrid(errors, 3).map((r) => Number.isNaN(r)), [true, false, false]);
  check.reference = [1, 0.5, 0.25];
  assert.equal(entryErrors(report, check)[0].ratio, Infinity);
});
