// How numbers and counts read in check summaries.

import { formatNumber } from '../numbers';

/** A number in a summary: three significant digits, exponent form below 0.001: 0.241, 2e-9, 1.5e6. */
export const num = (x: number): string => formatNumber(x, 3, 1e-3);

/** 35, 5,000, 35,000. */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** "1 entry", "35 entries". */
export function entries(n: number): string {
  return `${count(n)} ${n === 1 ? 'entry' : 'entries'}`;
}
