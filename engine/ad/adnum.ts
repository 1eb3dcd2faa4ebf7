// An active scalar: a tape node id and its value. Behaves as its value wherever JavaScript converts it to a primitive.

export class ADNum {
  constructor(
    readonly id: number,
    readonly v: number,
  ) {}

  /** Comparisons (<, >=), template strings and untouched arithmetic see the value. */
  valueOf(): number {
    return this.v;
  }

  toString(radix?: number): string {
    return this.v.toString(radix);
  }

  toFixed(digits?: number): string {
    return this.v.toFixed(digits);
  }

  toPrecision(precision?: number): string {
    return this.v.toPrecision(precision);
  }

  toExponential(digits?: number): string {
    return this.v.toExponential(digits);
  }

  toLocaleString(locales?: string | string[], options?: Intl.NumberFormatOptions): string {
    return this.v.toLocaleString(locales, options);
  }

  toJSON(): number {
    return this.v;
  }
}

export function isAD(x: unknown): x is ADNum {
  return x instanceof ADNum;
}

/** An active scalar's value; anything else unchanged (for JavaScript's own operators and predicates). */
export function plainValue(x: unknown): unknown {
  return x instanceof ADNum ? x.v : x;
}
