import { describe, expect, it } from 'vitest';
import { lengthStats } from './lengthStats';

describe('lengthStats', () => {
  it('computes count, min, max, mean and nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
    const s = lengthStats(values);
    expect(s).toMatchObject({ count: 100, min: 1, max: 100, mean: 50.5, p50: 50, p90: 90, p99: 99 });
    expect(lengthStats([5, 1, 3])).toMatchObject({ p50: 3, p90: 5, p99: 5, mean: 3 });
    expect(lengthStats(new Uint32Array([7]))).toMatchObject({ count: 1, min: 7, max: 7, p50: 7, p99: 7 });
  });
  it('buckets on nice edges, at most the requested number, covering every value once', () => {
    const values = Array.from({ length: 1000 }, (_, i) => 13 + ((i * 7919) % 4000));
    const s = lengthStats(values);
    expect(s.histogram.length).toBeLessThanOrEqual(20);
    const step = (s.histogram[0] as { hi: number; lo: number }).hi - (s.histogram[0] as { lo: number }).lo;
    expect([1, 2, 5].map((m) => m * 10 ** Math.floor(Math.log10(step)))).toContain(step);
    for (const b of s.histogram) {
      expect(b.lo % step).toBe(0);
      expect(b.hi - b.lo).toBe(step);
    }
    expect(s.histogram.reduce((a, b) => a + b.count, 0)).toBe(1000);
    expect((s.histogram[0] as { lo: number }).lo).toBeLessThanOrEqual(s.min);
    expect((s.histogram.at(-1) as { hi: number }).hi).toBeGreaterThanOrEqual(s.max);
  });
  it('puts a max on the last edge in the last bucket', () => {
    const s = lengthStats([0, 100], 10);
    expect(s.histogram).toHaveLength(10);
    expect(s.histogram[0]).toEqual({ lo: 0, hi: 10, count: 1 });
    expect(s.histogram[9]).toEqual({ lo: 90, hi: 100, count: 1 });
  });
  it('handles equal values, fractions and empty input', () => {
    expect(lengthStats([4, 4, 4]).histogram).toEqual([{ lo: 4, hi: 5, count: 3 }]);
    const f = lengthStats([0.1, 0.25, 0.9], 4);
    expect(f.histogram.map((b) => [b.lo, b.hi])).toEqual([[0, 0.5], [0.5, 1]]); // step 0.2 would need 5 buckets
    expect(f.histogram.reduce((a, b) => a + b.count, 0)).toBe(3);
    expect(lengthStats([])).toEqual({ count: 0, min: 0, max: 0, mean: 0, p50: 0, p90: 0, p99: 0, histogram: [] });
    expect(() => lengthStats([1], 0)).toThrow(/buckets/);
  });
});
