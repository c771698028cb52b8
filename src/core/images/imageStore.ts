// Prompt images, stored once by content hash in the data folder (images/<2 hex>/<hash>.<ext>, 0600) with a
// row in `images`, and prepared for a target's pixel budget before they leave. Features that keep hashes
// (runs, prompt versions, test sets…) register a reference list; gc() removes what none of them mention.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MAX_INPUT_IMAGE_BYTES, MAX_INPUT_IMAGE_PIXELS, type ImageMime, type StoredImage } from '../../shared/images.schema';
import { CoreError } from '../coreError';
import type { ImagesRepo } from './images.repo';
import { PreparedCache, type PreparedImage } from './preparedCache';
import { estimateTokens, extensionOf, fitInside, normalizeForStore, reencodeForSending, sha256, thumbnailOf } from './prepare';
import { sniffImage } from './sniff';

export type { PreparedImage } from './preparedCache';

/** Visual tokens of a width×height image for a known encoder (a loaded projector); null when it cannot tell. */
export type TokenEstimator = (width: number, height: number) => number | null;

/** Stored files proven against their hash in this process (a few bytes each). */
const VERIFIED_MAX = 50_000;
/** Originals kept in memory to send as they are. */
const AS_STORED_BYTES = 64 * 1024 * 1024;

/** Images added this recently are never collected: a draft prompt may hold one before any run refers to it. */
export const GC_GRACE_MS = 24 * 60 * 60_000;

/** Where a stored image lives inside the store's folder, with forward slashes (backups copy this layout). */
export const storedImageFile = (hash: string, mime: ImageMime): string => `${hash.slice(0, 2)}/${hash}.${extensionOf(mime)}`;

const fmt = (n: number) => n.toLocaleString('en-US');

/** The name shown for an image: the last path component, without control characters, at most 255. */
export function displayName(raw: string | undefined): string {
  const base = (raw ?? '').split(/[\\/]/).pop() ?? '';
  const name = base.replace(/\p{C}/gu, '_').trim().slice(0, 255);
  return name || 'image';
}

export interface ImageStoreOptions {
  repo: ImagesRepo;
  /** DATA_DIR/images */
  dir: string;
  now?: () => number;
  /** The hash of stored bytes (tests count the calls). */
  hash?: (bytes: Buffer) => string;
}

export class ImageStore {
  readonly dir: string;
  private readonly repo: ImagesRepo;
  private readonly now: () => number;
  private readonly cache: PreparedCache;
  private readonly refs = new Map<string, () => Iterable<string>>();
  /** Serializes what must not interleave: an add's commit (file + row) and the collector's removals. */
  private lock: Promise<unknown> = Promise.resolve();
  private collecting: Promise<{ removed: number; bytes: number }> | null = null;
  private gcTimer: NodeJS.Timeout | null = null;
  /** Backups under way: while one copies the files its database copy lists, nothing is collected. */
  private holds = 0;
  /** Downscales under way, by hash and budget: Compare sends one image to several targets at once. */
  private readonly preparing = new Map<string, Promise<PreparedImage>>();
  /** Recent thumbnails (history grids ask for the same few again and again). */
  private readonly thumbnails = new Map<string, string>();
  /** Stat facts of each stored file when it was last proven against its hash (see checkOriginal). */
  private readonly verified = new Map<string, { size: number; mtimeMs: number; ctimeMs: number; ino: number }>();
  /** Recently sent originals (sent as stored), by hash. */
  private readonly asStored = new Map<string, Buffer>();
  private asStoredBytes = 0;
  private readonly hashBytes: (bytes: Buffer) => string;

  constructor(opts: ImageStoreOptions) {
    this.repo = opts.repo;
    this.dir = opts.dir;
    this.now = opts.now ?? Date.now;
    this.hashBytes = opts.hash ?? sha256;
    this.cache = new PreparedCache(join(this.dir, 'prepared'));
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  /** A file on this machine; `name` (default: the file's name) is what the image is shown as. */
  async add(path: string, name?: string): Promise<StoredImage> {
    const shown = displayName(name ?? path);
    const st = await stat(path).catch((e: NodeJS.ErrnoException) => {
      throw new CoreError('BAD_INPUT', `${shown}: ${e.code === 'ENOENT' ? 'no such file' : `cannot read it (${e.code ?? e.message})`}: ${path}`);
    });
    if (!st.isFile()) throw new CoreError('BAD_INPUT', `${shown}: not a file: ${path}`);
    this.checkSize(shown, st.size);
    return this.addData(shown, await readFile(path));
  }

  /** Bytes from a paste or a drop. Refusals (CoreError BAD_INPUT) name the image and the reason. */
  async addData(name: string, bytes: Buffer): Promise<StoredImage> {
    const shown = displayName(name);
    this.checkSize(shown, bytes.length);
    const sniffed = sniffImage(bytes, shown);
    const pixels = sniffed.width * sniffed.height;
    if (pixels > MAX_INPUT_IMAGE_PIXELS) {
      throw new CoreError(
        'BAD_INPUT',
        `${shown}: the image is ${sniffed.width}×${sniffed.height} (${fmt(pixels)} pixels); at most ${fmt(MAX_INPUT_IMAGE_PIXELS)} pixels are accepted`,
      );
    }
    const stored = await normalizeForStore(bytes, sniffed, shown);
    const hash = sha256(stored.data);
    return this.exclusive(async () => {
      const file = this.pathFor(hash, stored.mime);
      // The same bytes already there are kept; a file changed on disk since is replaced by the right bytes.
      if (!(await readFile(file).then((b) => b.equals(stored.data), () => false))) {
        // Written whole or not at all: a temp file in the store, renamed into place.
        const tmpDir = join(this.dir, 'tmp');
        await mkdir(tmpDir, { recursive: true, mode: 0o700 });
        await mkdir(join(this.dir, hash.slice(0, 2)), { recursive: true, mode: 0o700 });
        const tmp = join(tmpDir, `${hash}.${randomBytes(6).toString('hex')}`);
        try {
          await writeFile(tmp, stored.data, { mode: 0o600, flag: 'wx' });
          await rename(tmp, file);
        } catch (e) {
          await rm(tmp, { force: true });
          throw e;
        }
      }
      const row = this.repo.upsert({ hash, name: shown, mime: stored.mime, width: stored.width, height: stored.height, bytes: stored.data.length, createdAt: this.now() });
      // The row keeps the name it was first stored under; the caller gets the name it gave.
      return { ...row, name: shown, ...(stored.notes.length > 0 ? { notes: stored.notes } : {}) };
    });
  }

  get(hash: string): StoredImage {
    const img = this.repo.get(hash);
    if (!img) throw new CoreError('NOT_FOUND', `no stored image ${hash}`);
    return img;
  }

  /** The stored file (NOT_FOUND when the hash is not stored). */
  filePath(hash: string): string {
    return this.pathFor(hash, this.get(hash).mime);
  }

  /**
   * What is sent for this image under `maxPixels`: the stored bytes as they are when they fit, else a
   * downscaled re-encode (cached by hash and budget on disk and in memory; `cache: false` bypasses it).
   * A WebP original (stores older than its conversion on add) is always sent as PNG or JPEG. `projector`:
   * the encoder that will read it, for its own token count (else Qwen2-VL's rules).
   */
  async prepare(hash: string, maxPixels: number, opts: { cache?: boolean; projector?: TokenEstimator } = {}): Promise<PreparedImage> {
    const t0 = performance.now();
    const img = this.get(hash);
    const size = fitInside(img.width, img.height, maxPixels);
    const estTokens = opts.projector ? opts.projector(size.width, size.height) : estimateTokens(size.width, size.height);
    const done = (p: PreparedImage): PreparedImage => ({ ...p, estTokens, prepareMs: performance.now() - t0 });
    // Bytes read now when the file is new to this process or changed on disk (checked against its hash).
    const checked = await this.checkOriginal(img);
    const base = { hash, mime: img.mime, ...size, estTokens };
    if (size.width === img.width && size.height === img.height && img.mime !== 'image/webp') {
      const data = checked ?? this.asStored.get(hash) ?? (await this.read(img));
      this.rememberAsStored(hash, data);
      return done({ ...base, sentHash: hash, bytes: data.length, downscaled: false, prepareMs: 0, data });
    }
    if (opts.cache === false) return done(await this.reencoded(img, base, checked));
    const key = `${hash}-${maxPixels}`;
    const hit = await this.cache.get(hash, maxPixels);
    // A WebP prepared by older code would be refused by llama-server: prepared again.
    if (hit && hit.mime !== 'image/webp') return done(hit);
    let pending = this.preparing.get(key);
    if (!pending) {
      pending = this.reencoded(img, base, checked).then(async (p) => {
        // The cache is an optimization: a full disk must not fail the run that needed the image.
        await this.cache.put(p, maxPixels).catch(() => undefined);
        return p;
      });
      this.preparing.set(key, pending);
      void pending.finally(() => this.preparing.delete(key)).catch(() => undefined);
    }
    return done(await pending);
  }

  private async reencoded(img: StoredImage, base: Omit<PreparedImage, 'sentHash' | 'bytes' | 'downscaled' | 'prepareMs' | 'data'>, original: Buffer | null): Promise<PreparedImage> {
    const { data, mime } = await reencodeForSending(original ?? (await this.read(img)), img.mime, base.width, base.height);
    const downscaled = base.width !== img.width || base.height !== img.height;
    return { ...base, mime, sentHash: sha256(data), bytes: data.length, downscaled, prepareMs: 0, data };
  }

  /**
   * Stored files are named by their content and written once: one read and hash per process proves a file,
   * and later a stat with the same size, mtime, ctime and inode is enough. A file that changed is read and
   * hashed again (its bytes returned); one whose bytes no longer match its hash is refused, not sent.
   */
  private async checkOriginal(img: StoredImage): Promise<Buffer | null> {
    const file = this.pathFor(img.hash, img.mime);
    const st = await stat(file).catch((e: NodeJS.ErrnoException) => {
      throw this.unreadable(img, file, e);
    });
    const seen = this.verified.get(img.hash);
    if (seen && seen.size === st.size && seen.mtimeMs === st.mtimeMs && seen.ctimeMs === st.ctimeMs && seen.ino === st.ino) return null;
    this.verified.delete(img.hash);
    this.asStored.delete(img.hash);
    const data = await this.read(img);
    const actual = this.hashBytes(data);
    if (actual !== img.hash) {
      throw new CoreError(
        'CONFLICT',
        `image ${img.name} (${img.hash}): its file in the data folder was changed since it was stored (its bytes now hash to ${actual}); ` +
          `it is not sent. Restore ${file} from a backup, or add the image again`,
      );
    }
    this.verified.set(img.hash, { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino });
    if (this.verified.size > VERIFIED_MAX) this.verified.delete(this.verified.keys().next().value as string);
    return data;
  }

  /** Originals sent as they are, most recent last, within AS_STORED_BYTES (a huge one is read each time). */
  private rememberAsStored(hash: string, data: Buffer): void {
    const had = this.asStored.get(hash);
    if (had) this.asStoredBytes -= had.length;
    this.asStored.delete(hash);
    if (data.length > AS_STORED_BYTES / 4) return;
    this.asStored.set(hash, data);
    this.asStoredBytes += data.length;
    for (const [k, v] of this.asStored) {
      if (this.asStoredBytes <= AS_STORED_BYTES) break;
      this.asStored.delete(k);
      this.asStoredBytes -= v.length;
    }
  }

  /** A data URL for lists and history (longest side `size`). */
  async thumbnail(hash: string, size: number): Promise<string> {
    const key = `${hash}-${size}`;
    const hit = this.thumbnails.get(key);
    if (hit) return hit;
    const url = await thumbnailOf(await this.read(this.get(hash)), size);
    this.thumbnails.set(key, url);
    if (this.thumbnails.size > 256) this.thumbnails.delete(this.thumbnails.keys().next().value as string);
    return url;
  }

  /** `list` yields every image hash a feature refers to (its runs, versions, rows…); gc keeps those. */
  registerRefs(name: string, list: () => Iterable<string>): void {
    this.refs.set(name, list);
  }

  /**
   * Removes images (file, row, prepared forms) that no registered list mentions and that were not added in
   * the last `graceMs`. With no list registered nothing is removed: what nobody described is not garbage.
   */
  gc(opts: { graceMs?: number } = {}): Promise<{ removed: number; bytes: number }> {
    this.collecting ??= this.collect(opts.graceMs ?? GC_GRACE_MS).finally(() => (this.collecting = null));
    return this.collecting;
  }

  /** Collections remove nothing until the returned release is called; resolves once one under way has ended. */
  async holdCollection(): Promise<() => void> {
    this.holds++;
    await this.collecting?.catch(() => undefined);
    let held = true;
    return () => {
      if (held) this.holds--;
      held = false;
    };
  }

  /** A collection a little later (start-up: after every feature has registered its references). */
  gcSoon(delayMs = 5_000): void {
    if (this.gcTimer) return;
    this.gcTimer = setTimeout(() => {
      this.gcTimer = null;
      void this.gc().catch(() => undefined);
    }, delayMs);
    this.gcTimer.unref();
  }

  async close(): Promise<void> {
    if (this.gcTimer) clearTimeout(this.gcTimer);
    this.gcTimer = null;
    await this.collecting?.catch(() => undefined);
    await this.lock.catch(() => undefined);
  }

  private async collect(graceMs: number): Promise<{ removed: number; bytes: number }> {
    if (this.refs.size === 0) return { removed: 0, bytes: 0 };
    return this.exclusive(async () => {
      if (this.holds > 0) return { removed: 0, bytes: 0 };
      const before = this.now() - graceMs;
      const candidates = this.repo.addedBefore(before);
      if (candidates.length === 0) return { removed: 0, bytes: 0 };
      const r = await this.removeUnused(candidates.map((c) => ({ ...c, before })));
      await this.sweepTmp(before);
      return { removed: r.removed.length, bytes: r.bytes };
    });
  }

  /**
   * Which of these images no registered list mentions now (synchronous: inside a transaction it sees that
   * transaction's deletions). With no list registered, none: what nobody described is not garbage.
   */
  unreferenced(hashes: Iterable<string>): string[] {
    if (this.refs.size === 0) return [];
    const used = this.usedHashes();
    return [...new Set(hashes)].filter((h) => !used.has(h) && this.repo.get(h) !== null);
  }

  /**
   * "Remove now" for images whose last user was just removed: no grace (that is for uploads in progress).
   * Each is removed unless a list mentions it, or it was added again after `before` (someone is using it).
   */
  removeNow(candidates: readonly { hash: string; before: number }[]): Promise<{ removed: string[]; bytes: number }> {
    if (this.refs.size === 0 || candidates.length === 0) return Promise.resolve({ removed: [], bytes: 0 });
    return this.exclusive(() =>
      this.removeUnused(candidates.flatMap((c) => {
        const img = this.repo.get(c.hash);
        return img ? [{ hash: c.hash, mime: img.mime, before: c.before }] : [];
      })),
    );
  }

  private usedHashes(): Set<string> {
    const used = new Set<string>();
    for (const list of this.refs.values()) for (const h of list()) used.add(h);
    return used;
  }

  /** Removes each candidate's file, row and prepared forms unless a list mentions it. Under the lock. */
  private async removeUnused(candidates: readonly { hash: string; mime: StoredImage['mime']; before: number }[]): Promise<{ removed: string[]; bytes: number }> {
    // Every list is read before anything is removed: one that fails stops the removal.
    const used = this.usedHashes();
    const gone = new Set<string>();
    let bytes = 0;
    for (const c of candidates) {
      if (used.has(c.hash) || !this.repo.delete(c.hash, c.before)) continue;
      const file = this.pathFor(c.hash, c.mime);
      bytes += await stat(file).then((s) => s.size, () => 0);
      await rm(file, { force: true });
      gone.add(c.hash);
    }
    await this.cache.drop((hash) => gone.has(hash) || this.repo.get(hash) === null);
    for (const k of [...this.thumbnails.keys()]) if (gone.has(k.slice(0, 64))) this.thumbnails.delete(k);
    for (const h of gone) {
      this.verified.delete(h);
      if (this.asStored.delete(h)) this.asStoredBytes = [...this.asStored.values()].reduce((n, b) => n + b.length, 0);
    }
    return { removed: [...gone], bytes };
  }

  /** Temp files an interrupted add left behind. */
  private async sweepTmp(before: number): Promise<void> {
    const tmpDir = join(this.dir, 'tmp');
    for (const n of await readdir(tmpDir).catch(() => [] as string[])) {
      const f = join(tmpDir, n);
      if ((await stat(f).then((s) => s.mtimeMs, () => Infinity)) < before) await rm(f, { force: true });
    }
  }

  private checkSize(shown: string, bytes: number): void {
    if (bytes > MAX_INPUT_IMAGE_BYTES) {
      throw new CoreError('BAD_INPUT', `${shown}: the file is ${fmt(bytes)} bytes; images may be at most ${fmt(MAX_INPUT_IMAGE_BYTES)} bytes`);
    }
  }

  private pathFor(hash: string, mime: StoredImage['mime']): string {
    return join(this.dir, storedImageFile(hash, mime));
  }

  private async read(img: StoredImage): Promise<Buffer> {
    const file = this.pathFor(img.hash, img.mime);
    return readFile(file).catch((e: NodeJS.ErrnoException) => {
      throw this.unreadable(img, file, e);
    });
  }

  private unreadable(img: StoredImage, file: string, e: NodeJS.ErrnoException): Error {
    if (e.code === 'ENOENT') return new CoreError('NOT_FOUND', `image ${img.name} (${img.hash}): its file is missing from the data folder (${file})`);
    return e;
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => undefined);
    return run;
  }
}
