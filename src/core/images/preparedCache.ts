// Prepared images (downscaled for a pixel budget) kept so that the same image sent again to the same budget
// costs a file read, not a decode: on disk under images/prepared/ (survives restarts), and the most recent
// few in memory.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PreparedImageInfo } from '../../shared/images.schema';
import { extensionOf, sha256 } from './prepare';

export type PreparedImage = PreparedImageInfo & { data: Buffer };

/** What the sidecar JSON holds: the prepared file's facts, checked against the file when read. */
type Sidecar = Omit<PreparedImageInfo, 'prepareMs'>;

const MEMORY_BYTES = 48 * 1024 * 1024;

export class PreparedCache {
  private readonly memory = new Map<string, PreparedImage>();
  private memoryBytes = 0;

  constructor(readonly dir: string) {}

  private key(hash: string, maxPixels: number): string {
    return `${hash}-${maxPixels}`;
  }

  async get(hash: string, maxPixels: number): Promise<PreparedImage | null> {
    const key = this.key(hash, maxPixels);
    const hit = this.memory.get(key);
    if (hit) {
      this.memory.delete(key); // re-insert: Map order is the LRU order
      this.memory.set(key, hit);
      return hit;
    }
    try {
      const info = JSON.parse(await readFile(join(this.dir, `${key}.json`), 'utf8')) as Sidecar;
      const data = await readFile(join(this.dir, `${key}.${extensionOf(info.mime)}`));
      if (sha256(data) !== info.sentHash) return null; // a damaged cache entry is prepared again
      const got = { ...info, prepareMs: 0, data };
      this.remember(key, got);
      return got;
    } catch {
      return null;
    }
  }

  async put(p: PreparedImage, maxPixels: number): Promise<void> {
    const key = this.key(p.hash, maxPixels);
    this.remember(key, p);
    const { data, prepareMs: _ms, ...info } = p;
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    // The image first, its sidecar last (renamed into place): a sidecar always describes a whole file.
    await writeFile(join(this.dir, `${key}.${extensionOf(p.mime)}`), data, { mode: 0o600 });
    const tmp = join(this.dir, `${key}.json.${randomBytes(6).toString('hex')}.tmp`);
    await writeFile(tmp, JSON.stringify(info), { mode: 0o600 });
    await rename(tmp, join(this.dir, `${key}.json`));
  }

  /** Forgets every prepared form of the given stored images (they were removed). */
  async drop(hashes: ReadonlySet<string>): Promise<void> {
    for (const [key, v] of this.memory) {
      if (!hashes.has(v.hash)) continue;
      this.memory.delete(key);
      this.memoryBytes -= v.data.length;
    }
    const names = await readdir(this.dir).catch(() => [] as string[]);
    for (const n of names) if (hashes.has(n.slice(0, 64))) await rm(join(this.dir, n), { force: true });
  }

  private remember(key: string, p: PreparedImage): void {
    const old = this.memory.get(key);
    if (old) this.memoryBytes -= old.data.length;
    this.memory.delete(key);
    if (p.data.length > MEMORY_BYTES / 4) return; // a huge one would evict everything else
    this.memory.set(key, p);
    this.memoryBytes += p.data.length;
    for (const [k, v] of this.memory) {
      if (this.memoryBytes <= MEMORY_BYTES) break;
      this.memory.delete(k);
      this.memoryBytes -= v.data.length;
    }
  }
}
