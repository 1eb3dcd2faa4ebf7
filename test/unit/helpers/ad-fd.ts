// Finite differences for the AD tests: central differences refined by Richardson extrapolation.

/** f'(x) from D(h) = (f(x+h) − f(x−h))/2h: (4 D(h/2) − D(h))/3 cancels the h² term, leaving O(h⁴). */
export function richardson(f: (x: number) => number, x: number, h: number): number {
  const central = (s: number) => (f(x + s) - f(x - s)) / (2 * s);
  return (4 * central(h / 2) - central(h)) / 3;
}

/** ∂f/∂x_i at x by `richardson` along coordinate i (x is not modified). */
export function partial(f: (x: Float64Array) => number, x: Float64Array, i: number, h: number): number {
  const y = Float64Array.from(x);
  return richardson(
    (t) => {
      y[i] = t;
      return f(y);
    },
    x[i],
    h,
  );
}

/** |actual − expected| ≤ atol + rtol·|expected|, with a message naming what was compared. */
export function close(actual: number, expected: number, rtol: number, atol: number, what: string): string | undefined {
  const ok = Math.abs(actual - expected) <= atol + rtol * Math.abs(expected);
  return ok ? undefined : `${what}: got ${actual}, expected ${expected} (diff ${Math.abs(actual - expected).toExponential(2)})`;
}
