// Summary of row lengths (characters or tokens) for the dataset quality view: nearest-rank percentiles and a
// histogram on "nice" edges (steps of 1, 2 or 5 × 10ⁿ) so bucket labels read as round numbers.

export interface LengthStats {
  count: number;
  min: number;
  max: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  histogram: { lo: number; hi: number; count: number }[];
}

/** Smallest nice step (1, 2, 5 × 10ⁿ) that is ≥ `raw`. */
function niceStep(raw: number): number {
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw * (1 - 1e-12)) return m * p;
  return 10 * p;
}

const nextNice = (step: number): number => niceStep(step * 1.0000001);
/** Rounds away float noise from lo + k·step (e.g. 0.30000000000000004). */
const clean = (x: number): number => Number(x.toPrecision(12));

/**
 * Stats of `values` (NaN is ignored). Percentiles are nearest-rank: the smallest value with at least p% of
 * values ≤ it. The histogram has at most `buckets` buckets [lo, hi), the last one closed. No values: all
 * numbers 0 and an empty histogram.
 */
export function lengthStats(values: ArrayLike<number>, buckets = 20): LengthStats {
  if (!Number.isInteger(buckets) || buckets < 1) throw new Error(`buckets must be a positive integer, got ${buckets}`);
  const sorted = new Float64Array(values.length);
  let n = 0;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (Number.isNaN(v)) continue;
    sorted[n++] = v;
    sum += v;
  }
  if (n === 0) return { count: 0, min: 0, max: 0, mean: 0, p50: 0, p90: 0, p99: 0, histogram: [] };
  const xs = sorted.subarray(0, n).sort();
  const rank = (p: number): number => xs[Math.max(0, Math.ceil((p / 100) * n) - 1)] as number;
  const min = xs[0] as number;
  const max = xs[n - 1] as number;

  let step = max > min ? niceStep((max - min) / buckets) : 1;
  let lo = Math.floor(min / step) * step;
  let k = Math.max(1, Math.ceil((max - lo) / step));
  while (k > buckets) {
    step = nextNice(step);
    lo = Math.floor(min / step) * step;
    k = Math.max(1, Math.ceil((max - lo) / step));
  }
  // max on the last edge goes into the last bucket (closed); max beyond it needs its own bucket.
  if (lo + k * step <= max && k < buckets) k++;
  const histogram = Array.from({ length: k }, (_, i) => ({ lo: clean(lo + i * step), hi: clean(lo + (i + 1) * step), count: 0 }));
  for (let i = 0; i < n; i++) {
    const b = Math.min(k - 1, Math.floor(((xs[i] as number) - lo) / step));
    (histogram[b] as { count: number }).count++;
  }
  return { count: n, min, max, mean: sum / n, p50: rank(50), p90: rank(90), p99: rank(99), histogram };
}
