// Reports keep NaN and ±Infinity across the JSON the webview messages and state travel as.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeReport, encodeReport, fromWire, toWire } from '../../../extension/protocol';
import { foundingReport } from '../helpers/founding-report';

test('non-finite numbers survive the round trip, other values unchanged', () => {
  const r = foundingReport();
  (r.gradient as number[][])[1][2] = NaN;
  (r.hessianDiagonal as number[][])[0][0] = Infinity;
  r.checks[0].reference = [[-Infinity, 1]];
  r.notes = ['NaN', 'Infinity'];
  const back = decodeReport(JSON.parse(JSON.stringify(encodeReport(r))));
  assert.ok(Number.isNaN((back.gradient as number[][])[1][2]));
  assert.equal((back.hessianDiagonal as number[][])[0][0], Infinity);
  assert.deepEqual(back.checks[0].reference, [[-Infinity, 1]]);
  assert.deepEqual(back.notes, ['NaN', 'Infinity']);
  assert.deepEqual(back, r);
});

test('plain JSON would have lost them, which is why the wire form exists', () => {
  const r = foundingReport();
  (r.gradient as number[][])[0][0] = NaN;
  assert.equal((JSON.parse(JSON.stringify(r)).gradient as number[][])[0][0], null);
  const wire = JSON.parse(JSON.stringify(toWire({ type: 'report', report: r, stale: true })));
  const view = fromWire(wire);
  assert.ok(view.type === 'report' && view.stale && Number.isNaN((view.report.gradient as number[][])[0][0]));
});
