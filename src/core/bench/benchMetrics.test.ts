// Metric definitions against hand-computed timelines: vLLM benchmark_serving's TTFT, TPOT, ITL, E2EL,
// throughputs over the cell's wall-clock, and goodput under SLOs.
import { describe, expect, it } from 'vitest';
import { Slo } from '../../shared/bench.schema';
import { cdfSamples, cellDurationMs, cellMetrics, dist, type RequestSample } from './benchMetrics';

const noSlo = Slo.parse({ ttftMs: null, tpotMs: null, e2elMs: null });

function req(sentMs: number, chunks: number[], e2eMs: number, outputTokens: number, promptTokens = 10, ok = true): RequestSample {
  return { ok, error: ok ? null : 'boom', sentMs, chunkTimesMs: chunks, e2eMs, promptTokens, outputTokens, decodeTokPerSec: null };
}

describe('cell metrics', () => {
  // A: sent at 0, chunks at 100, 120, 150, ends at 160, 4 tokens → TTFT 100, TPOT (160−100)/3 = 20, ITL 20, 30.
  // B: sent at 50, chunks at 200, 210, ends at 220, 2 tokens → TTFT 200, TPOT 20/1 = 20, ITL 10.
  // C: sent at 60, one chunk at 40, ends at 50, 1 token → TTFT 40, no TPOT, no ITL.
  const a = req(0, [100, 120, 150], 160, 4);
  const b = req(50, [200, 210], 220, 2, 20);
  const c = req(60, [40], 50, 1, 5);

  it('derives TTFT, TPOT (first token excluded), pooled ITL and E2EL as vLLM does', () => {
    const m = cellMetrics([a, b, c], noSlo, { local: false });
    expect(m.completed).toBe(3);
    expect(m.failed).toBe(0);
    expect(m.ttftMs.mean).toBeCloseTo((100 + 200 + 40) / 3, 10);
    expect(m.ttftMs.median).toBe(100);
    expect(m.tpotMs).toEqual(dist([20, 20]));
    expect(m.itlMs).toEqual(dist([20, 30, 10]));
    expect(m.itlMs.median).toBe(20);
    expect(m.e2elMs.median).toBe(160);
    // numpy linear percentiles on [50, 160, 220]: index 1.8 → 160 + 0.8·60.
    expect(m.e2elMs.p90).toBeCloseTo(208, 10);
    expect(m.ttftSamples).toEqual([40, 100, 200]);
  });

  it('computes throughput over first send to last finish', () => {
    // Last finish: B at 50 + 220 = 270 ms; first send 0 → 0.27 s.
    expect(cellDurationMs([a, b, c])).toBe(270);
    const m = cellMetrics([a, b, c], noSlo, { local: false });
    expect(m.durationSec).toBeCloseTo(0.27, 12);
    expect(m.totalInputTokens).toBe(35);
    expect(m.totalOutputTokens).toBe(7);
    expect(m.requestThroughput).toBeCloseTo(3 / 0.27, 9);
    expect(m.outputThroughput).toBeCloseTo(7 / 0.27, 9);
    expect(m.totalTokenThroughput).toBeCloseTo(42 / 0.27, 9);
    expect(m.goodput).toBeNull();
    expect(m.goodputPct).toBeNull();
  });

  it('counts failed requests apart and keeps them out of the latencies and token counts', () => {
    const m = cellMetrics([a, req(10, [], 400, 0, 99, false)], noSlo, { local: false });
    expect(m.completed).toBe(1);
    expect(m.failed).toBe(1);
    expect(m.totalInputTokens).toBe(10);
    expect(m.e2elMs.median).toBe(160);
    // The failed request still spans the wall-clock: 10 + 400.
    expect(m.durationSec).toBeCloseTo(0.41, 12);
  });

  it('counts goodput as requests meeting every SLO per second', () => {
    // TTFT ≤ 150 passes A and C; TPOT ≤ 25 passes A, B (C has none: 0, as vLLM); E2EL ≤ 200 passes A, C.
    const m = cellMetrics([a, b, c], Slo.parse({ ttftMs: 150, tpotMs: 25, e2elMs: 200 }), { local: false });
    expect(m.goodput).toBeCloseTo(2 / 0.27, 9);
    expect(m.goodputPct).toBeCloseTo((2 * 100) / 3, 9);
    const strict = cellMetrics([a, b, c], Slo.parse({ ttftMs: 150, tpotMs: 19, e2elMs: null }), { local: false });
    // A and B fail TPOT 20 > 19; C (single token) passes.
    expect(strict.goodputPct).toBeCloseTo(100 / 3, 9);
  });

  it('reports pp/tg rates for local targets from medians', () => {
    const local = [{ ...a, decodeTokPerSec: 50 }, { ...b, decodeTokPerSec: 40 }, c];
    const m = cellMetrics(local, noSlo, { local: true });
    // pp per request: 10/0.1 = 100, 20/0.2 = 100, 5/0.04 = 125 → median 100.
    expect(m.ppTokPerSec).toBeCloseTo(100, 9);
    // tg: 50, 40 (C has no decode) → median 45.
    expect(m.tgTokPerSec).toBeCloseTo(45, 9);
    expect(cellMetrics(local, noSlo, { local: false }).ppTokPerSec).toBeNull();
  });

  it('reports zeros for an empty cell and caps CDF samples', () => {
    const m = cellMetrics([], noSlo, { local: false });
    expect(m.ttftMs).toEqual({ mean: 0, median: 0, p90: 0, p95: 0, p99: 0 });
    expect(m.requestThroughput).toBe(0);
    const many = Array.from({ length: 5000 }, (_, i) => 5000 - i);
    const s = cdfSamples(many, 2000);
    expect(s).toHaveLength(2000);
    expect(s[0]).toBe(1);
    expect(s.at(-1)).toBe(5000);
  });
});
