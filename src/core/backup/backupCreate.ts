// Writes a backup archive while the app runs: SQLite's online backup API copies the database consistently
// (never a file copy, which could catch a half-written WAL), then the referenced files stream into a tar with
// each part hashed as it is written; the manifest comes last, so an archive cut short has none.
import Database from 'better-sqlite3';
import { createHash, createHmac } from 'node:crypto';
import { closeSync, createReadStream, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, statSync, createWriteStream } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { readFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { BACKUP_FORMAT, BACKUP_FORMAT_VERSION, type BackupManifest, type BackupPart, type BackupProgress, type BackupResult } from '../../shared/backup.schema';
import type { Db } from '../db/openDb';
import { CoreError, withDiskFull } from '../errors';
import { AuditLog, CHECKPOINT_FILE, HMAC_KEY_NAME } from '../guard/auditLog';
import type { SecretStore } from '../secrets/secretStore';
import { sealKey } from './keyExport';
import { endOfArchive, padding, tarHeader } from './tar';
import { workspaceFiles } from './workspaceFiles';

export interface BackupOptions {
  db: Db;
  dataDir: string;
  secrets: SecretStore;
  appVersion: string;
  backupId: string;
  path: string;
  gzip: boolean;
  keyPassphrase?: string;
  signal: AbortSignal;
  onProgress(p: BackupProgress): void;
  /** Pauses the image collector until the returned release: the images the copy lists must stay until copied. */
  holdImages?: () => Promise<() => void>;
  now?: () => number;
}

interface Entry {
  name: string;
  role: BackupPart['role'];
  size: number;
  mtimeMs: number;
  file?: string;
  data?: Buffer;
  path?: string;
  source?: string;
}

const PROGRESS_MS = 200;
const CHUNK = 1 << 20;

function readCheckpoint(dataDir: string): { seq: number; hash: string; hmac: string } | null {
  try {
    const c = JSON.parse(readFileSync(resolve(dataDir, CHECKPOINT_FILE), 'utf8')) as { seq: number; hash: string; hmac: string };
    return Number.isInteger(c.seq) && typeof c.hash === 'string' && typeof c.hmac === 'string' ? c : null;
  } catch {
    return null;
  }
}

/**
 * The audit state of the copy, and a checkpoint for its head: the live checkpoint (read before copying) must
 * verify and lie on the copy's chain; then the copy's head is signed, as the app would after its last append.
 */
function auditOfCopy(copy: Db, dataDir: string, secrets: SecretStore, cp: ReturnType<typeof readCheckpoint>): { audit: BackupManifest['audit']; checkpoint: Buffer | null } {
  const hasLog = copy.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'audit_log'").get() !== undefined;
  if (!hasLog) return { audit: { ok: true, count: 0, message: 'no audit log in this schema' }, checkpoint: null };
  const chain = new AuditLog(copy, { dataDir, secrets }).verifyChain(cp?.seq);
  if (!chain.ok) return { audit: { ok: false, count: chain.count, message: chain.message }, checkpoint: null };
  if (chain.headSeq === null) return { audit: { ok: true, count: 0, message: 'the audit log is empty' }, checkpoint: null };
  const stored = secrets.get(HMAC_KEY_NAME);
  const key = stored ? Buffer.from(stored, 'base64') : null;
  const sign = (seq: number, hash: string) => (key ? createHmac('sha256', key).update(`${seq}:${hash}`).digest('hex') : '');
  const original = existsSync(resolve(dataDir, CHECKPOINT_FILE)) ? readFileSync(resolve(dataDir, CHECKPOINT_FILE)) : null;
  const problem = !cp
    ? 'no checkpoint'
    : !key
      ? `its key is not in ${secrets.description}`
      : sign(cp.seq, cp.hash) !== cp.hmac
        ? 'the checkpoint HMAC does not match'
        : chain.hashAtSeq !== cp.hash
          ? `record ${cp.seq} differs from the checkpointed one`
          : null;
  if (problem) return { audit: { ok: false, count: chain.count, message: `${chain.message}, but ${problem}` }, checkpoint: original };
  const checkpoint = Buffer.from(JSON.stringify({ seq: chain.headSeq, hash: chain.headHash, hmac: sign(chain.headSeq, chain.headHash as string) }));
  return { audit: { ok: true, count: chain.count, message: `${chain.message}; the head (record ${chain.headSeq}) is checkpointed` }, checkpoint };
}

export async function createBackup(o: BackupOptions): Promise<BackupResult> {
  const now = o.now ?? Date.now;
  const started = now();
  const out = resolve(o.path);
  const dir = dirname(out);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CoreError('BAD_INPUT', `path: the folder ${dir} does not exist; create it or choose another`);
  const tmpDb = `${out}.${process.pid}.db.tmp`;
  const tmpOut = `${out}.${process.pid}.partial`;
  let bytesTotal = 0;
  let bytesDone = 0;
  let last = 0;
  const progress = (phase: BackupProgress['phase'], part: string | null, force = false) => {
    const t = now();
    if (!force && t - last < PROGRESS_MS) return;
    last = t;
    o.onProgress({ backupId: o.backupId, phase, bytesDone, bytesTotal, part });
  };
  const aborted = () => new CoreError('CONFLICT', `The backup to ${out} was cancelled; no archive was written`);
  // Taken before the database copy: an image it lists cannot be collected before its file is in the archive.
  const releaseImages = o.holdImages ? await o.holdImages() : () => undefined;
  try {
    let key: Buffer | null = null;
    if (o.keyPassphrase !== undefined) {
      const stored = o.secrets.get(HMAC_KEY_NAME);
      if (!stored) throw new CoreError('BAD_INPUT', `keyPassphrase: there is no audit key to export yet (${o.secrets.description} holds none; nothing was audited)`);
      key = Buffer.from(stored, 'base64');
    }
    const cp = readCheckpoint(o.dataDir);
    progress('database', 'lamplight.db', true);
    rmSync(tmpDb, { force: true });
    await o.db.backup(tmpDb, {
      progress: ({ totalPages, remainingPages }) => {
        if (o.signal.aborted) throw aborted(); // rejects the backup promise; the copy stops
        bytesDone = totalPages - remainingPages;
        bytesTotal = totalPages;
        progress('database', 'lamplight.db');
        return 256;
      },
    });
    if (o.signal.aborted) throw aborted();
    const copy = new Database(tmpDb);
    let schemaVersion: number;
    let audit: BackupManifest['audit'];
    let checkpoint: Buffer | null;
    let files: ReturnType<typeof workspaceFiles>;
    try {
      // A self-contained file: the archive must not depend on a -wal beside it.
      copy.pragma('journal_mode = DELETE');
      schemaVersion = copy.pragma('user_version', { simple: true }) as number;
      ({ audit, checkpoint } = auditOfCopy(copy, o.dataDir, o.secrets, cp));
      files = workspaceFiles(copy, o.dataDir);
    } finally {
      copy.close();
    }

    const dbStat = statSync(tmpDb);
    const entries: Entry[] = [{ name: 'lamplight.db', role: 'database', size: dbStat.size, mtimeMs: started, file: tmpDb }];
    if (checkpoint) entries.push({ name: 'audit-head.json', role: 'checkpoint', size: checkpoint.length, mtimeMs: started, data: checkpoint });
    files.inside.forEach((f, i) =>
      entries.push({ name: `files/${String(i + 1).padStart(5, '0')}`, role: 'file', size: f.size, mtimeMs: f.mtimeMs, file: f.abs, path: f.rel, source: f.source }),
    );
    if (key) {
      const sealed = sealKey(key, o.keyPassphrase as string);
      entries.push({ name: 'audit-key.sealed', role: 'auditKey', size: sealed.length, mtimeMs: started, data: sealed });
    }
    bytesTotal = entries.reduce((n, e) => n + e.size, 0);
    bytesDone = 0;

    const parts: BackupPart[] = [];
    async function* archive(): AsyncGenerator<Buffer> {
      for (const e of entries) {
        if (o.signal.aborted) throw aborted();
        yield tarHeader({ name: e.name, size: e.size, mtimeMs: e.mtimeMs });
        const h = createHash('sha256');
        let n = 0;
        const label = e.path ?? e.name;
        // A file of one chunk or less is read in one call: a stream per file costs more than the read for
        // thousands of small images. Larger ones stream, 1 MiB at a time.
        const chunks: AsyncIterable<Buffer> | Buffer[] = e.data ? [e.data] : e.size <= CHUNK ? [await readFile(e.file as string)] : createReadStream(e.file as string, { highWaterMark: CHUNK });
        for await (const c of chunks) {
          if (o.signal.aborted) throw aborted();
          n += c.length;
          if (n > e.size) break;
          h.update(c);
          bytesDone += c.length;
          progress(e.role === 'database' ? 'database' : 'files', label);
          yield c;
        }
        if (n !== e.size) throw new CoreError('CONFLICT', `${e.file ?? e.name} changed while it was backed up (${e.size} bytes when listed, ${n} when read); try again`);
        yield padding(e.size);
        parts.push({ name: e.name, role: e.role, size: e.size, sha256: h.digest('hex'), ...(e.path ? { path: e.path, source: e.source } : {}) });
      }
      const manifest: BackupManifest = {
        format: BACKUP_FORMAT,
        formatVersion: BACKUP_FORMAT_VERSION,
        appVersion: o.appVersion,
        schemaVersion,
        createdAt: started,
        dataDir: resolve(o.dataDir),
        parts,
        external: files.external,
        audit,
      };
      const m = Buffer.from(JSON.stringify(manifest, null, 2));
      yield tarHeader({ name: 'manifest.json', size: m.length, mtimeMs: started });
      yield m;
      yield padding(m.length);
      yield endOfArchive();
    }
    try {
      const file = createWriteStream(tmpOut, { mode: 0o600 });
      if (o.gzip) await pipeline(Readable.from(archive()), createGzip(), file);
      else await pipeline(Readable.from(archive()), file);
    } catch (e) {
      throw withDiskFull(e, o.dataDir, tmpOut);
    }
    const fd = openSync(tmpOut, 'r+');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmpOut, out);
    progress('done', null, true);
    return { path: out, bytes: statSync(out).size, parts: parts.length, external: files.external.length, schemaVersion, ms: now() - started };
  } catch (e) {
    rmSync(tmpOut, { force: true });
    if (o.signal.aborted && !(e instanceof CoreError)) throw aborted();
    throw withDiskFull(e, o.dataDir, tmpDb);
  } finally {
    releaseImages();
    rmSync(tmpDb, { force: true });
  }
}
