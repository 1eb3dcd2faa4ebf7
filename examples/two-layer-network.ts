// A two-layer network written as a class: its loss is a method reading `this.layers`, checked without a wrapper.

export interface Layer {
  W: number[][];
  b: number[];
}

export class TwoLayerNetwork {
  layers: Layer[] = [
    { W: [[0.3, -0.2], [0.1, 0.4], [-0.5, 0.2]], b: [0.1, 0, -0.1] },
    { W: [[0.6, -0.3, 0.2]], b: [0.05] },
  ];

  /** The network's output for one input: tanh hidden layer, linear output. */
  forward(x: number[]): number {
    const [hidden, out] = this.layers;
    const h = hidden.W.map((row, i) => Math.tanh(row.reduce((s, w, j) => s + w * x[j], hidden.b[i])));
    return out.W[0].reduce((s, w, j) => s + w * h[j], out.b[0]);
  }

  /**
   * Half the squared error over a small data set, as a function of every weight of the network.
   * @dlens-wrt this.layers
   * @dlens-at X = [[0.5, -1], [1, 0.25], [-0.75, 0.5]]
   * @dlens-at t = [0.2, -0.4, 0.6]
   */
  loss(X: number[][], t: number[]): number {
    let sum = 0;
    for (let i = 0; i < X.length; i++) {
      const e = this.forward(X[i]) - t[i];
      sum += 0.5 * e * e;
    }
    return sum;
  }
}
