/** Order statistics for small samples: the median and the spread we report for every figure. */

export interface Summary {
  n: number;
  median: number;
  p10: number;
  p90: number;
  min: number;
  max: number;
}

/** Linear interpolation between closest ranks (the same as numpy's default), q in [0, 1]. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const a = sorted[lower]!;
  const b = sorted[upper]!;
  return a + (b - a) * (position - lower);
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((x, y) => x - y);
  return {
    n: sorted.length,
    median: quantile(sorted, 0.5),
    p10: quantile(sorted, 0.1),
    p90: quantile(sorted, 0.9),
    min: sorted[0] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

/** "12.3 ms (p10 11.9 – p90 13.0)" */
export function formatMs(s: Summary, digits = 1): string {
  return `${s.median.toFixed(digits)} ms (${s.p10.toFixed(digits)}–${s.p90.toFixed(digits)})`;
}

export function ratio(a: Summary, b: Summary): string {
  return `${(a.median / b.median).toFixed(2)}×`;
}
