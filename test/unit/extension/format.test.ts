// Lens titles, status text, diagnostic messages and HTML escaping of the extension, from a founding-case Report.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatNumber } from '../../../engine/numbers';
import type { Report } from '../../../engine/types';
import { diagnosticsFor, errorInCode, errorLensTitle, escapeHtml, evaluationErrorMessage, statusBarText, verdictLensTitle } from '../../../extension/format';
import { foundingReport, hessianDiagonal, rowSums } from '../helpers/founding-report';

function allPassing(): Report {
  const r = foundingReport();
  r.checks = r.checks.filter((c) => c.id.endsWith('-vs-fd'));
  r.verdict = 'pass';
  return r;
}

test('the verdict lens lists each check when none failed, else counts the failures', () => {
  assert.equal(verdictLensTitle(allPassing()), '✓ gradient · ✓ Hessian diagonal · 14 ms');
  assert.equal(verdictLensTitle(foundingReport()), '✗ 1 check failed (supplied Hessian diagonal) · 14 ms');
  const two = foundingReport();
  two.checks[0].status = 'fail';
  assert.equal(verdictLensTitle(two), '✗ 2 checks failed (gradient, supplied Hessian diagonal) · 14 ms');
  const warned = allPassing();
  warned.checks[1].status = 'warn';
  assert.equal(verdictLensTitle(warned), '✓ gradient · ⚠ Hessian diagonal · 14 ms');
  warned.checks[0] = { ...warned.checks[0], status: 'warn', headline: 'Y[0][2] is Infinity' };
  assert.equal(verdictLensTitle(warned), '⚠ gradient: Y[0][2] is Infinity · ⚠ Hessian diagonal · 14 ms');
});

test('the status bar names the function and the verdict, a warning by its reason', () => {
  assert.equal(statusBarText(foundingReport()), '$(error) softmaxLoss: 1 failed');
  assert.equal(statusBarText(allPassing()), '$(check) softmaxLoss: all passed');
  const warned = allPassing();
  warned.verdict = 'warn';
  warned.checks[0] = { ...warned.checks[0], status: 'warn', headline: 'Y[0][2] is Infinity' };
  assert.equal(statusBarText(warned), '$(warning) softmaxLoss: gradient: Y[0][2] is Infinity');
});

test('lenses of runs that could not evaluate: syntax left to TypeScript, setup problems named, code errors as such', () => {
  assert.equal(errorLensTitle({ kind: 'syntax', message: "';' expected" }), 'Fix the syntax error first, then check derivatives');
  const setup = errorLensTitle({ kind: 'bad-argument', message: "f: cannot make a default point for parameter 'o' of type Options" });
  assert.match(setup, /^⚠ needs setup: Bad argument: f: cannot make a default point for parameter 'o' of type Options · re-run$/);
  assert.match(errorLensTitle({ kind: 'threw', message: 'x'.repeat(200) }), /^✗ could not evaluate: The function threw: x{59}… · re-run$/);
  assert.equal(errorInCode({ kind: 'threw', message: '' }), true);
  for (const kind of ['syntax', 'bad-argument', 'timeout', 'out-of-memory'] as const) assert.equal(errorInCode({ kind, message: '' }), false, kind);
});

test('the founding case gives one error on the supplied Hessian diagonal with the worst entry and the explanation', () => {
  const specs = diagnosticsFor(foundingReport());
  assert.equal(specs.length, 1);
  const [d] = specs;
  assert.equal(d.code, 'supplied-hessian-diagonal');
  assert.equal(d.severity, 'error');
  assert.equal(d.anchor.kind, 'supplied');
  // The message leads with the culprit, as the check's summary does (the Problems panel shows the first line only).
  assert.ok(d.message.startsWith('softmaxLossHessianRowSums is not the Hessian diagonal of softmaxLoss: 35 of 35 entries differ (worst Y[0][0]'), d.message);
  assert.equal(formatNumber(hessianDiagonal[0][0]), '0.2409');
  assert.ok(Math.abs(rowSums[0][0]) < 1e-15);
  assert.ok(d.message.endsWith('These are the Hessian row sums (H·1), not its diagonal.'));
});

test('FD disagreements, kinks and NaN become warnings at the right anchors', () => {
  const r = allPassing();
  r.checks[0] = { ...r.checks[0], status: 'warn', mismatches: [{ entry: 'Y[2][1]', index: [2, 1], expected: 0.5, actual: 0.25, absError: 0.25, bound: 1e-3 }], mismatchCount: 1 };
  r.kinks = [{ op: 'Math.abs', detail: 'Math.abs at 0', entries: [[2, 1]], location: { file: r.file, line: 30, column: 9 } }];
  (r.hessianDiagonal as number[][])[1][1] = NaN;
  const specs = diagnosticsFor(r);
  assert.deepEqual(specs.map((s) => [s.code, s.severity, s.anchor.kind]), [
    ['gradient-vs-fd', 'warning', 'checked'],
    ['kink', 'warning', 'location'],
    ['non-finite', 'warning', 'checked'],
  ]);
  assert.ok(specs[0].message.includes('Y[2][1]: expected 0.5, got 0.25'), specs[0].message);
  assert.ok(specs[1].message.startsWith('Math.abs at 0') && specs[1].message.includes('Y[2][1]'), specs[1].message);
  assert.ok(specs[2].message.includes('Hessian diagonal') && !specs[2].message.includes('gradient and'), specs[2].message);
  const kinkAnchor = specs[1].anchor;
  assert.ok(kinkAnchor.kind === 'location' && kinkAnchor.line === 30 && kinkAnchor.column === 9);
});

test('a passing report has no diagnostics', () => {
  assert.deepEqual(diagnosticsFor(allPassing()), []);
});

test('a kink where finite differences agreed is information, not a warning', () => {
  const r = allPassing();
  r.kinks = [{ op: 'Math.max', detail: 'Math.max with a tie', entries: [[2, 0], [2, 1]], location: { file: r.file, line: 27, column: 39 } }];
  const [spec] = diagnosticsFor(r);
  assert.equal(spec.code, 'kink');
  assert.equal(spec.severity, 'information');
  assert.ok(spec.message.includes('finite differences agree'), spec.message);
});

test('evaluation errors say what kind of failure they were', () => {
  assert.equal(evaluationErrorMessage({ kind: 'threw', message: 'boom' }), 'The function threw: boom');
  assert.equal(evaluationErrorMessage({ kind: 'internal', message: 'oops' }), 'oops');
});

test('HTML escaping leaves no markup in an error message', () => {
  const hostile = `<img src=x onerror="alert('x')"> & </script>`;
  const escaped = escapeHtml(hostile);
  assert.equal(escaped, '&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt; &amp; &lt;/script&gt;');
  assert.ok(!/[<>"']/.test(escaped));
});
