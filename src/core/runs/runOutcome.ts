// How a run ended, in the shape runs.repo stores: one helper for a run that failed or was cancelled before
// it produced anything, and the metrics of a streamed reply computed in one place for every kind of run.
import { latencyMetrics } from '../../shared/latency';
import type { StopReason } from '../../shared/runs.schema';
import type { RemoteRunResult } from './runPorts';
import type { RunOutcome } from './runs.repo';

/** A run that ended without a reply: refused by a check, cancelled, or its target failed. */
export function failedOutcome(stopReason: StopReason, error: string | null): RunOutcome {
  return { output: '', renderedPrompt: null, stopReason, error, promptTokens: null, completionTokens: null, ttftMs: null, decodeTokPerSec: null, finishedAt: Date.now() };
}

export interface Timeline {
  /** When the request was sent (performance.now() ms). */
  startMs: number;
  /** Arrival of every chunk (vLLM's convention for TTFT and ITL). */
  chunkTimesMs: readonly number[];
  outputTokens: number;
  endMs: number;
  /** The decode rate's span: tokens decoded after the first chunk, between its arrival and the last one's. */
  decode: { tokens: number; fromMs: number | null; toMs: number | null };
  /** The decode rate the engine measured itself, preferred when it has one. */
  decodeTokPerSec?: number | null;
}

export type RunMetrics = Pick<RunOutcome, 'ttftMs' | 'decodeTokPerSec' | 'tpotMs' | 'itlMeanMs' | 'e2eMs' | 'chunkTimesMs'>;

/** TTFT, TPOT, ITL and E2E as vLLM's benchmark_serving defines them, the decode rate, and the chunk times. */
export function runMetrics(t: Timeline): RunMetrics {
  const m = latencyMetrics(t);
  const { tokens, fromMs, toMs } = t.decode;
  const decodeMs = fromMs !== null && toMs !== null ? toMs - fromMs : 0;
  return {
    ttftMs: m.ttftMs,
    decodeTokPerSec: t.decodeTokPerSec ?? (tokens > 0 && decodeMs > 0 ? (tokens * 1000) / decodeMs : null),
    tpotMs: m.tpotMs,
    itlMeanMs: m.itlMs.length > 0 ? m.itlMs.reduce((x, y) => x + y, 0) / m.itlMs.length : null,
    e2eMs: m.e2eMs,
    chunkTimesMs: t.chunkTimesMs.map((x) => x - t.startMs),
  };
}

/** The outcome of a remote run from the target's own timings. */
export function remoteOutcome(r: RemoteRunResult, streamed: string): RunOutcome {
  const outputTokens = r.completionTokens ?? r.contentTimesMs.length;
  const content = r.contentTimesMs;
  return {
    output: r.text || streamed,
    renderedPrompt: null,
    stopReason: r.stopReason,
    error: r.error,
    promptTokens: r.promptTokens,
    completionTokens: outputTokens,
    // The decode span is between the first and the last chunk that carried text.
    ...runMetrics({
      startMs: r.startMs,
      chunkTimesMs: r.chunkTimesMs,
      outputTokens,
      endMs: r.endMs,
      decode: { tokens: outputTokens - 1, fromMs: content.length > 1 ? (content[0] as number) : null, toMs: content.length > 1 ? (content.at(-1) as number) : null },
    }),
    attempts: r.attempts,
    finishedAt: Date.now(),
  };
}
