// How numbers and counts read in check summaries.

/** Three significant digits, without trailing zeros: 0.241, 2e-9, 1.5e+6 → "1.5e6". */
export function num(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  const text = a >= 1e-3 && a < 1e6 ? String(Number(x.toPrecision(3))) : Number(x.toPrecision(3)).toExponential();
  return text.replace('e+', 'e');
}

/** 35, 5,000, 35,000. */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** "1 entry", "35 entries". */
export function entries(n: number): string {
  return `${count(n)} ${n === 1 ? 'entry' : 'entries'}`;
}
