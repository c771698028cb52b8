// Paired significance tests for A/B evaluation: is "B beats A" more than noise? Pure, runs anywhere.
import { mulberry32 } from './prng';

/** McNemar's exact test on paired pass/fail outcomes (two-sided binomial test on the discordant pairs). */
export interface McNemarResult {
  /** A passed, B failed. */
  onlyA: number;
  /** B passed, A failed. */
  onlyB: number;
  bothPass: number;
  bothFail: number;
  /** Two-sided exact p-value; 1 when there are no discordant pairs. */
  pValue: number;
}

/** log(n choose k) via log-gamma-free summation: exact enough for n up to millions. */
function logChoose(n: number, k: number): number {
  let s = 0;
  const kk = Math.min(k, n - k);
  for (let i = 1; i <= kk; i++) s += Math.log(n - kk + i) - Math.log(i);
  return s;
}

/** P(X ≤ k) for X ~ Binomial(n, 1/2). */
function binomCdfHalf(k: number, n: number): number {
  let p = 0;
  const log2n = n * Math.log(2);
  for (let i = 0; i <= k; i++) p += Math.exp(logChoose(n, i) - log2n);
  return Math.min(1, p);
}

export function mcnemarExact(a: readonly boolean[], b: readonly boolean[]): McNemarResult {
  if (a.length !== b.length) throw new Error(`paired outcomes differ in length: ${a.length} vs ${b.length}`);
  let onlyA = 0;
  let onlyB = 0;
  let bothPass = 0;
  let bothFail = 0;
  a.forEach((x, i) => {
    const y = b[i] as boolean;
    if (x && y) bothPass++;
    else if (x) onlyA++;
    else if (y) onlyB++;
    else bothFail++;
  });
  const n = onlyA + onlyB;
  const pValue = n === 0 ? 1 : Math.min(1, 2 * binomCdfHalf(Math.min(onlyA, onlyB), n));
  return { onlyA, onlyB, bothPass, bothFail, pValue };
}

export interface BootstrapResult {
  /** mean(B − A) over the pairs. */
  meanDiff: number;
  low: number;
  high: number;
  confidence: number;
  resamples: number;
  /** Share of resamples where B − A ≤ 0 (one-sided evidence against "B is better"). */
  pNotBetter: number;
}

/** Percentile bootstrap confidence interval of the mean paired difference B − A. */
export function pairedBootstrap(
  a: readonly number[],
  b: readonly number[],
  { resamples = 10_000, confidence = 0.95, seed = 1 }: { resamples?: number; confidence?: number; seed?: number } = {},
): BootstrapResult {
  if (a.length !== b.length) throw new Error(`paired scores differ in length: ${a.length} vs ${b.length}`);
  const n = a.length;
  if (n === 0) return { meanDiff: 0, low: 0, high: 0, confidence, resamples: 0, pNotBetter: 1 };
  const d = a.map((x, i) => (b[i] as number) - x);
  const meanDiff = d.reduce((s, x) => s + x, 0) / n;
  const rand = mulberry32(seed);
  const means = new Float64Array(resamples);
  let notBetter = 0;
  for (let r = 0; r < resamples; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += d[Math.floor(rand() * n)] as number;
    const m = s / n;
    means[r] = m;
    if (m <= 0) notBetter++;
  }
  means.sort();
  const alpha = (1 - confidence) / 2;
  const at = (q: number) => means[Math.min(resamples - 1, Math.max(0, Math.floor(q * resamples)))] as number;
  return { meanDiff, low: at(alpha), high: at(1 - alpha), confidence, resamples, pNotBetter: notBetter / resamples };
}

export type Verdict = 'B better' | 'A better' | 'no significant difference';

/** The sentence a results view shows: a difference is claimed only when the interval excludes zero. */
export function verdict(ci: Pick<BootstrapResult, 'low' | 'high'>): Verdict {
  if (ci.low > 0) return 'B better';
  if (ci.high < 0) return 'A better';
  return 'no significant difference';
}
