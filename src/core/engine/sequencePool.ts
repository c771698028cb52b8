// The context sequences of a loaded model, handed to runs one each: a run waits (in arrival order) when all
// are busy, and stops waiting when it is cancelled. With one sequence this is the old one-after-another queue.
export class SequencePool<T> {
  private readonly free: T[];
  private readonly total: number;
  private readonly waiters: { resolve: (item: T | null) => void; signal: AbortSignal; onAbort: () => void }[] = [];
  /** Handed-out items whose run has decoded its last token and is only winding down. */
  private readonly finished = new Set<T>();

  constructor(items: readonly T[]) {
    this.free = [...items];
    this.total = items.length;
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
    // Last released first: that sequence's KV cache most likely holds the prefix of the next chat turn.
    const item = this.free.pop();
    if (item !== undefined) return Promise.resolve(item);
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
