// Directive editing helpers: where completion applies, tags under the cursor, and the inserted directive block.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FunctionInfo } from '../../../engine/types';
import { addDirectiveEdit, directiveBlockSnippet, directiveSlot, functionForComment, insideDocComment, tagAt } from '../../../extension/directive-text';

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

test('the directive block is pre-filled from the parameters with tab stops in order, and names only functions the file has', () => {
  const snippet = directiveBlockSnippet(softmaxLoss, '  ', ['softmaxLossHessianDiagonal', 'softmaxLossGradient', 'rowSums']);
  assert.equal(
    snippet,
    [
      '  /**',
      '   * @dlens-at Y = ${1:normal(4x3, seed=1)}',
      '   * @dlens-at T = ${2:normal(4x3, seed=1)}',
      '   * @dlens-at w = ${3:normal(5, seed=1)}',
      '   * @dlens-wrt ${4:Y}',
      '   * @dlens-gradient ${5|softmaxLossGradient,softmaxLossHessianDiagonal,rowSums|}',
      '   * @dlens-hessian-diagonal ${6|softmaxLossHessianDiagonal,softmaxLossGradient,rowSums|}',
      '   */',
      '',
    ].join('\n'),
  );
});

test('snippet syntax in identifiers is escaped', () => {
  const fn: FunctionInfo = { ...softmaxLoss, name: 'f$', params: [{ name: '$x', type: 'number', kind: 'number', hasDefault: false }] };
  const snippet = directiveBlockSnippet(fn, '');
  assert.ok(snippet.includes('@dlens-at \\$x = ${1:0.5}'), snippet);
  assert.ok(!snippet.includes('@dlens-gradient'), `no helper in the file, no made-up name: ${snippet}`);
});

test('"Use as the gradient of …" adds one directive line, whatever the doc comment looks like', () => {
  const apply = (text: string, fn: FunctionInfo) => {
    const e = addDirectiveEdit(text, fn, '@dlens-gradient g');
    return text.slice(0, e.start) + e.text + text.slice(e.end);
  };
  const fnAt = (text: string, doc?: [number, number]): FunctionInfo => {
    const start = text.indexOf('export function');
    return { ...softmaxLoss, start, end: text.length, docStart: doc?.[0], docEnd: doc?.[1] };
  };
  const bare = 'const a = 1;\n  export function f(x: number) { return x; }\n';
  assert.equal(apply(bare, fnAt(bare)), 'const a = 1;\n  /** @dlens-gradient g */\n  export function f(x: number) { return x; }\n');
  const block = '/**\n * Doc.\n */\nexport function f(x: number) { return x; }\n';
  assert.equal(apply(block, fnAt(block, [0, 15])), '/**\n * Doc.\n * @dlens-gradient g\n */\nexport function f(x: number) { return x; }\n');
  const oneLine = '/** Doc. */\nexport function f(x: number) { return x; }\n';
  assert.equal(apply(oneLine, fnAt(oneLine, [0, 11])), '/**\n * Doc.\n * @dlens-gradient g\n */\nexport function f(x: number) { return x; }\n');
});
