import { describe, expect, it } from 'vitest';
import { poissonSchedule, syntheticPrompt } from './arrivals';

describe('Poisson arrivals', () => {
  it('draws exponential gaps with mean 1/rate, deterministically by seed', () => {
    const rate = 20;
    const s = poissonSchedule(20_001, rate, 7);
    expect(s[0]).toBe(0);
    const gaps = s.slice(1).map((t, i) => t - (s[i] as number));
    const mean = gaps.reduce((x, y) => x + y, 0) / gaps.length;
    // 20,000 exponential draws: the mean's standard error is 50/√20000 ≈ 0.35 ms.
    expect(mean).toBeGreaterThan(48.5);
    expect(mean).toBeLessThan(51.5);
    // Exponential: standard deviation ≈ mean, and P(gap > mean) ≈ e^-1.
    const sd = Math.sqrt(gaps.reduce((x, g) => x + (g - mean) ** 2, 0) / gaps.length);
    expect(sd / mean).toBeGreaterThan(0.95);
    expect(sd / mean).toBeLessThan(1.05);
    expect(gaps.filter((g) => g > 50).length / gaps.length).toBeCloseTo(Math.exp(-1), 1);
    expect(gaps.every((g) => g >= 0)).toBe(true);
    expect(poissonSchedule(100, rate, 7)).toEqual(s.slice(0, 100));
    expect(poissonSchedule(100, rate, 8)).not.toEqual(s.slice(0, 100));
  });

  it('builds synthetic prompts of about the asked length, the same for the same seed and index', () => {
    const p = syntheticPrompt(128, 0, 3);
    const words = p.split(' ').length;
    expect(words).toBeGreaterThan(110);
    expect(words).toBeLessThan(140);
    expect(syntheticPrompt(128, 0, 3)).toBe(p);
    expect(syntheticPrompt(128, 0, 4)).not.toBe(p);
  });
});
