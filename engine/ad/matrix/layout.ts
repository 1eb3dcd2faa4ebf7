// Rearrangements of the stand-in's entries (transpose, selections, inserted rows and columns): entries move with their tape ids, so nothing is recorded.

import { emptyStorage, type Entries, type Storage } from './kernels';

export function transposeEntries(a: Entries): Storage {
  const out = emptyStorage(a.columns, a.rows);
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < a.columns; j++) {
      out.values[j * a.rows + i] = a.__values[i * a.columns + j];
      out.ids[j * a.rows + i] = a.__ids[i * a.columns + j];
    }
  }
  return out;
}

/** Entry (r, c) of the result is a's entry (rowAt(r), columnAt(c)); an index of -1 leaves a constant 0 there. */
export function pickEntries(a: Entries, rows: number, cols: number, rowAt: (r: number) => number, columnAt: (c: number) => number): Storage {
  const out = emptyStorage(rows, cols);
  for (let r = 0; r < rows; r++) {
    const i = rowAt(r);
    if (i < 0) continue;
    for (let c = 0; c < cols; c++) {
      const j = columnAt(c);
      if (j < 0) continue;
      out.values[r * cols + c] = a.__values[i * a.columns + j];
      out.ids[r * cols + c] = a.__ids[i * a.columns + j];
    }
  }
  return out;
}

/** Where result index t comes from when index `at` is inserted (-1: the new line) or removed. */
export function afterInsert(at: number): (t: number) => number {
  return (t) => (t < at ? t : t === at ? -1 : t - 1);
}

export function afterRemove(at: number): (t: number) => number {
  return (t) => (t < at ? t : t + 1);
}

export const same = (t: number): number => t;
