// A cell's numbers, derived only from the raw per-request samples, with vLLM benchmark_serving's
// definitions: TTFT = first chunk with choices; TPOT = (E2E − TTFT) / (output − 1) for outputs of more than
// one token; ITL = every gap between consecutive chunks, pooled over all requests; throughputs = counts /
// the cell's wall-clock (first send to last finish). Pure: no I/O, so tests feed it hand-made timelines.
import type { BenchImageMetrics, BenchResult, Dist, Slo } from '../../shared/bench.schema';
import { latencyMetrics, percentileSorted } from '../../shared/latency';

/** One measured request, as stored in bench_requests. Times in ms. */
export interface RequestSample {
  ok: boolean;
  error: string | null;
  /** Send time, ms after the cell's first send. */
  sentMs: number;
  /** Arrival of every chunk with choices, ms after this request's send. */
  chunkTimesMs: number[];
  /** End of the stream, ms after this request's send. */
  e2eMs: number;
  promptTokens: number;
  outputTokens: number;
  /** The engine's own decode rate for local runs (tok/s), when it reports one. */
  decodeTokPerSec: number | null;
  /** Image workloads: images sent, their preparation here and the server's encode time (null: not reported). */
  images?: number;
  imagePrepareMs?: number | null;
  imageEncodeMs?: number | null;
}

/** The workload's images as sent: per request, and their mean size. */
export interface ImageWorkloadInfo {
  perRequest: number;
  width: number;
  height: number;
  meanBytes: number;
}

export type CellMetrics = Omit<BenchResult, 'targetKey' | 'targetLabel' | 'load' | 'errors' | 'images'>;

/** Samples kept per CDF (the schema's cap). */
export const MAX_SAMPLES = 2000;

/** vLLM reports 0 for an empty list (np.mean(x or 0)); so do we. */
export function dist(values: readonly number[]): Dist {
  if (values.length === 0) return { mean: 0, median: 0, p90: 0, p95: 0, p99: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    mean: sum / sorted.length,
    median: percentileSorted(sorted, 50) as number,
    p90: percentileSorted(sorted, 90) as number,
    p95: percentileSorted(sorted, 95) as number,
    p99: percentileSorted(sorted, 99) as number,
  };
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  return percentileSorted([...values].sort((a, b) => a - b), 50);
}

/** Evenly spaced picks from sorted values, so a CDF of 100k requests stays ≤ MAX_SAMPLES points. */
export function cdfSamples(values: readonly number[], cap = MAX_SAMPLES): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length <= cap) return sorted;
  return Array.from({ length: cap }, (_, i) => sorted[Math.round((i * (sorted.length - 1)) / (cap - 1))] as number);
}

/** Wall-clock of a cell: first send to last finish, in ms. */
export function cellDurationMs(samples: readonly RequestSample[]): number {
  if (samples.length === 0) return 0;
  let first = Infinity;
  let last = -Infinity;
  for (const s of samples) {
    first = Math.min(first, s.sentMs);
    last = Math.max(last, s.sentMs + s.e2eMs);
  }
  return last - first;
}

export function cellMetrics(samples: readonly RequestSample[], slo: Slo, opts: { local: boolean; durationMs?: number }): CellMetrics {
  const ok = samples.filter((s) => s.ok);
  const durationMs = opts.durationMs ?? cellDurationMs(samples);
  const durSec = durationMs / 1000;
  const ttfts: number[] = [];
  const tpots: number[] = [];
  const itls: number[] = [];
  const e2els: number[] = [];
  const pp: number[] = [];
  const tg: number[] = [];
  let totalIn = 0;
  let totalOut = 0;
  let good = 0;
  const sloSet = slo.ttftMs !== null || slo.tpotMs !== null || slo.e2elMs !== null;
  for (const s of ok) {
    const m = latencyMetrics({ startMs: 0, chunkTimesMs: s.chunkTimesMs, outputTokens: s.outputTokens, endMs: s.e2eMs });
    totalIn += s.promptTokens;
    totalOut += s.outputTokens;
    // A request with no chunk has no TTFT; vLLM would count it as failed (success needs a token).
    const ttft = m.ttftMs ?? m.e2eMs;
    ttfts.push(ttft);
    e2els.push(m.e2eMs);
    itls.push(...m.itlMs);
    // vLLM appends TPOT only for outputs longer than one token; the SLO check uses 0 for the others.
    if (m.tpotMs !== null) tpots.push(m.tpotMs);
    const tpotForSlo = m.tpotMs ?? 0;
    if (
      sloSet &&
      (slo.ttftMs === null || ttft <= slo.ttftMs) &&
      (slo.tpotMs === null || tpotForSlo <= slo.tpotMs) &&
      (slo.e2elMs === null || m.e2eMs <= slo.e2elMs)
    )
      good++;
    if (opts.local) {
      if (ttft > 0 && s.promptTokens > 0) pp.push((s.promptTokens * 1000) / ttft);
      const decode = s.decodeTokPerSec ?? (m.tpotMs !== null && m.tpotMs > 0 ? 1000 / m.tpotMs : null);
      if (decode !== null && Number.isFinite(decode)) tg.push(decode);
    }
  }
  const rate = (n: number) => (durSec > 0 ? n / durSec : 0);
  return {
    completed: ok.length,
    failed: samples.length - ok.length,
    durationSec: durSec,
    totalInputTokens: totalIn,
    totalOutputTokens: totalOut,
    requestThroughput: rate(ok.length),
    outputThroughput: rate(totalOut),
    totalTokenThroughput: rate(totalIn + totalOut),
    goodput: sloSet ? rate(good) : null,
    goodputPct: sloSet ? (ok.length > 0 ? (good * 100) / ok.length : 0) : null,
    ttftMs: dist(ttfts),
    tpotMs: dist(tpots),
    itlMs: dist(itls),
    e2elMs: dist(e2els),
    ppTokPerSec: opts.local ? median(pp) : null,
    tgTokPerSec: opts.local ? median(tg) : null,
    ttftSamples: cdfSamples(ttfts),
    e2elSamples: cdfSamples(e2els),
  };
}

/** Image numbers of a cell, over its completed requests; times only from the runs that reported them. */
export function imageMetrics(samples: readonly RequestSample[], info: ImageWorkloadInfo): BenchImageMetrics {
  const ok = samples.filter((s) => s.ok);
  const reported = (v: (number | null | undefined)[]) => v.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  const prepare = reported(ok.map((s) => s.imagePrepareMs));
  const encode = reported(ok.map((s) => s.imageEncodeMs));
  return {
    ...info,
    total: ok.reduce((n, s) => n + (s.images ?? 0), 0),
    prepareMs: prepare.length > 0 ? dist(prepare) : null,
    encodeMs: encode.length > 0 ? dist(encode) : null,
  };
}
