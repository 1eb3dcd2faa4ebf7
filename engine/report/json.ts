// The CLI's JSON: NaN and ±Infinity written as the strings "NaN", "Infinity", "-Infinity", so they stay distinguishable from each other and from null.

export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2);
}
