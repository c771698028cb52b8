// Puts a verified, staged restore in place of the current workspace. The current database, its WAL, the
// audit checkpoint and every file the restore would overwrite are moved (renamed, same disk) into
// data-dir/.before-restore-<time>/ first; any failure moves everything back. Then the restored database is
// opened (older schemas migrate), its data-folder paths follow a moved data folder, and the audit log gets a
// record of the restore — and of the re-anchor, when the checkpoint is re-signed with this machine's key.
// The image folder is moved aside whole: images the restored database does not list would be orphans there.
import Database from 'better-sqlite3';
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import type { BackupManifest, RestoreSummary } from '../../shared/backup.schema';
import { openDb, type Db } from '../db/openDb';
import { CoreError } from '../errors';
import { AuditLog, CHECKPOINT_FILE, HMAC_KEY_NAME } from '../guard/auditLog';
import type { SecretStore } from '../secrets/secretStore';
import { partPath } from './restoreStage';
import { DB_FILE, IMAGES_DIR, PATH_COLUMNS, WORKSPACE_CORE_FILES } from './workspaceFiles';

export interface ApplyOptions {
  dataDir: string;
  stagingDir: string;
  manifest: BackupManifest;
  summary: RestoreSummary;
  secrets: SecretStore;
  adoptKey: Buffer | null;
  /** Who asked, for the audit record. */
  by: string;
  now?: () => number;
}

/** Refuses when another process has the workspace's database open (the app, the host, another command). */
export function assertNotInUse(dataDir: string): void {
  const file = join(dataDir, DB_FILE);
  if (!existsSync(file)) return;
  const db = new Database(file, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE; COMMIT');
  } catch (e) {
    if ((e as { code?: string }).code === 'SQLITE_BUSY') {
      throw new CoreError('CONFLICT', `The data folder ${dataDir} is in use by a running Lamplight (the app, the browser host or another command); stop it first, or restore from Settings, which applies it at the next start`);
    }
    throw e;
  } finally {
    db.close();
  }
}

function tableExists(db: Db, table: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?").get(table) !== undefined;
}

/** Paths stored under the backup's data folder now point into this one. */
function rewritePaths(db: Db, from: string, to: string): number {
  if (resolve(from) === resolve(to)) return 0;
  const old = resolve(from) + sep;
  const now = resolve(to) + sep;
  let n = 0;
  db.transaction(() => {
    for (const pc of PATH_COLUMNS) {
      if (!tableExists(db, pc.table)) continue;
      n += db.prepare(`UPDATE ${pc.table} SET ${pc.column} = @now || substr(${pc.column}, length(@old) + 1) WHERE substr(${pc.column}, 1, length(@old)) = @old`).run({ old, now }).changes;
    }
  })();
  return n;
}

/** Removes the folders under dir (and dir) that hold no file: what placing files made, once they are moved back. */
function pruneEmptyDirs(dir: string): void {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return;
  for (const d of readdirSync(dir, { withFileTypes: true })) if (d.isDirectory()) pruneEmptyDirs(join(dir, d.name));
  try {
    rmdirSync(dir);
  } catch {
    // not empty: the rename back fails and leaves both where they are, which the caller reports
  }
}

function writeCheckpoint(dataDir: string, seq: number, hash: string, key: Buffer): void {
  const file = join(dataDir, CHECKPOINT_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ seq, hash, hmac: createHmac('sha256', key).update(`${seq}:${hash}`).digest('hex') }), { mode: 0o600 });
  renameSync(tmp, file);
}

function finish(db: Db, o: ApplyOptions, asideDir: string | null): void {
  const now = o.now ?? Date.now;
  const moved = rewritePaths(db, o.manifest.dataDir, o.dataDir);
  if (o.adoptKey) o.secrets.set(HMAC_KEY_NAME, o.adoptKey.toString('base64'));
  const log = new AuditLog(db, { dataDir: o.dataDir, secrets: o.secrets });
  const entry = (decisions: string[], params: Record<string, unknown>) => ({
    kind: 'policy' as const,
    startedAt: now(),
    endedAt: now(),
    profileId: null,
    profileName: o.by,
    role: null,
    path: 'backup.restore',
    target: null,
    params,
    promptVersionId: null,
    runId: null,
    inputHash: null,
    outputHash: null,
    pii: null,
    decisions,
    promptTokens: null,
    completionTokens: null,
    finishReason: null,
    error: null,
  });
  if (o.summary.checkpoint === 're-anchor') {
    const chain = log.verifyChain();
    const stored = o.secrets.get(HMAC_KEY_NAME);
    const key = stored ? Buffer.from(stored, 'base64') : randomBytes(32);
    if (!stored) o.secrets.set(HMAC_KEY_NAME, key.toString('base64'));
    if (chain.headSeq !== null) writeCheckpoint(o.dataDir, chain.headSeq, chain.headHash as string, key);
    log.append(
      entry(
        [`re-anchor: the audit checkpoint was re-signed with this machine's key at record ${chain.headSeq}; the backup's key is not on this machine, so the ${chain.count} restored records were verified by their hashes only`],
        { headSeq: chain.headSeq, headHash: chain.headHash },
      ),
    );
  }
  log.append(
    entry(
      [
        `workspace restored from ${o.summary.archive} (backup of ${new Date(o.manifest.createdAt).toISOString()}, Lamplight ${o.manifest.appVersion}, schema ${o.manifest.schemaVersion}, ${o.summary.parts} parts)`,
        ...(asideDir ? [`the previous workspace was kept in ${asideDir}`] : []),
        ...(moved ? [`${moved} stored path${moved === 1 ? '' : 's'} moved from ${o.manifest.dataDir} to ${o.dataDir}`] : []),
      ],
      { archive: o.summary.archive, createdAt: o.manifest.createdAt, appVersion: o.manifest.appVersion, schemaVersion: o.manifest.schemaVersion, checkpoint: o.summary.checkpoint },
    ),
  );
}

/** Applies a staged restore; returns the folder holding the previous workspace (null when there was none). */
export function applyRestore(o: ApplyOptions): { asideDir: string | null } {
  const now = o.now ?? Date.now;
  const dataDir = resolve(o.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const aside = join(dataDir, `.before-restore-${new Date(now()).toISOString().replace(/[:.]/g, '-')}`);
  const moves: [string, string][] = [];
  for (const f of [...WORKSPACE_CORE_FILES, IMAGES_DIR]) if (existsSync(join(dataDir, f))) moves.push([join(dataDir, f), join(aside, f)]);
  const inImages = (p: string) => p.startsWith(`${IMAGES_DIR}/`);
  for (const p of o.manifest.parts) if (p.path && !inImages(p.path) && existsSync(join(dataDir, p.path))) moves.push([join(dataDir, p.path), join(aside, p.path)]);
  const asideDir = moves.length ? aside : null;
  const place: [string, string][] = [];
  for (const p of o.manifest.parts) {
    const to = p.role === 'database' ? join(dataDir, DB_FILE) : p.role === 'checkpoint' ? join(dataDir, CHECKPOINT_FILE) : p.path ? join(dataDir, p.path) : null;
    if (to) place.push([partPath(o.stagingDir, p.name), to]);
  }
  const done: [string, string][] = [];
  const undo = () => {
    // A WAL left by the restored database must not meet the previous one moved back (SQLite would replay it).
    for (const f of [`${DB_FILE}-wal`, `${DB_FILE}-shm`]) rmSync(join(dataDir, f), { force: true });
    for (const [from, to] of done.reverse()) {
      try {
        mkdirSync(dirname(from), { recursive: true });
        // The image folder comes back whole where placing restored images made empty folders.
        if (from === join(dataDir, IMAGES_DIR)) pruneEmptyDirs(from);
        renameSync(to, from);
      } catch {
        // best effort: what could not be moved back is still in the aside or staging folder
      }
    }
  };
  try {
    for (const [from, to] of [...moves, ...place]) {
      // The image store keeps its folders private (0700), as ImageStore makes them.
      mkdirSync(dirname(to), { recursive: true, ...(to.startsWith(join(dataDir, IMAGES_DIR) + sep) ? { mode: 0o700 } : {}) });
      renameSync(from, to);
      done.push([from, to]);
    }
    const db = openDb(join(dataDir, DB_FILE));
    try {
      finish(db, o, asideDir);
    } finally {
      db.close();
    }
  } catch (e) {
    undo();
    throw e;
  }
  rmSync(o.stagingDir, { recursive: true, force: true });
  return { asideDir };
}
