// Seeded randomness for the checks (which coordinates to sample, which direction to probe), so a run is repeatable.

/** Uniform numbers in [0, 1) from a 32-bit seed (mulberry32: small, fast, good enough for choosing probes). */
export function seededUniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `k` distinct integers of [0, n), ascending (Floyd's algorithm: O(k) draws whatever n is). */
export function sampleWithoutReplacement(n: number, k: number, uniform: () => number): Int32Array {
  if (k >= n) return Int32Array.from({ length: n }, (_, i) => i);
  const chosen = new Set<number>();
  for (let j = n - k; j < n; j++) {
    const t = Math.floor(uniform() * (j + 1));
    chosen.add(chosen.has(t) ? j : t);
  }
  return Int32Array.from([...chosen].sort((a, b) => a - b));
}

/** A vector of random ±1: every entry takes part in a directional derivative with the same weight. */
export function rademacher(n: number, uniform: () => number): Float64Array {
  const u = new Float64Array(n);
  for (let i = 0; i < n; i++) u[i] = uniform() < 0.5 ? -1 : 1;
  return u;
}
