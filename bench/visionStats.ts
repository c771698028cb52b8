// Figures for bench:vision's TTFT sections: the overhead of Lamplight's path as the median of paired
// differences (each round sends one request each way, back to back), with a bootstrap 95% interval, so
// machine drift between rounds cancels out and the reader sees how sure the figure is.
import { Mulberry32 } from '../src/shared/prng';
import { pct, round } from './benchUtil';

/** The shared seeded generator (mulberry32): the same run gives the same numbers. */
function rng(seed: number): () => number {
  const g = new Mulberry32(seed);
  return () => g.next();
}

/** Median of `ours[i] - raw[i]` and its percentile-bootstrap 95% interval (2,000 resamples of the pairs). */
export function pairedOverhead(ours: readonly number[], raw: readonly number[], resamples = 2000): { medianMs: number; ci95Ms: [number, number] } {
  if (ours.length !== raw.length || ours.length === 0) throw new Error('pairedOverhead: needs one raw time per Lamplight time');
  const d = ours.map((o, i) => o - (raw[i] as number));
  const next = rng(17);
  const medians: number[] = [];
  const sample = new Array<number>(d.length);
  for (let b = 0; b < resamples; b++) {
    for (let i = 0; i < d.length; i++) sample[i] = d[Math.floor(next() * d.length)] as number;
    medians.push(pct(sample, 50));
  }
  return { medianMs: pct(d, 50), ci95Ms: [pct(medians, 2.5), pct(medians, 97.5)] };
}

export const TTFT_GOAL_MS = 10;
export const TTFT_GOAL_PCT = 5;

/** The paired overhead of TTFT less the server's prompt time, in ms and in % of the raw path's median TTFT. */
export function adjustedOverhead(oursRest: readonly number[], rawRest: readonly number[], rawTtftP50: number) {
  const o = pairedOverhead(oursRest, rawRest);
  const toPct = (ms: number) => round((ms / rawTtftP50) * 100, 1);
  return {
    /** TTFT less the server's prompt time: the client, HTTP, the server's image decode and tokenizing, sampling. */
    restP50Ms: { lamplight: round(pct(oursRest, 50), 2), raw: round(pct(rawRest, 50), 2) },
    overheadMs: round(o.medianMs, 2),
    overheadMsCi95: o.ci95Ms.map((x) => round(x, 2)),
    overheadPct: toPct(o.medianMs),
    overheadPctCi95: o.ci95Ms.map(toPct),
    goalMet: { overheadMs: o.medianMs <= TTFT_GOAL_MS, overheadPct: (o.medianMs / rawTtftP50) * 100 <= TTFT_GOAL_PCT },
  };
}

/** The section's TTFT figures for both paths, the overhead in ms and % of the raw median, and each goal. */
export function overheadReport(ours: readonly number[], raw: readonly number[]) {
  const rawP50 = pct(raw, 50);
  const o = pairedOverhead(ours, raw);
  const toPct = (ms: number) => round((ms / rawP50) * 100, 1);
  return {
    lamplight: { ttftP50Ms: round(pct(ours, 50), 2), ttftP95Ms: round(pct(ours, 95), 2) },
    raw: { ttftP50Ms: round(rawP50, 2), ttftP95Ms: round(pct(raw, 95), 2) },
    /** Median of the per-round differences (Lamplight − raw). */
    overheadMs: round(o.medianMs, 2),
    overheadMsCi95: o.ci95Ms.map((x) => round(x, 2)),
    /** The same, in % of the raw path's median TTFT. */
    overheadPct: toPct(o.medianMs),
    overheadPctCi95: o.ci95Ms.map(toPct),
    /** p50(Lamplight) − p50(raw), for comparison with the paired figure. */
    diffOfP50Ms: round(pct(ours, 50) - rawP50, 2),
    goals: { overheadMs: TTFT_GOAL_MS, overheadPct: TTFT_GOAL_PCT },
    goalMet: { overheadMs: o.medianMs <= TTFT_GOAL_MS, overheadPct: (o.medianMs / rawP50) * 100 <= TTFT_GOAL_PCT },
    /** Whether the goals hold even at the interval's upper end. */
    goalMetAtCiUpper: { overheadMs: o.ci95Ms[1] <= TTFT_GOAL_MS, overheadPct: (o.ci95Ms[1] / rawP50) * 100 <= TTFT_GOAL_PCT },
  };
}
