// Statistics the benchmarks share.

/** The median of `xs` (the mean of the middle two for an even count), or null when empty. */
export function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The geometric mean of positive `xs` (1, the empty product's, when empty): how ratios are averaged. */
export function geometricMean(xs: number[]): number {
  return Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / Math.max(1, xs.length));
}
