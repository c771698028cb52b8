import { describe, expect, it } from 'vitest';
import { mcnemarExact, pairedBootstrap, verdict } from './stats';

const bools = (s: string) => [...s].map((c) => c === '1');

describe('McNemar exact test', () => {
  it('matches the binomial p-value computed by hand', () => {
    // 1 pair only A passes, 9 only B: p = 2 * P(X ≤ 1 | n=10, 1/2) = 2 * 11/1024
    const a = bools('1' + '0'.repeat(9) + '11');
    const b = bools('0' + '1'.repeat(9) + '11');
    const r = mcnemarExact(a, b);
    expect(r).toMatchObject({ onlyA: 1, onlyB: 9, bothPass: 2, bothFail: 0 });
    expect(r.pValue).toBeCloseTo((2 * 11) / 1024, 12);
  });

  it('equal discordant counts give p = 1, and no discordant pairs give p = 1', () => {
    expect(mcnemarExact(bools('10'), bools('01')).pValue).toBe(1);
    expect(mcnemarExact(bools('1100'), bools('1100')).pValue).toBe(1);
  });

  it('agrees with scipy.stats.binomtest for a larger table (12 vs 2 → p = 0.01293...)', () => {
    // binomtest(2, 14, 0.5).pvalue = 0.012939453125
    const a = [...Array(12).fill(false), ...Array(2).fill(true)];
    const b = [...Array(12).fill(true), ...Array(2).fill(false)];
    expect(mcnemarExact(a, b).pValue).toBeCloseTo(0.012939453125, 12);
  });

  it('refuses unpaired input', () => {
    expect(() => mcnemarExact([true], [true, false])).toThrow(/paired/);
  });
});

describe('paired bootstrap', () => {
  it('gives the exact mean difference and an interval around it, deterministic by seed', () => {
    const a = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8];
    const b = a.map((x) => x + 0.2);
    const r = pairedBootstrap(a, b, { seed: 7 });
    expect(r.meanDiff).toBeCloseTo(0.2, 12);
    // Every difference is exactly 0.2, so every resample is too.
    expect(r.low).toBeCloseTo(0.2, 12);
    expect(r.high).toBeCloseTo(0.2, 12);
    expect(verdict(r)).toBe('B better');
    expect(pairedBootstrap(a, b, { seed: 7 })).toEqual(r);
  });

  it('does not claim a winner from noise', () => {
    const a = [1, 0, 1, 0, 1, 0, 1, 0, 1, 0];
    const b = [0, 1, 0, 1, 0, 1, 0, 1, 1, 0];
    const r = pairedBootstrap(a, b, { seed: 3 });
    expect(r.low).toBeLessThan(0);
    expect(r.high).toBeGreaterThan(0);
    expect(verdict(r)).toBe('no significant difference');
  });

  it('detects a consistent improvement with noise', () => {
    const a = Array.from({ length: 60 }, (_, i) => 0.5 + 0.1 * Math.sin(i));
    const b = a.map((x, i) => x + 0.05 + 0.02 * Math.cos(i * 3));
    const r = pairedBootstrap(a, b);
    expect(r.low).toBeGreaterThan(0);
    expect(r.pNotBetter).toBe(0);
  });
});
