// A logistic regression whose parameters are one object, checked without a wrapper: `{ weights: number[]; bias: number }`.

export interface Params {
  weights: number[];
  bias: number;
}

export const X = [
  [0.5, -1.2, 0.3],
  [1.5, 0.2, -0.7],
  [-0.3, 0.8, 1.1],
  [0.9, -0.4, -1.3],
];
export const y = [1, 0, 1, 0];

/**
 * Mean cross-entropy of the logistic model.
 * @dlens-at params = {"weights": [0.2, -0.1, 0.4], "bias": 0.05}
 * @dlens-at X = X
 * @dlens-at y = y
 * @dlens-gradient logisticLossGradient
 */
export function logisticLoss(params: Params, X: number[][], y: number[]): number {
  let loss = 0;
  for (let i = 0; i < X.length; i++) {
    let z = params.bias;
    for (let j = 0; j < params.weights.length; j++) z += params.weights[j] * X[i][j];
    loss += Math.log(1 + Math.exp(-z)) + (1 - y[i]) * z;
  }
  return loss / X.length;
}

/** The gradient in the parameters' own structure: { weights, bias }. */
export function logisticLossGradient(params: Params, X: number[][], y: number[]): Params {
  const weights = params.weights.map(() => 0);
  let bias = 0;
  for (let i = 0; i < X.length; i++) {
    let z = params.bias;
    for (let j = 0; j < params.weights.length; j++) z += params.weights[j] * X[i][j];
    const r = (1 / (1 + Math.exp(-z)) - y[i]) / X.length;
    for (let j = 0; j < weights.length; j++) weights[j] += r * X[i][j];
    bias += r;
  }
  return { weights, bias };
}
