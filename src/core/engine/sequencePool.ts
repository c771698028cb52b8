// The context sequences of a loaded model, handed to runs one each: a run waits (in arrival order) when all
// are busy, and stops waiting when it is cancelled. With one sequence this is the old one-after-another queue.
export class SequencePool<T> {
  private readonly free: T[];
  private readonly total: number;
  private readonly waiters: { resolve: (item: T | null) => void; signal: AbortSignal; onAbort: () => void }[] = [];
  /** Handed-out items whose run has decoded its last token and is only winding down. */
  private readonly finished = new Set<T>();

  /** Each item's place in the constructor's list (for sequences: their id order). */
  private readonly rank: Map<T, number>;

  constructor(items: readonly T[]) {
    this.free = [...items];
    this.total = items.length;
    this.rank = new Map(items.map((item, i) => [item, i]));
  }

  /** Items handed out and not released yet (runs in progress). */
  get busy(): number {
    return this.total - this.free.length;
  }

  /**
   * Items whose run may still queue a decode: busy, less those marked finished. The decode gate waits for
   * this many, so a run that has its last token does not hold the others' next step while it winds down.
   */
  get generating(): number {
    return this.busy - this.finished.size;
  }

  /** The run on this item will queue no more decodes (it has its last token). */
  finish(item: T): void {
    this.finished.add(item);
  }

  get size(): number {
    return this.free.length;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  /** A free item, or null when the signal aborts first. */
  acquire(signal: AbortSignal): Promise<T | null> {
    if (signal.aborted) return Promise.resolve(null);
    // The first free item in list order: the busy sequences' ids stay consecutive, which llama.cpp needs to
    // decode their tokens in one pass (see decodeGate.ts); one run at a time reuses the same warm sequence.
    if (this.free.length > 0) {
      let best = 0;
      for (let i = 1; i < this.free.length; i++) if ((this.rank.get(this.free[i] as T) ?? 0) < (this.rank.get(this.free[best] as T) ?? 0)) best = i;
      return Promise.resolve(this.free.splice(best, 1)[0] as T);
    }
    return new Promise((resolve) => {
      const w = {
        resolve,
        signal,
        onAbort: () => {
          const i = this.waiters.indexOf(w);
          if (i >= 0) this.waiters.splice(i, 1);
          resolve(null);
        },
      };
      signal.addEventListener('abort', w.onAbort, { once: true });
      this.waiters.push(w);
    });
  }

  release(item: T): void {
    this.finished.delete(item);
    const w = this.waiters.shift();
    if (!w) {
      this.free.push(item);
      return;
    }
    w.signal.removeEventListener('abort', w.onAbort);
    w.resolve(item);
  }
}
