// The browser host's staging folders in the data folder: uploads (files a browser sent, waiting for the
// command that uses them) and downloads (files an export wrote, waiting for the browser to fetch them).
// Each file lives in its own folder named by a random id; the client's file name is only ever a sanitized
// last component, so the library and import views show a readable name and nothing can leave the folder.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { extname, isAbsolute, join, resolve, sep } from 'node:path';

export type UploadPurpose = 'model' | 'adapter' | 'testset' | 'dataset' | 'image';

export interface StagedUpload {
  id: string;
  name: string;
  path: string;
  purpose: UploadPurpose;
  profileId: string;
  size: number;
  complete: boolean;
  /** Commands using it right now; the sweep never removes a held upload. */
  holds: number;
  lastUsed: number;
}

export interface StagedDownload {
  id: string;
  dir: string;
  profileId: string;
  createdAt: number;
}

const ID = /^[0-9a-f]{32}$/;

/** A command named the staging folder without naming a finished upload in it. */
export class StagingError extends Error {}

/**
 * A name safe as one path component: no separators, control or reserved characters, not `.`/`..`, at most
 * 120 characters with the extension kept. What the client sent is a display name, never a path.
 */
export function safeFileName(raw: string | null | undefined, fallback = 'upload'): string {
  const base = (raw ?? '').split(/[\\/]/).pop() ?? '';
  let name = base
    .normalize('NFC')
    .replace(/[\p{C}<>:"|?*]/gu, '_')
    .replace(/^[.\s]+/, '')
    .trim();
  if (!name || /^_*$/.test(name)) name = fallback;
  if (name.length > 120) {
    const ext = extname(name).slice(0, 16);
    name = name.slice(0, 120 - ext.length) + ext;
  }
  return name;
}

export class FileStaging {
  readonly uploadsDir: string;
  readonly downloadsDir: string;
  private readonly uploads = new Map<string, StagedUpload>();
  private readonly downloads = new Map<string, StagedDownload>();

  constructor(
    readonly dataDir: string,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.uploadsDir = join(dataDir, 'uploads');
    this.downloadsDir = join(dataDir, 'downloads');
  }

  /** Start-up: nothing staged by an earlier run is still wanted (no command survives a restart). */
  async init(): Promise<void> {
    for (const dir of [this.uploadsDir, this.downloadsDir]) {
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true, mode: 0o700 });
    }
  }

  /** Shutdown: nothing staged is of use to the next run, which would remove it anyway. */
  async clear(): Promise<void> {
    this.uploads.clear();
    this.downloads.clear();
    for (const dir of [this.uploadsDir, this.downloadsDir]) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }

  async newUpload(rawName: string | null, purpose: UploadPurpose, profileId: string): Promise<StagedUpload> {
    const id = randomBytes(16).toString('hex');
    const dir = join(this.uploadsDir, id);
    await mkdir(dir, { mode: 0o700 });
    const name = safeFileName(rawName);
    const u: StagedUpload = { id, name, path: join(dir, name), purpose, profileId, size: 0, complete: false, holds: 0, lastUsed: this.now() };
    this.uploads.set(id, u);
    return u;
  }

  uploadsInProgress(profileId: string): number {
    let n = 0;
    for (const u of this.uploads.values()) if (!u.complete && u.profileId === profileId) n++;
    return n;
  }

  complete(id: string, size: number): void {
    const u = this.uploads.get(id);
    if (!u) return;
    u.complete = true;
    u.size = size;
    u.lastUsed = this.now();
  }

  async dropUpload(id: string): Promise<void> {
    this.uploads.delete(id);
    await rm(join(this.uploadsDir, id), { recursive: true, force: true }).catch(() => undefined);
  }

  /**
   * Every finished upload a command's input names. A path into the staging folder that is not one (a part,
   * an expired one, a spelled-differently one) is refused: the core must never keep a staged path.
   */
  referencedBy(input: unknown): StagedUpload[] {
    const found = new Set<StagedUpload>();
    const prefix = this.uploadsDir + sep;
    const walk = (v: unknown, depth: number): void => {
      if (depth > 6 || v === null || typeof v !== 'object') {
        if (typeof v !== 'string' || !isAbsolute(v)) return;
        const abs = resolve(v);
        if (!abs.startsWith(prefix)) return;
        const u = this.uploads.get(abs.slice(prefix.length).split(sep)[0] ?? '');
        if (!u?.complete || u.path !== abs) throw new StagingError(`${v}: no finished upload by that path (uploads unused for a while are removed); upload the file again`);
        found.add(u);
        return;
      }
      for (const x of Object.values(v)) walk(x, depth + 1);
    };
    walk(input, 0);
    return [...found];
  }

  hold(u: StagedUpload): void {
    u.holds++;
    u.lastUsed = this.now();
  }

  release(u: StagedUpload): void {
    u.holds = Math.max(0, u.holds - 1);
    u.lastUsed = this.now();
  }

  /**
   * Moves an upload into a folder of the data folder (models, adapters) under its display name, with a
   * numbered suffix when that name is taken; the staged entry is gone afterwards.
   */
  async adopt(u: StagedUpload, intoDir: string): Promise<string> {
    await mkdir(intoDir, { recursive: true });
    const ext = extname(u.name);
    const stem = u.name.slice(0, u.name.length - ext.length);
    let dest = join(intoDir, u.name);
    for (let n = 2; existsSync(dest) && n < 10_000; n++) dest = join(intoDir, `${stem}-${n}${ext}`);
    await rename(u.path, dest);
    await this.dropUpload(u.id);
    return dest;
  }

  async newDownload(rawName: string | null, profileId: string): Promise<{ id: string; path: string }> {
    const id = randomBytes(16).toString('hex');
    const dir = join(this.downloadsDir, id);
    await mkdir(dir, { mode: 0o700 });
    this.downloads.set(id, { id, dir, profileId, createdAt: this.now() });
    return { id, path: join(dir, safeFileName(rawName, 'export')) };
  }

  /** The staged file for /files/download/<id>/<name>, or null; `name` must be one plain component. */
  async downloadFile(id: string, name: string, profileId: string): Promise<{ path: string; size: number } | null> {
    const d = ID.test(id) ? this.downloads.get(id) : undefined;
    if (!d || d.profileId !== profileId || safeFileName(name, '') !== name) return null;
    const path = join(d.dir, name);
    try {
      const st = await stat(path);
      return st.isFile() ? { path, size: st.size } : null;
    } catch {
      return null;
    }
  }

  /** One-time: a file fully sent is removed, and its folder once it is empty. */
  async sent(id: string, path: string): Promise<void> {
    const d = this.downloads.get(id);
    if (!d) return;
    await rm(path, { force: true }).catch(() => undefined);
    const left = await readdir(d.dir).catch(() => []);
    if (left.length === 0) {
      this.downloads.delete(id);
      await rm(d.dir, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  /** Removes uploads unused for the TTL (never one a command holds) and downloads older than it. */
  async sweep(): Promise<void> {
    const cutoff = this.now() - this.ttlMs;
    for (const u of [...this.uploads.values()]) {
      if (u.complete && u.holds === 0 && u.lastUsed < cutoff) await this.dropUpload(u.id);
    }
    for (const d of [...this.downloads.values()]) {
      if (d.createdAt < cutoff) {
        this.downloads.delete(d.id);
        await rm(d.dir, { recursive: true, force: true }).catch(() => undefined);
      }
    }
  }
}
