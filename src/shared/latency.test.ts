import { describe, expect, it } from 'vitest';
import { latencyMetrics, percentileSorted, summarize } from './latency';

describe('latencyMetrics (benchmark_serving definitions)', () => {
  it('computes TTFT, E2E, ITL and TPOT from a hand-made timeline', () => {
    // Sent at 1000; content chunks at 1120, 1160, 1200, 1250; stream ended at 1260; 4 tokens.
    const m = latencyMetrics({ startMs: 1000, chunkTimesMs: [1120, 1160, 1200, 1250], outputTokens: 4, endMs: 1260 });
    expect(m.ttftMs).toBe(120);
    expect(m.e2eMs).toBe(260);
    expect(m.itlMs).toEqual([40, 40, 50]);
    // (260 − 120) / (4 − 1)
    expect(m.tpotMs).toBeCloseTo(140 / 3, 12);
  });

  it('uses the token count, not the chunk count, for TPOT (a chunk may carry several tokens)', () => {
    const m = latencyMetrics({ startMs: 0, chunkTimesMs: [100, 200], outputTokens: 11, endMs: 300 });
    expect(m.itlMs).toEqual([100]);
    expect(m.tpotMs).toBe(20);
  });

  it('has no TPOT for a single token and no TTFT without content', () => {
    expect(latencyMetrics({ startMs: 5, chunkTimesMs: [55], outputTokens: 1, endMs: 60 })).toEqual({
      ttftMs: 50,
      e2eMs: 55,
      itlMs: [],
      tpotMs: null,
    });
    expect(latencyMetrics({ startMs: 5, chunkTimesMs: [], outputTokens: 0, endMs: 60 })).toEqual({
      ttftMs: null,
      e2eMs: 55,
      itlMs: [],
      tpotMs: null,
    });
  });
});

describe('summarize (numpy semantics)', () => {
  it('interpolates percentiles linearly like np.percentile', () => {
    // Hand-computed: index = p/100·(n−1); p90 → 2.7 → 30 + 0.7·10.
    const s = summarize([40, 10, 30, 20]);
    expect(s).toMatchObject({ count: 4, mean: 25, median: 25, p90: 37, p95: 38.5, min: 10, max: 40 });
    // np.percentile([10,20,30,40], 99) prints 39.699999999999996: same bits, not just close.
    expect(s.p99).toBe(39.699999999999996);
  });

  it('matches numpy on an odd-length unsorted sample', () => {
    // numpy: mean 24.15, median 7.0, p90 63.60000000000001, p95 81.79999999999998, p99 96.36
    const s = summarize([3.5, 1.25, 9, 100, 7]);
    expect(s.mean).toBeCloseTo(24.15, 12);
    expect(s.median).toBe(7);
    expect(s.p90).toBe(63.60000000000001);
    expect(s.p95).toBe(81.79999999999998);
    expect(s.p99).toBe(96.36);
    expect([s.min, s.max]).toEqual([1.25, 100]);
  });

  it('hits sample points exactly where the index is whole', () => {
    const s = summarize([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect([s.median, s.p90, s.p95, s.p99]).toEqual([6, 10, 10.5, 10.9]);
  });

  it('handles one value and no values', () => {
    expect(summarize([42])).toEqual({ count: 1, mean: 42, median: 42, p90: 42, p95: 42, p99: 42, min: 42, max: 42 });
    expect(summarize([])).toEqual({ count: 0, mean: null, median: null, p90: null, p95: null, p99: null, min: null, max: null });
    expect(percentileSorted([], 50)).toBeNull();
  });

  it('ignores non-finite values', () => {
    expect(summarize([Number.NaN, 2, Number.POSITIVE_INFINITY, 4]).mean).toBe(3);
  });
});
