// node-llama-cpp decodes whatever sequences have queued a token when its batch loop comes round. After a
// batch, each sequence's next token is queued only once its own JS has run (sampling result, detokenizing,
// stop checks), and the loop often leaves before the last one has: with 4 sequences busy we measured every
// decode carrying 3 tokens, so each step took 4/3 passes over the weights — on a CPU that is the whole cost.
// The gate holds queued tokens until every sequence that is generating has queued (or one is mid-prefill),
// then lets them through together, so one decode carries them all. A bounded wait keeps a straggler (a run
// that is finishing or setting up) from stalling the others.
import type { LlamaContext } from 'node-llama-cpp';

type DecodeTokens = (...args: unknown[]) => Promise<unknown>;

export interface GateStats {
  /** Groups of queued decodes let through together, and how many decodes they held in all. */
  groups: number;
  decodes: number;
  /** Groups let through because the wait ran out rather than because everyone had queued. */
  timeouts: number;
}

export class DecodeGate {
  private held: (() => void)[] = [];
  /**
   * Prompt evaluations let through and not finished: a long prompt spans several batches, and the sequences
   * generating beside it must not wait for it to queue again. (Single-token decodes are not counted: their
   * results come back together, and their next tokens are exactly what the gate waits for.)
   */
  private prompts = 0;
  private timer: NodeJS.Timeout | null = null;
  readonly stats: GateStats = { groups: 0, decodes: 0, timeouts: 0 };

  /** `generating()`: how many sequences are in a run now; each is expected to queue its next token. */
  constructor(
    private readonly generating: () => number,
    private readonly maxWaitMs = 3,
  ) {}

  /** Routes the context's decode requests through the gate. A node-llama-cpp without the hook keeps its own batching. */
  attach(context: LlamaContext): void {
    const c = context as unknown as { _decodeTokens?: DecodeTokens };
    const original = c._decodeTokens;
    if (typeof original !== 'function') return;
    c._decodeTokens = (...args: unknown[]) => {
      const tokens = (args[0] as { tokens?: { length: number } } | undefined)?.tokens?.length ?? 1;
      return this.enter(tokens > 1, () => original.apply(context, args));
    };
  }

  private enter(prompt: boolean, decode: () => Promise<unknown>): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.held.push(() => {
        if (prompt) this.prompts++;
        decode().then(
          (v) => {
            if (prompt) this.prompts--;
            resolve(v);
          },
          (e: unknown) => {
            if (prompt) this.prompts--;
            reject(e);
          },
        );
      });
      if (this.held.length + this.prompts >= this.generating()) this.release(false);
      else this.timer ??= setTimeout(() => this.release(true), this.maxWaitMs);
    });
  }

  /** Queues every held decode in one synchronous pass, so the context's next batch takes them all. */
  private release(timedOut: boolean): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const group = this.held;
    if (group.length === 0) return;
    this.held = [];
    this.stats.groups++;
    this.stats.decodes += group.length;
    if (timedOut) this.stats.timeouts++;
    for (const go of group) go();
  }
}
