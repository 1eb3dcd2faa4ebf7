// The one number formatter: significant digits, exponent form outside its plain range, the presets of the summaries and the CLI.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { num } from '../../../engine/check/words';
import { formatNumber } from '../../../engine/numbers';

test('numbers keep four significant digits and show rounding noise in exponent form', () => {
  assert.equal(formatNumber(0.24090069), '0.2409');
  assert.equal(formatNumber(1.0842021724855044e-17), '1.1e-17');
  assert.equal(formatNumber(-3e-20), '-3e-20');
  assert.equal(formatNumber(123456789), '1.2e8');
  assert.equal(formatNumber(0), '0');
  assert.equal(formatNumber(NaN), 'NaN');
  assert.equal(formatNumber(-Infinity), '-Infinity');
  assert.equal(formatNumber(Math.PI, 6), '3.14159');
  assert.equal(formatNumber(1.0842021724855044e-17, 6), '1.084e-17');
});

test('summaries keep three digits and go to exponent form below 0.001; the CLI keeps eight', () => {
  assert.deepEqual([0.24090069, 2e-9, 1.5e6, 0.0005, Infinity].map(num), ['0.241', '2e-9', '1.5e6', '5e-4', 'Infinity']);
  assert.equal(formatNumber(Math.PI, 8), '3.1415927');
  assert.equal(formatNumber(-1.23456789e-7, 8), '-1.23457e-7');
});
