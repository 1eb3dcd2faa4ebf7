// The founding case's data (STORY.md): 7 rows, 5 classes, one-hot labels with hot columns 0, 1, 3, 2, 4, 4, 4.

const hot = [0, 1, 3, 2, 4, 4, 4];

/** One-hot labels, 7 × 5. */
export const labels: number[][] = hot.map((h) => [0, 1, 2, 3, 4].map((k) => (k === h ? 1 : 0)));

/** Class weights, all ones. */
export const weights: number[] = [1, 1, 1, 1, 1];
