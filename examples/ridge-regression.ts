// Ridge regression with loops, and a hand-written gradient that forgot the penalty: the check names the line it lacks.

/** Six observations of three features, and their targets. */
export const features = [
  [1.0, 0.5, -0.3],
  [0.2, -1.1, 0.8],
  [-0.7, 0.4, 1.5],
  [1.3, 0.9, -0.6],
  [0.1, -0.2, 0.3],
  [-1.4, 1.2, 0.7],
];
export const targets = [0.3, -0.8, 1.1, 0.4, -0.2, 0.9];

/**
 * L(w) = (1/m) Σ_i (x_i·w − y_i)² + λ Σ_j w_j².
 *
 * @dlens-at w = [0.5, -1.2, 0.8]
 * @dlens-at X = features
 * @dlens-at y = targets
 * @dlens-at lambda = 0.1
 * @dlens-gradient ridgeGradient
 */
export function ridgeLoss(w: number[], X: number[][], y: number[], lambda: number): number {
  let loss = 0;
  for (let i = 0; i < X.length; i++) {
    let prediction = 0;
    for (let j = 0; j < w.length; j++) prediction += X[i][j] * w[j];
    loss += (prediction - y[i]) ** 2 / X.length;
  }
  for (let j = 0; j < w.length; j++) {
    loss += lambda * w[j] * w[j];
  }
  return loss;
}

/** (2/m) Xᵀ(Xw − y): the data term's gradient only; the penalty's 2λw is missing. Derivative Lens says so, by line. */
export function ridgeGradient(w: number[], X: number[][], y: number[]): number[] {
  const g = w.map(() => 0);
  X.forEach((row, i) => {
    const residual = row.reduce((s, x, j) => s + x * w[j], 0) - y[i];
    row.forEach((x, j) => (g[j] += (2 * x * residual) / X.length));
  });
  return g;
}
