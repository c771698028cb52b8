// LoRA adapters attach per context in llama.cpp: one extra context per distinct adapter set, made on first use
// beside the base context (which runs without adapters keep using), and the least recently used idle one
// disposed when there are more than a few.
import type { LlamaContext, LlamaContextSequence, LlamaModel } from 'node-llama-cpp';
import type { EffectiveSettings, AdapterSpec } from './protocol';
import { SequencePool } from './sequencePool';

interface Entry {
  context: Promise<{ context: LlamaContext; sequences: SequencePool<LlamaContextSequence> }>;
  users: number;
  lastUsed: number;
}

export interface AdapterLease {
  context: LlamaContext;
  sequences: SequencePool<LlamaContextSequence>;
  release(): void;
}

/** Same set, same key, whatever the order the adapters were listed in. */
export function adapterSetKey(adapters: readonly AdapterSpec[]): string {
  return adapters
    .map((a) => `${a.path}\u0000${a.scale}`)
    .sort()
    .join('\u0001');
}

export class AdapterContexts {
  private readonly entries = new Map<string, Entry>();
  private clock = 0;

  constructor(
    private readonly model: LlamaModel,
    private readonly effective: EffectiveSettings,
    private readonly max = 2,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** A context with these adapters attached (made now if needed); release it when the run ends. */
  async acquire(adapters: readonly AdapterSpec[]): Promise<AdapterLease> {
    const key = adapterSetKey(adapters);
    let entry = this.entries.get(key);
    if (!entry) {
      const made = this.model
        .createContext({
          contextSize: this.effective.contextSize,
          batchSize: this.effective.batchSize,
          threads: this.effective.threads,
          sequences: 1,
          lora: { adapters: adapters.map((a) => ({ filePath: a.path, scale: a.scale })) },
        })
        .then((context) => ({ context, sequences: new SequencePool([context.getSequence()]) }));
      entry = { context: made, users: 0, lastUsed: 0 };
      this.entries.set(key, entry);
      const e = entry;
      made.catch(() => {
        if (this.entries.get(key) === e) this.entries.delete(key);
      });
    }
    entry.users++;
    entry.lastUsed = ++this.clock;
    const e = entry;
    let made;
    try {
      made = await e.context;
    } catch (err) {
      e.users--;
      throw err;
    }
    void this.evict();
    let released = false;
    return {
      ...made,
      release: () => {
        if (released) return;
        released = true;
        e.users--;
        void this.evict();
      },
    };
  }

  /** Disposes idle contexts, least recently used first, until at most `max` remain. */
  private async evict(): Promise<void> {
    while (this.entries.size > this.max) {
      const idle = [...this.entries].filter(([, e]) => e.users === 0).sort((x, y) => x[1].lastUsed - y[1].lastUsed)[0];
      if (!idle) return;
      this.entries.delete(idle[0]);
      await idle[1].context.then((c) => c.context.dispose()).catch(() => undefined);
    }
  }

  async disposeAll(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.allSettled(all.map((e) => e.context.then((c) => c.context.dispose())));
  }
}
