// node-llama-cpp decodes whatever sequences have queued a token when its batch loop comes round. After a
// batch, each sequence's next token is queued only once its own JS has run (sampling result, detokenizing,
// stop checks), and the loop often leaves before the last one has: with 4 sequences busy we measured every
// decode carrying 3 tokens, so each step took 4/3 passes over the weights — on a CPU that is the whole cost.
// The gate holds queued tokens until every sequence that is generating has queued (or one is mid-prefill),
// then lets them through together, so one decode carries them all. A bounded wait keeps a straggler (a run
// that is finishing or setting up) from stalling the others — but it only runs while no decode is in
// flight: a sequence whose token is being decoded cannot queue its next one before that decode ends, and
// letting the others go without it split them into two groups that then took turns, one decode each, for
// the rest of their runs (measured: c=2 decoded 1 token per batch, c=4 alternated 1 and 3).
import type { LlamaContext } from 'node-llama-cpp';
import type { StepTrace } from './stepTrace';

type DecodeTokens = (...args: unknown[]) => Promise<unknown>;

export interface GateStats {
  /** Groups of queued decodes let through together, and how many decodes they held in all. */
  groups: number;
  decodes: number;
  /** Groups let through because the wait ran out rather than because everyone had queued. */
  timeouts: number;
  /** Groups of one token while more than one sequence was generating (should stay near zero). */
  singles: number;
}

export class DecodeGate {
  /** Decodes waiting, with the context sequence each is for. */
  private held: { sequenceId: number; go: () => void }[] = [];
  /**
   * Prompt evaluations let through and not finished: a long prompt spans several batches, and the sequences
   * generating beside it must not wait for it to queue again.
   */
  private prompts = 0;
  /** Single-token decodes let through whose results have not come back: their sequences queue again after. */
  private inFlight = 0;
  private timer: NodeJS.Timeout | null = null;
  readonly stats: GateStats = { groups: 0, decodes: 0, timeouts: 0, singles: 0 };

  /** `generating()`: how many sequences are in a run now; each is expected to queue its next token. */
  constructor(
    private readonly generating: () => number,
    private readonly maxWaitMs = 10,
    private readonly trace: StepTrace | null = null,
  ) {}

  /** Routes the context's decode requests through the gate. A node-llama-cpp without the hook keeps its own batching. */
  attach(context: LlamaContext): void {
    const c = context as unknown as { _decodeTokens?: DecodeTokens };
    const original = c._decodeTokens;
    if (typeof original !== 'function') return;
    this.trace?.wrap(context);
    c._decodeTokens = (...args: unknown[]) => {
      const item = args[0] as { tokens?: { length: number }; sequenceId?: number } | undefined;
      return this.enter(item?.sequenceId ?? 0, (item?.tokens?.length ?? 1) > 1, () => original.apply(context, args));
    };
  }

  private enter(sequenceId: number, prompt: boolean, decode: () => Promise<unknown>): Promise<unknown> {
    this.trace?.queued(prompt);
    return new Promise((resolve, reject) => {
      this.held.push({ sequenceId, go: () => {
        if (prompt) this.prompts++;
        else this.inFlight++;
        const settled = () => {
          if (prompt) this.prompts--;
          else if (--this.inFlight === 0) this.check();
        };
        decode().then(
          (v) => {
            settled();
            resolve(v);
          },
          (e: unknown) => {
            settled();
            reject(e);
          },
        );
      } });
      this.check();
    });
  }

  /** Lets the held decodes go once everyone generating has queued; else waits, boundedly, for stragglers. */
  private check(): void {
    if (this.held.length === 0) return;
    if (this.held.length + this.prompts >= this.generating()) this.release(false);
    // The sequences of a decode in flight queue right after it: the wait starts when it has come back.
    else if (this.inFlight === 0) this.timer ??= setTimeout(() => this.release(true), this.maxWaitMs);
  }

  /**
   * Queues every held decode in one synchronous pass, so the context's next batch takes them all, in
   * increasing sequence id: llama.cpp (KV cache per sequence, as node-llama-cpp sets it up) cuts a batch
   * into a separate pass over the weights wherever the next token's sequence id is not the previous one's
   * + 1 (300M Q4_0, 1 thread: a step of 4 tokens in arrival order took 4.3× a 1-token step, in id order 2.2–2.9×).
   */
  private release(timedOut: boolean): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const group = this.held;
    if (group.length === 0) return;
    this.held = [];
    this.stats.groups++;
    this.stats.decodes += group.length;
    if (timedOut) this.stats.timeouts++;
    if (group.length === 1 && this.generating() > 1) this.stats.singles++;
    this.trace?.release(group.length);
    group.sort((a, b) => a.sequenceId - b.sequenceId);
    for (const h of group) h.go();
  }
}
