import { describe, expect, it } from 'vitest';
import type { BenchResult, LoadShape } from '../../../shared/bench.schema';
import { breakEvenRange, byTarget, capacityCell, cdfColors, cdfPoints, cdfRange, formatCalls, formatMoney, overlay, parseLoads, profileKey, shade, sweepCurves } from './benchCharts';
import { breakEvenView, costLatencyPoints, targetCosts } from './benchCosts';

const dist = { mean: 10, median: 10, p90: 12, p95: 13, p99: 14 };
function cell(targetKey: string, load: LoadShape, extra: Partial<BenchResult> = {}): BenchResult {
  return {
    targetKey, targetLabel: targetKey.toUpperCase(), load, completed: 10, failed: 0, durationSec: 5, totalInputTokens: 1000, totalOutputTokens: 500,
    requestThroughput: 2, outputThroughput: 100, totalTokenThroughput: 300, goodput: 2, goodputPct: 100, ttftMs: dist, tpotMs: dist, itlMs: dist, e2elMs: dist,
    ppTokPerSec: null, tgTokPerSec: null, ttftSamples: [], e2elSamples: [], errors: [], ...extra,
  };
}
const c = (n: number): LoadShape => ({ kind: 'concurrency', concurrency: n });

describe('cdfPoints', () => {
  it('steps through sorted samples up to 1', () => {
    expect(cdfPoints([5, 7, 9, 11])).toEqual([{ x: 5, y: 0.25 }, { x: 7, y: 0.5 }, { x: 9, y: 0.75 }, { x: 11, y: 1 }]);
    expect(cdfPoints([])).toEqual([]);
  });
  it('thins long series evenly, keeping both ends', () => {
    const samples = Array.from({ length: 2000 }, (_, i) => i);
    const pts = cdfPoints(samples, 100);
    expect(pts).toHaveLength(100);
    expect(pts[0]).toEqual({ x: 0, y: 1 / 2000 });
    expect(pts[99]).toEqual({ x: 1999, y: 1 });
    expect(pts.every((p, i) => i === 0 || p.x > (pts[i - 1] as { x: number }).x)).toBe(true);
  });
});

describe('sweep curves', () => {
  it('one curve per target, sorted by concurrency', () => {
    const rs = [cell('a', c(4), { outputThroughput: 300 }), cell('b', c(1)), cell('a', c(1), { outputThroughput: 90 })];
    expect(sweepCurves(rs, (r) => r.outputThroughput)).toEqual([
      { key: 'a', label: 'A', points: [{ x: 1, y: 90 }, { x: 4, y: 300 }] },
      { key: 'b', label: 'B', points: [{ x: 1, y: 100 }] },
    ]);
  });
  it('skips missing values (goodput without SLOs)', () => {
    expect(sweepCurves([cell('a', c(1), { goodputPct: null })], (r) => r.goodputPct)[0]?.points).toEqual([]);
  });
});

describe('parseLoads', () => {
  it('reads a concurrency sweep, dropping duplicates', () => {
    expect(parseLoads('1, 2 4;2', 'concurrency')).toEqual({ ok: true, loads: [c(1), c(2), c(4)] });
  });
  it('reads request rates with a cap', () => {
    expect(parseLoads('0.5 1', 'rate', 8)).toEqual({ ok: true, loads: [{ kind: 'rate', requestsPerSec: 0.5, maxConcurrency: 8 }, { kind: 'rate', requestsPerSec: 1, maxConcurrency: 8 }] });
  });
  it('names the bad entry', () => {
    expect(parseLoads('1, 1.5', 'concurrency')).toEqual({ ok: false, message: '“1.5” is not a concurrency from 1 to 1024.' });
    expect(parseLoads('', 'rate').ok).toBe(false);
  });
});

describe('capacity and overlay', () => {
  it('prices hardware at the busiest cell that met the SLOs', () => {
    const cells = [cell('a', c(1), { requestThroughput: 1 }), cell('a', c(2), { requestThroughput: 1.8 }), cell('a', c(4), { requestThroughput: 2.5, goodputPct: 40 })];
    expect(capacityCell(cells)?.load).toEqual(c(2));
    expect(capacityCell([cell('a', c(1), { completed: 0 })])).toBeNull();
  });
  it('overlays two runs under marked keys that map back to one profile', () => {
    const rs = overlay({ name: 'old', results: [cell('a', c(1))] }, { name: 'new', results: [cell('a', c(1))] });
    expect(rs.map((r) => [r.targetKey, r.targetLabel])).toEqual([['A:a', 'A · old'], ['B:a', 'A · new']]);
    expect(byTarget(rs)).toHaveLength(2);
    expect(profileKey('B:a')).toBe('a');
    expect(profileKey('remote:01H:gpt')).toBe('remote:01H:gpt');
  });
});

describe('break-even', () => {
  const server = { profile: { kind: 'server' as const, currency: '$', purchasePrice: 36_000, amortizationMonths: 36, powerWatts: 0, electricityPerKwh: 0, hostingPerMonth: 0, utilization: 1 } };
  const apiP = { profile: { kind: 'api' as const, currency: '$', inputPer1M: 1, outputPer1M: 2 } };
  it('marks where a per-token API starts to cost more than a server', () => {
    // API: (100 × 1 + 50 × 2) / 1e6 = $0.0002 per call; server: $1,000 a month → 5M calls.
    const costs = targetCosts([cell('local', c(1)), cell('api', c(1))], { local: server, api: apiP });
    const v = breakEvenView(costs, 100_000);
    expect(v.pairs).toHaveLength(1);
    expect(v.pairs[0]?.callsPerMonth).toBeCloseTo(5_000_000, -1);
    expect(v.pairs[0]?.cheaperBelow).toBe('API');
    expect(v.crossings[0]?.x).toBeCloseTo(5_000_000, -1);
    expect(v.maxCalls).toBeGreaterThanOrEqual(5_000_000);
    expect(v.series.map((s) => s.points.length > 2)).toEqual([true, true]);
    // A cheaper server moves the crossing down.
    const cheaper = breakEvenView(targetCosts([cell('local', c(1)), cell('api', c(1))], { local: { profile: { ...server.profile, purchasePrice: 18_000 } }, api: apiP }), 100_000);
    expect(cheaper.pairs[0]?.callsPerMonth).toBeCloseTo(2_500_000, -1);
  });
  it('reports different currencies instead of a number', () => {
    const costs = targetCosts([cell('local', c(1)), cell('api', c(1))], { local: server, api: { profile: { ...apiP.profile, currency: '¥' } } });
    expect(breakEvenView(costs, 1000).pairs[0]?.problem).toMatch(/currencies/);
  });
  it('widens the range to show far crossings', () => {
    expect(breakEvenRange(100_000, [])).toBe(200_000);
    expect(breakEvenRange(100_000, [1_000_000])).toBe(1_500_000);
  });
});

describe('formatting', () => {
  it('money and calls', () => {
    expect(formatMoney(1234.5, '$')).toBe('$1,235');
    expect(formatMoney(12.345, '¥')).toBe('¥12.35');
    expect(formatMoney(0.0001234, '$')).toBe('$0.000123');
    expect(formatMoney(Infinity, '$')).toBe('∞');
    expect(formatCalls(100_000)).toBe('100k');
    expect(formatCalls(2_500_000)).toBe('2.5M');
  });
});

describe('cdf colours and range', () => {
  const cell = (targetKey: string, concurrency: number): BenchResult => ({ targetKey, targetLabel: targetKey, load: { kind: 'concurrency', concurrency } }) as unknown as BenchResult;
  it('give each load of one target its own colour', () => {
    const c = cdfColors([cell('a', 1), cell('a', 2), cell('a', 4)]);
    expect(new Set(c.values()).size).toBe(3);
  });
  it('keep targets apart and loads apart when there are several targets', () => {
    const c = cdfColors([cell('a', 1), cell('a', 4), cell('b', 1), cell('b', 4)]);
    expect(new Set(c.values()).size).toBe(4);
    expect(shade('#000000', 0.5)).toBe('#808080');
    expect(shade('#ffffff', -0.5)).toBe('#808080');
  });
  it('cut the axis short of one far outlier and count what it leaves out', () => {
    const line = [...Array.from({ length: 49 }, (_, i) => 100 + i), 9000];
    const r = cdfRange([line]);
    expect(r.max).not.toBeNull();
    expect(r.max!).toBeLessThan(200);
    expect(r.hidden).toBe(1);
    expect(r.slowest).toBe(9000);
  });
  it('leave an even spread alone', () => {
    expect(cdfRange([Array.from({ length: 50 }, (_, i) => 100 + i * 10)]).max).toBeNull();
  });
});

describe('cost vs latency points', () => {
  const apiP = { profile: { kind: 'api' as const, currency: '$', inputPer1M: 1, outputPer1M: 2 } };
  it('are empty until a target has a price, so the chart can be hidden', () => {
    expect(costLatencyPoints([cell('api', c(1)), cell('api', c(4))], {}, 'e2el')).toEqual([]);
  });
  it('say which load each point was measured at', () => {
    const groups = costLatencyPoints([cell('api', c(1)), cell('api', c(4))], { api: apiP }, 'e2el');
    expect(groups).toHaveLength(1);
    expect(groups[0]?.points.map((p) => p.load)).toEqual(['c=1', 'c=4']);
    expect(groups[0]?.currency).toBe('$');
  });
});

describe('cdf range on a small sample', () => {
  it('does not cut a second mode or a modest tail', () => {
    expect(cdfRange([[6, 7, 9, 10, 12, 13], [60, 61, 62, 63, 64, 82]]).max).toBeNull();
    expect(cdfRange([[6, 7, 9, 10, 64, 82]]).max).toBeNull();
  });
});
