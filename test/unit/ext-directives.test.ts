// Directive editing helpers: where completion applies, tags under the cursor, and the inserted directive block.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FunctionInfo } from '../../engine/types';
import { directiveBlockSnippet, directiveSlot, functionForComment, insideDocComment, tagAt } from '../../extension/directiveText';

const softmaxLoss: FunctionInfo = {
  name: 'softmaxLoss',
  form: 'declaration',
  exported: true,
  start: 100,
  end: 400,
  nameStart: 116,
  nameEnd: 127,
  docStart: 10,
  docEnd: 99,
  params: [
    { name: 'Y', type: 'number[][]', kind: 'matrix-array', hasDefault: false },
    { name: 'T', type: 'number[][]', kind: 'matrix-array', hasDefault: false },
    { name: 'w', type: 'number[]', kind: 'vector', hasDefault: false },
  ],
};

test('completion applies inside an open doc comment only', () => {
  assert.equal(insideDocComment('/**\n * @dlens-'), true);
  assert.equal(insideDocComment('/** done */\nconst x = 1; // @dlens-'), false);
  assert.equal(insideDocComment('/* plain comment @dlens-'), false);
});

test('the slot after the cursor: a tag, a parameter or a function', () => {
  assert.deepEqual(directiveSlot(' * @'), { kind: 'tag', typed: '' });
  assert.deepEqual(directiveSlot(' * @dlens-hes'), { kind: 'tag', typed: 'dlens-hes' });
  assert.deepEqual(directiveSlot(' * @dlens-at '), { kind: 'parameter', tag: 'dlens-at', typed: '' });
  assert.deepEqual(directiveSlot(' * @dlens-wrt Y'), { kind: 'parameter', tag: 'dlens-wrt', typed: 'Y' });
  assert.deepEqual(directiveSlot(' * @dlens-this mo'), { kind: 'constant', tag: 'dlens-this', typed: 'mo' });
  assert.deepEqual(directiveSlot(' * @dlens-hessian-diagonal soft'), { kind: 'function', tag: 'dlens-hessian-diagonal', typed: 'soft' });
  assert.deepEqual(directiveSlot(' * @dlens-objective '), { kind: 'function', tag: 'dlens-objective', typed: '' });
  assert.equal(directiveSlot(' * @dlens-at Y = '), undefined);
  assert.equal(directiveSlot(' * @dlens-rtol '), undefined);
  assert.equal(directiveSlot(' * mail me at a@b'), undefined);
});

test('the tag under the cursor', () => {
  const line = ' * @dlens-at Y = labels';
  assert.deepEqual(tagAt(line, 5), { tag: 'dlens-at', start: 3, end: 12 });
  assert.equal(tagAt(line, 16), undefined);
});

test('a doc comment belongs to the function it documents, else to the next one below', () => {
  const later: FunctionInfo = { ...softmaxLoss, name: 'later', start: 500, end: 600, docStart: undefined, docEnd: undefined };
  assert.equal(functionForComment([later, softmaxLoss], 50)?.name, 'softmaxLoss');
  assert.equal(functionForComment([later, softmaxLoss], 450)?.name, 'later');
  assert.equal(functionForComment([softmaxLoss], 700), undefined);
});

test('the directive block is pre-filled from the parameters with tab stops in order', () => {
  const snippet = directiveBlockSnippet(softmaxLoss, '  ');
  assert.equal(
    snippet,
    [
      '  /**',
      '   * @dlens-at Y = ${1:normal(4x3, seed=1)}',
      '   * @dlens-at T = ${2:normal(4x3, seed=1)}',
      '   * @dlens-at w = ${3:normal(5, seed=1)}',
      '   * @dlens-wrt ${4:Y}',
      '   * @dlens-gradient ${5:softmaxLossGradient}',
      '   * @dlens-hessian-diagonal ${6:softmaxLossHessianDiagonal}',
      '   */',
      '',
    ].join('\n'),
  );
});

test('snippet syntax in identifiers is escaped', () => {
  const fn: FunctionInfo = { ...softmaxLoss, name: 'f$', params: [{ name: '$x', type: 'number', kind: 'number', hasDefault: false }] };
  const snippet = directiveBlockSnippet(fn, '');
  assert.ok(snippet.includes('@dlens-at \\$x = ${1:0.5}'), snippet);
  assert.ok(snippet.includes('${3:f\\$Gradient}'), snippet);
});
