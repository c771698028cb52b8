import { describe, expect, it } from 'vitest';
import type { CostProfile } from './bench.schema';
import { breakEven, estimateCost, monthlyCurve, SECONDS_PER_MONTH, tokenMix, type TokenMix } from './costModel';

// A month: 30.44 d × 24 h = 730.56 h = 2,630,016 s.
const mix: TokenMix = { inputTokensPerRequest: 500, outputTokensPerRequest: 200 };

// $0.50 per 1M input, $1.50 per 1M output.
const api = estimateCost({ kind: 'api', currency: '$', inputPer1M: 0.5, outputPer1M: 1.5 }, { requestThroughput: 3, totalTokenThroughput: 2100 }, mix);

// $2,000 GPU box over 24 months, 300 W at $0.15/kWh, $20 hosting, 4 req/s × 700 tokens = 2,800 tok/s, 50 % busy.
const gpuProfile: CostProfile = { kind: 'server', currency: '$', purchasePrice: 2000, amortizationMonths: 24, powerWatts: 300, electricityPerKwh: 0.15, hostingPerMonth: 20, utilization: 0.5 };
const gpu = estimateCost(gpuProfile, { requestThroughput: 4, totalTokenThroughput: 2800 }, mix);

// ¥36,000 edge box over 36 months, 20 W at ¥30/kWh, no hosting, 0.5 req/s × 400 tokens = 200 tok/s, busy all month.
const edgeMix: TokenMix = { inputTokensPerRequest: 300, outputTokensPerRequest: 100 };
const edge = estimateCost(
  { kind: 'edge', currency: '¥', purchasePrice: 36_000, amortizationMonths: 36, powerWatts: 20, electricityPerKwh: 30, hostingPerMonth: 0, utilization: 1 },
  { requestThroughput: 0.5, totalTokenThroughput: 200 },
  edgeMix,
);

// ¥720,000 server over 36 months, 400 W at ¥30/kWh, ¥5,000 hosting, 50 % busy, at two measured speeds.
const yenServer = (requestThroughput: number) =>
  estimateCost(
    { kind: 'server', currency: '¥', purchasePrice: 720_000, amortizationMonths: 36, powerWatts: 400, electricityPerKwh: 30, hostingPerMonth: 5000, utilization: 0.5 },
    { requestThroughput, totalTokenThroughput: requestThroughput * 400 },
    edgeMix,
  );

describe('tokenMix', () => {
  it('averages tokens over completed requests', () => {
    // 50,000 / 100 = 500 in, 20,000 / 100 = 200 out.
    expect(tokenMix({ totalInputTokens: 50_000, totalOutputTokens: 20_000, completed: 100 })).toEqual(mix);
  });

  it('refuses a cell where nothing completed', () => {
    expect(() => tokenMix({ totalInputTokens: 0, totalOutputTokens: 0, completed: 0 })).toThrow(RangeError);
  });
});

describe('estimateCost: API', () => {
  it('prices the mix per request, per 1k requests and per 1M tokens', () => {
    // (500 × 0.50 + 200 × 1.50) / 1e6 = (250 + 300) / 1e6 = $0.00055 per request.
    expect(api.variablePerRequest).toBeCloseTo(0.00055, 12);
    expect(api.fixedPerMonth).toBe(0);
    expect(api.capacityPerMonth).toBe(Infinity);
    // 0.00055 × 1000 = $0.55; 0.00055 / 700 × 1e6 = 550 / 700 = $0.785714… per 1M tokens.
    expect(api.perThousandRequests).toBeCloseTo(0.55, 12);
    expect(api.perMillionTokens).toBeCloseTo(550 / 700, 12);
    // 100,000 × 0.00055 = $55.
    expect(api.monthlyAt(100_000)).toBeCloseTo(55, 9);
    expect(api.monthlyAt(0)).toBe(0);
    expect(api.currency).toBe('$');
  });
});

describe('estimateCost: server', () => {
  it('works the GPU box out by hand', () => {
    expect(SECONDS_PER_MONTH).toBe(2_630_016);
    // 2000 / 24 = 83.3333…; power 0.3 kW × 730.56 h = 219.168 kWh × 0.15 = 32.8752; + 20 hosting
    // → 136.208533… per month.
    expect(gpu.fixedPerMonth).toBeCloseTo(2000 / 24 + 32.8752 + 20, 9);
    expect(gpu.fixedPerMonth).toBeCloseTo(136.208533, 6);
    expect(gpu.variablePerRequest).toBe(0);
    // 4 req/s × 2,630,016 s × 0.5 = 5,260,032 requests per month.
    expect(gpu.capacityPerMonth).toBeCloseTo(5_260_032, 6);
    // 136.208533 / 5,260,032 × 1000 = $0.025895 per 1k requests at capacity.
    expect(gpu.perThousandRequests).toBeCloseTo(0.025895, 6);
    // 2,800 tok/s × 2,630,016 × 0.5 = 3,682,022,400 tokens; 136.208533 / 3,682.0224 = $0.036993 per 1M.
    expect(gpu.perMillionTokens).toBeCloseTo(0.036993, 6);
  });

  it('pays one unit below capacity and whole extra units above it', () => {
    // 100,000 calls fit one box: $136.21, the same as zero calls.
    expect(gpu.monthlyAt(100_000)).toBeCloseTo(136.208533, 6);
    expect(gpu.monthlyAt(0)).toBeCloseTo(136.208533, 6);
    expect(gpu.monthlyAt(5_260_032)).toBeCloseTo(136.208533, 6);
    // 6,000,000 / 5,260,032 = 1.14 → 2 boxes = $272.417067.
    expect(gpu.monthlyAt(6_000_000)).toBeCloseTo(272.417067, 6);
  });

  it('prices an edge device in yen', () => {
    // 36,000 / 36 = 1,000; 0.02 kW × 730.56 h = 14.6112 kWh × 30 = 438.336 → ¥1,438.336 per month.
    expect(edge.currency).toBe('¥');
    expect(edge.fixedPerMonth).toBeCloseTo(1438.336, 9);
    // 0.5 req/s × 2,630,016 s × 1 = 1,315,008 requests per month.
    expect(edge.capacityPerMonth).toBeCloseTo(1_315_008, 6);
    // 1,438.336 / 1,315.008 = ¥1.093785 per 1k requests;
    // 200 tok/s × 2,630,016 s = 526,003,200 tokens → 1,438.336 / 526.0032 = ¥2.734462 per 1M tokens.
    expect(edge.perThousandRequests).toBeCloseTo(1.093785, 6);
    expect(edge.perMillionTokens).toBeCloseTo(2.734462, 6);
    // 2,000,000 / 1,315,008 = 1.52 → 2 devices = ¥2,876.672.
    expect(edge.monthlyAt(2_000_000)).toBeCloseTo(2876.672, 6);
  });

  it('refuses hardware that served nothing and a mix without tokens', () => {
    expect(() => estimateCost(gpuProfile, { requestThroughput: 0, totalTokenThroughput: 0 }, mix)).toThrow(RangeError);
    expect(() => estimateCost(gpuProfile, { requestThroughput: 4, totalTokenThroughput: 2800 }, { inputTokensPerRequest: 0, outputTokensPerRequest: 0 })).toThrow(RangeError);
    expect(() => gpu.monthlyAt(-1)).toThrow(RangeError);
  });
});

describe('breakEven', () => {
  it('finds where the API line meets the GPU box', () => {
    // 0.00055 × c = 136.208533 → c = 247,651.88 calls/month (inside the 5,260,032 capacity).
    const be = breakEven(api, gpu);
    expect(be.cheaperBelow).toBe('a');
    expect(be.callsPerMonth).toBeCloseTo(247_651.878788, 4);
    expect(breakEven(gpu, api)).toEqual({ callsPerMonth: be.callsPerMonth, cheaperBelow: 'b' });
    // Check against the curves: equal there, API cheaper below, box cheaper above.
    expect(api.monthlyAt(be.callsPerMonth!)).toBeCloseTo(gpu.monthlyAt(be.callsPerMonth!), 6);
    expect(api.monthlyAt(100_000)).toBeLessThan(gpu.monthlyAt(100_000));
    expect(api.monthlyAt(1_000_000)).toBeGreaterThan(gpu.monthlyAt(1_000_000));
  });

  it('is null when an API is cheaper per request than the box at full use', () => {
    // At capacity the box costs $0.025895 per 1k; an API at $0.01/1M in and out costs 700 / 1e8 =
    // $0.000007 per request = $0.007 per 1k: below the box everywhere, even past each extra unit.
    const cheapApi = estimateCost({ kind: 'api', currency: '$', inputPer1M: 0.01, outputPer1M: 0.01 }, { requestThroughput: 1, totalTokenThroughput: 700 }, mix);
    expect(breakEven(cheapApi, gpu)).toEqual({ callsPerMonth: null, cheaperBelow: null });
  });

  it('is null for two APIs (lines through zero) and for a cheap, efficient edge box', () => {
    const pricier = estimateCost({ kind: 'api', currency: '$', inputPer1M: 1, outputPer1M: 3 }, { requestThroughput: 1, totalTokenThroughput: 700 }, mix);
    expect(breakEven(api, pricier)).toEqual({ callsPerMonth: null, cheaperBelow: null });
    expect(breakEven(api, api)).toEqual({ callsPerMonth: null, cheaperBelow: null });
    // Slow yen server: 10 req/s × 2,630,016 × 0.5 = 13,150,080 per month for
    // 720,000/36 + 0.4 kW × 730.56 h × 30 + 5,000 = 20,000 + 8,766.72 + 5,000 = ¥33,766.72 (¥2.5678 per 1k);
    // the edge box costs ¥1.0938 per 1k, so however many edge boxes, they stay cheaper.
    const slow = yenServer(10);
    expect(slow.fixedPerMonth).toBeCloseTo(33_766.72, 9);
    expect(slow.capacityPerMonth).toBeCloseTo(13_150_080, 6);
    expect(breakEven(edge, slow)).toEqual({ callsPerMonth: null, cheaperBelow: null });
  });

  it('finds a break-even at a step when more edge boxes are needed', () => {
    // Fast yen server: 40 req/s × 2,630,016 × 0.5 = 52,600,320 per month at ¥33,766.72 (¥0.6419 per 1k).
    // Edge boxes at ¥1,438.336 each: 23 boxes = ¥33,081.728 < ¥33,766.72, 24 boxes = ¥34,520.064 >.
    // The 24th box is needed just past 23 × 1,315,008 = 30,245,184 calls, inside the server's capacity.
    const fast = yenServer(40);
    const be = breakEven(edge, fast);
    expect(be.cheaperBelow).toBe('a');
    expect(be.callsPerMonth).toBeCloseTo(30_245_184, 3);
    expect(edge.monthlyAt(30_245_184)).toBeCloseTo(33_081.728, 6);
    expect(edge.monthlyAt(30_245_185)).toBeCloseTo(34_520.064, 6);
  });

  it('refuses to compare different currencies', () => {
    expect(() => breakEven(api, edge)).toThrow(/different currencies.*"\$".*"¥"/);
  });
});

describe('monthlyCurve', () => {
  it('samples evenly from 0 to maxCalls and never decreases', () => {
    const curve = monthlyCurve(api, 1_000_000, 11);
    expect(curve).toHaveLength(11);
    expect(curve[0]).toEqual({ calls: 0, cost: 0 });
    // 1,000,000 × 0.00055 = $550.
    expect(curve[10]!.calls).toBe(1_000_000);
    expect(curve[10]!.cost).toBeCloseTo(550, 9);
    for (let i = 1; i < curve.length; i++) expect(curve[i]!.cost).toBeGreaterThanOrEqual(curve[i - 1]!.cost);
  });

  it('includes the top of each step for hardware', () => {
    // 12,000,000 / 5,260,032 = 2.28 → steps at 5,260,032 and 10,520,064; 3 boxes at the end.
    const curve = monthlyCurve(gpu, 12_000_000, 5);
    expect(curve.map((p) => Math.round(p.calls))).toEqual([0, 3_000_000, 5_260_032, 6_000_000, 9_000_000, 10_520_064, 12_000_000]);
    expect(curve.map((p) => Math.round(p.cost / gpu.fixedPerMonth))).toEqual([1, 1, 1, 2, 2, 2, 3]);
    for (let i = 1; i < curve.length; i++) {
      expect(curve[i]!.calls).toBeGreaterThan(curve[i - 1]!.calls);
      expect(curve[i]!.cost).toBeGreaterThanOrEqual(curve[i - 1]!.cost);
    }
  });
});
