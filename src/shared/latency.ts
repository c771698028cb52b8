// Streaming latency metrics as vLLM's benchmark_serving defines them, so numbers shown here compare with
// numbers people get from `vllm bench serve`. Pure: runs in the core and in the renderer.

export interface LatencyTimeline {
  /** When the request was sent (performance.now() ms). */
  startMs: number;
  /** Absolute arrival times of each stream chunk that carried content, in arrival order. */
  chunkTimesMs: readonly number[];
  /** Completion tokens, from the server's usage when it reports them. */
  outputTokens: number;
  /** When the stream ended. */
  endMs: number;
}

export interface LatencyMetrics {
  /** Time to first token: first content chunk − start; null when no content arrived. */
  ttftMs: number | null;
  /** End-to-end latency: end − start. */
  e2eMs: number;
  /** Inter-token latencies: gaps between consecutive content chunks. */
  itlMs: number[];
  /** Time per output token after the first: (E2E − TTFT) / (outputTokens − 1); null for ≤ 1 token. */
  tpotMs: number | null;
}

export function latencyMetrics(t: LatencyTimeline): LatencyMetrics {
  const chunks = t.chunkTimesMs;
  const first = chunks[0];
  const ttftMs = first === undefined ? null : first - t.startMs;
  const e2eMs = t.endMs - t.startMs;
  const itlMs: number[] = [];
  for (let i = 1; i < chunks.length; i++) itlMs.push(chunks[i]! - chunks[i - 1]!);
  const tpotMs = ttftMs !== null && t.outputTokens > 1 ? (e2eMs - ttftMs) / (t.outputTokens - 1) : null;
  return { ttftMs, e2eMs, itlMs, tpotMs };
}

export interface LatencySummary {
  count: number;
  mean: number | null;
  median: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  min: number | null;
  max: number | null;
}

/** numpy's `_lerp`: the second form for t ≥ 0.5 keeps the result exact at the upper end. */
function lerp(a: number, b: number, t: number): number {
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/**
 * `np.percentile(values, p)` with the default 'linear' method, on values sorted ascending.
 * Index (n − 1)·q and numpy's two-sided lerp, in numpy's order of operations, so results match bit for bit.
 */
export function percentileSorted(sorted: readonly number[], p: number): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const q = p / 100;
  const virtual = Math.min(Math.max((n - 1) * q, 0), n - 1);
  const below = Math.floor(virtual);
  const above = Math.min(below + 1, n - 1);
  return lerp(sorted[below]!, sorted[above]!, virtual - below);
}

/** Mean, numpy-style median and linear-interpolated percentiles, as benchmark_serving reports them. */
export function summarize(values: readonly number[]): LatencySummary {
  const finite = values.filter((v) => Number.isFinite(v));
  const count = finite.length;
  if (count === 0) return { count, mean: null, median: null, p90: null, p95: null, p99: null, min: null, max: null };
  const sorted = [...finite].sort((a, b) => a - b);
  let sum = 0;
  for (const v of sorted) sum += v;
  const mid = Math.floor(count / 2);
  const median = count % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return {
    count,
    mean: sum / count,
    median,
    p90: percentileSorted(sorted, 90),
    p95: percentileSorted(sorted, 95),
    p99: percentileSorted(sorted, 99),
    min: sorted[0]!,
    max: sorted[count - 1]!,
  };
}
