// Plain-text table layout and number formats for the benchmark's output.

/** Columns padded to their widest cell; text columns left-aligned, numeric ones right-aligned. */
export function formatTable(headers: string[], rows: string[][], leftAligned: number[] = [0]): string {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => (leftAligned.includes(c) ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

/** Milliseconds with three significant digits. */
export function ms(x: number): string {
  if (!Number.isFinite(x)) return '—';
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toPrecision(3);
}

/** A ratio such as 3.41× (or 1.2e3× when large). */
export function ratio(x: number): string {
  if (!Number.isFinite(x)) return '—';
  return (x >= 1e4 ? x.toExponential(1) : x >= 100 ? x.toFixed(0) : x.toFixed(2)) + '×';
}

export function sci(x: number): string {
  return Number.isFinite(x) ? x.toExponential(1) : String(x);
}

/** 35000 → 35,000. */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}
