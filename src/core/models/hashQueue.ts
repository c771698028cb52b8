// sha256 of large files, one at a time in the background (models and adapters both keep one): results go
// to the store, a closed queue stops writing (the database may be gone).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 4 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export interface HashStore {
  setHash(id: string, digest: string | null, status: 'done' | 'error'): void;
}

export class HashQueue {
  private tail: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly store: HashStore,
    /** Called after each file, done or failed. */
    private readonly onHashed: (id: string) => void,
  ) {}

  add(id: string, path: string): void {
    this.tail = this.tail.then(async () => {
      if (this.closed) return;
      try {
        const digest = await sha256File(path);
        if (this.closed) return;
        this.store.setHash(id, digest, 'done');
      } catch {
        if (this.closed) return;
        this.store.setHash(id, null, 'error');
      }
      this.onHashed(id);
    });
  }

  /** Resolves when every queued hash is done (tests, shutdown). */
  idle(): Promise<void> {
    return this.tail;
  }

  close(): void {
    this.closed = true;
  }
}
