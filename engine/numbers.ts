// How numbers read in text — the CLI report, check summaries, explanations, the editor: one formatter, so all round alike.

/**
 * `significant` digits without trailing zeros; outside [`plainFrom`, 1e6) exponent form, two digits shorter (at
 * least two) since the exponent takes their room: 0.2409, 1.1e-17, 1.2e8. Two exponent digits are enough to tell
 * rounding noise (1.1e-17) from a real value.
 */
export function formatNumber(x: number, significant = 4, plainFrom = 1e-4): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= plainFrom && a < 1e6) return String(Number(x.toPrecision(significant)));
  return Number(x.toPrecision(Math.max(2, significant - 2)))
    .toExponential()
    .replace('e+', 'e');
}
