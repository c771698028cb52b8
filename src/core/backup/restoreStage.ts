// Unpacks a backup into a staging folder and proves it good before anything of the current workspace is
// touched: every part against the manifest's sha256 and size, the schema no newer than this build's,
// PRAGMA integrity_check, and the audit chain by its hashes (and its checkpoint by an HMAC key where one fits).
import Database from 'better-sqlite3';
import { createHash, createHmac } from 'node:crypto';
import { closeSync, createReadStream, existsSync, mkdirSync, openSync, readFileSync, readSync, statSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { BACKUP_FORMAT, BACKUP_FORMAT_VERSION, BackupManifest, type RestoreSummary } from '../../shared/backup.schema';
import { CoreError } from '../errors';
import { AuditLog, HMAC_KEY_NAME } from '../guard/auditLog';
import type { SecretStore } from '../secrets/secretStore';
import { openKey } from './keyExport';
import { readTar, TarError } from './tar';
import { IMAGE_PATH, IMAGES_DIR, WORKSPACE_CORE_FILES } from './workspaceFiles';

export interface StageOptions {
  archive: string;
  /** An empty folder on the same disk as the data folder (so applying is a rename). */
  stagingDir: string;
  secrets: SecretStore;
  appVersion: string;
  /** The newest schema this build knows. */
  knownSchema: number;
  keyPassphrase?: string;
}

export interface StagedRestore {
  dir: string;
  manifest: BackupManifest;
  summary: RestoreSummary;
  /** The archive's own HMAC key, opened with the passphrase, for this machine to adopt. */
  adoptKey: Buffer | null;
}

const MAX_MANIFEST = 64 << 20;
const SAFE_NAME = /^(lamplight\.db|audit-head\.json|audit-key\.sealed|manifest\.json|files\/\d{5,})$/;

/** A data-folder path a restored file may take: inside it, and not the database, checkpoint or secret store. */
function safeDataPath(p: string): boolean {
  const segs = p.split('/');
  if (p.includes('\\') || p.startsWith('/') || /^[A-Za-z]:/.test(p) || segs.some((x) => x === '..' || x === '.' || x === '')) return false;
  const top = segs[0] as string;
  return !(WORKSPACE_CORE_FILES as readonly string[]).includes(p) && !top.startsWith('secrets') && !top.startsWith('.restore') && !top.startsWith('.before-restore');
}

export const partPath = (dir: string, name: string): string => join(dir, 'parts', name);

/** The names stored images are shown under, from the staged database (none where it cannot say). */
function imageNames(dbFile: string, hashes: string[]): Map<string, string> {
  const out = new Map<string, string>();
  try {
    const db = new Database(dbFile, { readonly: true, fileMustExist: true });
    try {
      const get = db.prepare<[string], { name: string }>('SELECT name FROM images WHERE hash = ?');
      for (const h of hashes) {
        const name = get.get(h)?.name;
        if (name) out.set(h, name);
      }
    } finally {
      db.close();
    }
  } catch {
    // an archive from before images, or a database that fails below: the paths alone name them
  }
  return out;
}

/**
 * A stored image is named by the sha256 of its bytes, so its part must hash to its own name, whatever the
 * manifest says (a manifest can be rewritten along with the bytes). Returns why not, or null.
 */
function imageProblem(path: string, got: { size: number; sha256: string }, p: { size: number; sha256: string }): string | null {
  const m = IMAGE_PATH.exec(path);
  if (!m) return 'it is in the image folder but not named as a stored image (images/<2 hex>/<sha256>.png|jpg|webp)';
  if (m[1] !== (m[2] as string).slice(0, 2)) return 'its folder is not the first two digits of its hash';
  if (got.sha256 !== m[2]) return `its bytes hash to ${got.sha256.slice(0, 12)}…, not to the hash it is named by`;
  if (got.size !== p.size || got.sha256 !== p.sha256) return 'it differs from the manifest';
  return null;
}

function isGzip(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const b = Buffer.alloc(2);
    return readSync(fd, b, 0, 2, 0) === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

/** Extracts every entry, hashing as it writes; returns the hashes and the manifest bytes. */
async function extract(archive: string, dir: string): Promise<{ seen: Map<string, { size: number; sha256: string }>; manifest: Buffer | null }> {
  const seen = new Map<string, { size: number; sha256: string }>();
  let manifest: Buffer | null = null;
  const raw = createReadStream(archive, { highWaterMark: 1 << 20 });
  const source: Readable = isGzip(archive) ? raw.pipe(createGunzip()) : raw;
  raw.on('error', (e) => source.destroy(e));
  try {
    for await (const e of readTar(source)) {
      if (!SAFE_NAME.test(e.name)) throw new TarError(`entry "${e.name}" is not part of a Lamplight backup`);
      if (seen.has(e.name)) throw new TarError(`entry "${e.name}" appears twice`);
      const h = createHash('sha256');
      let size = 0;
      if (e.name === 'manifest.json') {
        if (e.size > MAX_MANIFEST) throw new TarError(`manifest.json is ${e.size} bytes, more than a manifest can be`);
        const chunks: Buffer[] = [];
        for await (const c of e.body) chunks.push(c);
        manifest = Buffer.concat(chunks);
        seen.set(e.name, { size: manifest.length, sha256: '' });
        continue;
      }
      const out = partPath(dir, e.name);
      mkdirSync(dirname(out), { recursive: true });
      const fd = openSync(out, 'w', 0o600);
      try {
        for await (const c of e.body) {
          h.update(c);
          size += c.length;
          writeSync(fd, c);
        }
      } finally {
        closeSync(fd);
      }
      seen.set(e.name, { size, sha256: h.digest('hex') });
    }
  } catch (e) {
    if (e instanceof TarError) throw e;
    const code = (e as { code?: string }).code;
    if (code === 'Z_BUF_ERROR' || code === 'Z_DATA_ERROR') throw new TarError(`its gzip stream is damaged or cut short (${(e as Error).message})`);
    throw e;
  } finally {
    source.destroy();
  }
  return { seen, manifest };
}

function readCheckpointPart(file: string): { seq: number; hash: string; hmac: string } | null {
  try {
    const c = JSON.parse(readFileSync(file, 'utf8')) as { seq: number; hash: string; hmac: string };
    if (Number.isInteger(c.seq) && typeof c.hash === 'string' && typeof c.hmac === 'string') return c;
  } catch {
    // falls through
  }
  return null;
}

const signs = (key: Buffer | null, cp: { seq: number; hash: string; hmac: string }): boolean =>
  !!key && createHmac('sha256', key).update(`${cp.seq}:${cp.hash}`).digest('hex') === cp.hmac;

export async function stageRestore(o: StageOptions): Promise<StagedRestore> {
  const archive = resolve(o.archive);
  const refuse = (why: string): never => {
    throw new CoreError('BAD_INPUT', `${archive}: ${why}; nothing was changed`);
  };
  if (!existsSync(archive) || !statSync(archive).isFile()) throw new CoreError('NOT_FOUND', `path: ${archive} does not exist or is not a file`);
  let extracted: Awaited<ReturnType<typeof extract>>;
  try {
    extracted = await extract(archive, o.stagingDir);
  } catch (e) {
    if (e instanceof TarError) return refuse(`the archive is damaged: ${e.message}`);
    throw e;
  }
  const { seen } = extracted;
  if (!extracted.manifest) return refuse('manifest.json is missing (the archive is truncated, or not a Lamplight backup)');
  let manifest: BackupManifest;
  try {
    const json: unknown = JSON.parse(extracted.manifest.toString('utf8'));
    if ((json as { format?: unknown }).format !== BACKUP_FORMAT) return refuse('manifest.json is not a Lamplight backup manifest');
    manifest = BackupManifest.parse(json);
  } catch (e) {
    if (e instanceof CoreError) throw e;
    return refuse(`manifest.json is not valid (${(e as Error).message.split('\n')[0]})`);
  }
  if (manifest.formatVersion > BACKUP_FORMAT_VERSION) return refuse(`it was written in backup format ${manifest.formatVersion} by Lamplight ${manifest.appVersion}; this Lamplight ${o.appVersion} reads up to format ${BACKUP_FORMAT_VERSION}`);
  if (manifest.schemaVersion > o.knownSchema) {
    return refuse(`part lamplight.db has database schema ${manifest.schemaVersion} (written by Lamplight ${manifest.appVersion}); this Lamplight ${o.appVersion} knows up to schema ${o.knownSchema}. Update Lamplight to restore it`);
  }

  const badImages: { hash: string; path: string; why: string }[] = [];
  for (const p of manifest.parts) {
    const label = p.path ? `part ${p.name} (${p.path})` : `part ${p.name}`;
    const got = seen.get(p.name);
    if (!got) return refuse(`${label} is missing from the archive`);
    if (p.path?.startsWith(`${IMAGES_DIR}/`)) {
      const why = imageProblem(p.path, got, p);
      if (why) {
        badImages.push({ hash: IMAGE_PATH.exec(p.path)?.[2] ?? '', path: p.path, why });
        continue;
      }
    }
    if (got.size !== p.size) return refuse(`${label} is ${got.size} bytes but the manifest says ${p.size}`);
    if (got.sha256 !== p.sha256) return refuse(`${label} is damaged: its sha256 does not match the manifest`);
    if (p.path !== undefined && !safeDataPath(p.path)) return refuse(`${label}: its path leaves the data folder or names a file Lamplight keeps itself`);
  }
  const dbPart = manifest.parts.find((p) => p.role === 'database');
  if (badImages.length) {
    // Every altered image by the name it was stored under: not restored, and not silently dropped either.
    const names = dbPart ? imageNames(partPath(o.stagingDir, dbPart.name), badImages.map((b) => b.hash)) : new Map<string, string>();
    const list = badImages.slice(0, 5).map((b) => `"${names.get(b.hash) ?? b.path}" (${b.path}): ${b.why}`);
    const more = badImages.length > 5 ? `, and ${badImages.length - 5} more` : '';
    return refuse(`${badImages.length} stored image${badImages.length === 1 ? '' : 's'} failed the content-hash check (altered or damaged since stored): ${list.join('; ')}${more}`);
  }
  const listed = new Set(manifest.parts.map((p) => p.name));
  for (const name of seen.keys()) if (name !== 'manifest.json' && !listed.has(name)) return refuse(`entry ${name} is not in the manifest`);
  if (!dbPart) return refuse('the manifest lists no database (part lamplight.db)');

  // The database itself, opened read-only: nothing of the staged copy changes before it is proven good.
  let db: Database.Database;
  try {
    db = new Database(partPath(o.stagingDir, dbPart.name), { readonly: true, fileMustExist: true });
  } catch (e) {
    return refuse(`part lamplight.db cannot be opened as a database (${(e as Error).message})`);
  }
  let auditRecords = 0;
  let checkpoint: RestoreSummary['checkpoint'] = 'none';
  let adoptKey: Buffer | null = null;
  try {
    let problems: string[];
    let version: number;
    try {
      problems = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
      version = db.pragma('user_version', { simple: true }) as number;
    } catch (e) {
      return refuse(`part lamplight.db fails PRAGMA integrity_check (${(e as Error).message})`);
    }
    if (problems.join() !== 'ok') return refuse(`part lamplight.db fails PRAGMA integrity_check: ${problems.slice(0, 3).join('; ')}`);
    if (version !== manifest.schemaVersion) return refuse(`part lamplight.db has schema ${version} but the manifest says ${manifest.schemaVersion}`);

    if (db.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'audit_log'").get() !== undefined) {
      const cpPart = manifest.parts.find((p) => p.role === 'checkpoint');
      const cp = cpPart ? readCheckpointPart(partPath(o.stagingDir, cpPart.name)) : null;
      if (cpPart && !cp) return refuse('part audit-head.json is not a valid checkpoint');
      const chain = new AuditLog(db, { dataDir: o.stagingDir, secrets: o.secrets }).verifyChain(cp?.seq);
      auditRecords = chain.count;
      if (!chain.ok) return refuse(`the audit log in part lamplight.db is broken: ${chain.message}`);
      if (cp) {
        if (chain.headSeq !== cp.seq || chain.hashAtSeq !== cp.hash) {
          return refuse(`part audit-head.json checkpoints record ${cp.seq} but the log ${chain.headSeq === null ? 'is empty' : `ends at record ${chain.headSeq}`} or differs there (records were cut or rewritten)`);
        }
        const local = o.secrets.get(HMAC_KEY_NAME);
        const keyPart = manifest.parts.find((p) => p.role === 'auditKey');
        if (signs(local ? Buffer.from(local, 'base64') : null, cp)) checkpoint = 'same-key';
        else if (keyPart && o.keyPassphrase !== undefined) {
          const key = openKey(readFileSync(partPath(o.stagingDir, keyPart.name)), o.keyPassphrase, `part ${keyPart.name}`);
          if (!signs(key, cp)) return refuse(`part audit-head.json is not signed by the key in part ${keyPart.name} (the checkpoint was altered)`);
          checkpoint = 'exported-key';
          adoptKey = key;
        } else checkpoint = 're-anchor';
      } else if (chain.headSeq !== null) checkpoint = 're-anchor';
    }
  } finally {
    db.close();
  }
  return {
    dir: o.stagingDir,
    manifest,
    adoptKey,
    summary: {
      archive,
      appVersion: manifest.appVersion,
      schemaVersion: manifest.schemaVersion,
      createdAt: manifest.createdAt,
      parts: manifest.parts.length,
      external: manifest.external.length,
      checkpoint,
      auditRecords,
    },
  };
}
