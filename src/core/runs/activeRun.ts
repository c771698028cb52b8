// The streaming state of one run between its start and its stored record: text received, deltas batched for
// the chunk events, chunk arrival times (its metrics are computed once, here or from the remote result), and
// the guard's gate, called on each chunk and at the end.
import { performance } from 'node:perf_hooks';
import type { RunChunk } from '../../shared/runs.schema';
import type { RunRecord } from '../../shared/runs.schema';
import type { WorkerRunResult } from '../engine/protocol';
import type { RunGate } from '../guard/runGate';
import { runMetrics } from './runOutcome';
import type { RunOutcome } from './runs.repo';

/** Deltas are sent at most this often; the first one goes out at once so TTFT is not delayed. */
const FLUSH_MS = 33;

export interface ActiveRunSink {
  chunk(c: RunChunk): void;
  /** A block rule matched mid-stream: the run is to be cancelled. */
  stop(): void;
}

export class ActiveRun {
  /** The reply so far, as shown (unmasked). */
  output = '';
  tokens = 0;
  /** Cancels what runs in this process (a remote request, an adapter check); null: the engine's to cancel. */
  abort: AbortController | null = null;
  /** Where held text goes besides the chunk events when it is released (the API server's stream). */
  release?: (text: string) => void;
  readonly startedAt = performance.now();
  /** Raw arrival times, so TPOT/ITL/E2E of local runs derive as they do for remote ones. */
  private readonly chunkTimes: number[] = [];
  private firstChunkTokens = 0;
  private pendingText = '';
  private pendingTokens = 0;
  private timer: NodeJS.Timeout | null = null;
  readonly done: Promise<RunRecord>;
  private resolveDone!: (r: RunRecord) => void;

  constructor(
    readonly runId: string,
    readonly gate: RunGate,
    private readonly sink: ActiveRunSink,
  ) {
    this.done = new Promise<RunRecord>((r) => (this.resolveDone = r));
  }

  /** One delta from the model; returns the text as shown ('' while the gate withholds it). */
  push(delta: string, tokens: number): string {
    const now = performance.now();
    const first = this.chunkTimes.length === 0;
    this.chunkTimes.push(now);
    const { text, verdict } = this.gate.onChunk(delta);
    this.output += text;
    this.tokens += tokens;
    if (verdict !== 'show') {
      if (this.firstChunkTokens === 0) this.firstChunkTokens = tokens;
      if (verdict === 'stop') {
        this.pendingText = '';
        this.sink.stop();
      }
      return '';
    }
    if (first) {
      this.firstChunkTokens = tokens;
      this.sink.chunk({ runId: this.runId, text, tokens });
      return text;
    }
    this.pendingText += text;
    this.pendingTokens += tokens;
    this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
    return text;
  }

  /** Milliseconds from start to the first chunk; null before one arrived. */
  get ttftMs(): number | null {
    const first = this.chunkTimes[0];
    return first === undefined ? null : first - this.startedAt;
  }

  /** The outcome of a run on the local engine (playground or API), from the worker's result and this stream. */
  localOutcome(result: WorkerRunResult): RunOutcome {
    // A crashed worker cannot send its text; what already streamed here is kept.
    const crashed = result.stopReason === 'crash';
    const completionTokens = crashed ? this.tokens : result.completionTokens;
    const times = this.chunkTimes;
    return {
      output: crashed ? this.output : result.output,
      renderedPrompt: result.renderedPrompt,
      stopReason: result.stopReason,
      error: result.error,
      promptTokens: result.promptTokens,
      completionTokens,
      ...runMetrics({
        startMs: this.startedAt,
        chunkTimesMs: times,
        outputTokens: completionTokens,
        endMs: performance.now(),
        decode: { tokens: result.completionTokens - this.firstChunkTokens, fromMs: times[0] ?? null, toMs: times.at(-1) ?? null },
        decodeTokPerSec: result.decodeTokPerSec,
      }),
      finishedAt: Date.now(),
    };
  }

  /** The end of the stream through the gate; what is still pending is sent. Returns what to store. */
  settle(ended: RunOutcome): { outcome: RunOutcome; received: string } {
    const end = this.gate.finish(ended);
    if (end.shown === null) this.pendingText = '';
    else this.pendingText += end.shown;
    if (end.released !== null) this.release?.(end.released);
    this.flush();
    return end;
  }

  /** The stored record is out: whoever waits on this run gets it. */
  resolve(record: RunRecord): void {
    this.resolveDone(record);
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pendingText === '' && this.pendingTokens === 0) return;
    this.sink.chunk({ runId: this.runId, text: this.pendingText, tokens: this.pendingTokens });
    this.pendingText = '';
    this.pendingTokens = 0;
  }
}
