// The heat maps' colour scale stays readable on light, dark and high-contrast backgrounds.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contrast, heatColor, luminance, parseColor, type RGB } from '../../../../extension/webview/color-scale';

const backgrounds: Record<string, RGB> = {
  'Light+': [255, 255, 255],
  'Dark+': [30, 30, 30],
  'High Contrast': [0, 0, 0],
  'High Contrast Light': [255, 255, 255],
  'Solarized Light': [253, 246, 227],
  'Monokai': [39, 40, 34],
  'Quiet Light': [245, 245, 245],
};
const ts = Array.from({ length: 41 }, (_, i) => -1 + i / 20);

test('theme colours parse in every form VS Code uses', () => {
  assert.deepEqual(parseColor('#1e1e1e'), [30, 30, 30]);
  assert.deepEqual(parseColor(' #fff '), [255, 255, 255]);
  assert.deepEqual(parseColor('#11223344'), [17, 34, 51]);
  assert.deepEqual(parseColor('rgba(1, 2, 3, 0.5)'), [1, 2, 3]);
  assert.equal(parseColor('var(--x)'), undefined);
});

test('contrast follows WCAG: black on white is 21, a colour on itself is 1', () => {
  assert.ok(Math.abs(contrast([0, 0, 0], [255, 255, 255]) - 21) < 1e-9);
  assert.equal(contrast([30, 30, 30], [30, 30, 30]), 1);
  assert.ok(Math.abs(luminance([255, 255, 255]) - 1) < 1e-12);
});

for (const [theme, bg] of Object.entries(backgrounds)) {
  test(`${theme}: zero is the background, the extremes stand out, text reads everywhere`, () => {
    assert.deepEqual(heatColor(0, bg).fill, bg);
    for (const end of [-1, 1]) assert.ok(contrast(heatColor(end, bg).fill, bg) >= 3, `${theme} pole ${end}: ${contrast(heatColor(end, bg).fill, bg)}`);
    for (const t of ts) {
      const { fill, text } = heatColor(t, bg);
      assert.ok(contrast(fill, text) >= 4.5, `${theme} t=${t}: text contrast ${contrast(fill, text)}`);
    }
  });

  test(`${theme}: larger magnitudes differ more from the background, and the two signs differ in hue`, () => {
    for (const sign of [-1, 1]) {
      let previous = 1;
      for (let m = 0; m <= 1.0001; m += 0.05) {
        const c = contrast(heatColor(sign * m, bg).fill, bg);
        assert.ok(c >= previous - 0.02, `${theme} ${sign * m}: ${c} < ${previous}`);
        previous = c;
      }
    }
    const [nr, , nb] = heatColor(-1, bg).fill;
    const [pr, , pb] = heatColor(1, bg).fill;
    assert.ok(nb > nr && pr > pb, `${theme}: negative bluish, positive reddish`);
  });
}

test('values beyond the scale and NaN stay in range', () => {
  const bg: RGB = [30, 30, 30];
  assert.deepEqual(heatColor(5, bg), heatColor(1, bg));
  assert.deepEqual(heatColor(NaN, bg).fill, bg);
});
