// Backups of the running workspace, and restores. The running app cannot swap its database under the
// services holding it, so a restore from the UI is verified now into data-dir/.restore-pending and applied
// by createCore at the next start, before the database is opened. The CLI restores at once into a data
// folder that no process has open.
import { EventEmitter } from 'node:events';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BackupProgress, BackupResult, RestoreStatus, RestoreSummary } from '../../shared/backup.schema';
import { ulid } from '../../shared/ids';
import { migrations } from '../db/migrations/index';
import type { Db } from '../db/openDb';
import { CoreError } from '../errors';
import type { SecretStore } from '../secrets/secretStore';
import { createBackup } from './backupCreate';
import { applyRestore, assertNotInUse } from './restoreApply';
import { stageRestore, type StagedRestore } from './restoreStage';

const PENDING_DIR = '.restore-pending';
const PENDING_FILE = 'pending.json';
const RESULT_FILE = '.restore-result.json';
/** An exported key opened at staging waits here (in the secret store, never in a file) for the next start. */
const PENDING_KEY = 'audit.hmacKey.pendingRestore';

export const knownSchema = (): number => migrations.at(-1)?.version ?? 0;

export interface BackupDeps {
  db: Db;
  dataDir: string;
  secrets: SecretStore;
  appVersion: string;
  /** The acting profile's name, for the audit record of the restore. */
  actorName(): string;
  /** The image store, paused while a backup copies its files. */
  images?: { holdCollection(): Promise<() => void> };
}

async function stage(dataDir: string, secrets: SecretStore, appVersion: string, archive: string, keyPassphrase?: string): Promise<StagedRestore> {
  const stagingDir = join(dataDir, `.restore-staging-${ulid()}`);
  try {
    return await stageRestore({ archive, stagingDir, secrets, appVersion, knownSchema: knownSchema(), ...(keyPassphrase !== undefined ? { keyPassphrase } : {}) });
  } catch (e) {
    rmSync(stagingDir, { recursive: true, force: true });
    throw e;
  }
}

/** `lamplight restore`: verify, then replace the workspace of a data folder no process has open. */
export async function restoreNow(o: { dataDir: string; secrets: SecretStore; appVersion: string; archive: string; keyPassphrase?: string; by?: string }): Promise<RestoreSummary & { asideDir: string | null }> {
  assertNotInUse(o.dataDir);
  const staged = await stage(o.dataDir, o.secrets, o.appVersion, o.archive, o.keyPassphrase);
  try {
    assertNotInUse(o.dataDir);
    const { asideDir } = applyRestore({ dataDir: o.dataDir, stagingDir: staged.dir, manifest: staged.manifest, summary: staged.summary, secrets: o.secrets, adoptKey: staged.adoptKey, by: o.by ?? 'lamplight restore' });
    return { ...staged.summary, asideDir };
  } catch (e) {
    rmSync(staged.dir, { recursive: true, force: true });
    throw e;
  }
}

/** Called by createCore before it opens the database: applies a restore staged from the UI, if any. */
export function applyPendingRestore(dataDir: string, secrets: SecretStore, now: () => number = Date.now): void {
  const dir = join(dataDir, PENDING_DIR);
  const file = join(dir, PENDING_FILE);
  if (!existsSync(file)) return;
  let result: NonNullable<RestoreStatus['last']>;
  let pending: Omit<StagedRestore, 'adoptKey' | 'dir'> & { by: string };
  try {
    pending = JSON.parse(readFileSync(file, 'utf8')) as typeof pending;
  } catch (e) {
    // Never block the start on it: set the staged folder aside and say why.
    const failed = join(dataDir, `.restore-failed-${now()}`);
    renameSync(dir, failed);
    result = { ok: false, at: now(), message: `The staged restore could not be read (${(e as Error).message}); it is in ${failed}`, asideDir: null };
    writeFileSync(join(dataDir, RESULT_FILE), JSON.stringify(result));
    return;
  }
  const adopt = secrets.get(PENDING_KEY);
  try {
    assertNotInUse(dataDir);
  } catch (e) {
    // Another process has the workspace open: leave the restore staged for a start when it does not.
    writeFileSync(join(dataDir, RESULT_FILE), JSON.stringify({ ok: false, at: now(), message: `The staged restore waits: ${(e as Error).message}`, asideDir: null }));
    return;
  }
  try {
    const { asideDir } = applyRestore({ dataDir, stagingDir: dir, manifest: pending.manifest, summary: pending.summary, secrets, adoptKey: adopt ? Buffer.from(adopt, 'base64') : null, by: pending.by, now });
    result = { ok: true, at: now(), message: `Restored ${pending.summary.archive}`, asideDir };
  } catch (e) {
    // The workspace was moved back; the staged copy is kept for a look, and the app starts as it was.
    const failed = join(dataDir, `.restore-failed-${now()}`);
    if (existsSync(dir)) renameSync(dir, failed);
    result = { ok: false, at: now(), message: `The restore of ${pending.summary.archive} was not applied: ${(e as Error).message} (the staged copy is in ${failed})`, asideDir: null };
  }
  if (adopt) secrets.delete(PENDING_KEY);
  writeFileSync(join(dataDir, RESULT_FILE), JSON.stringify(result));
}

export class BackupService extends EventEmitter<{ progress: [BackupProgress] }> {
  private readonly running = new Map<string, { controller: AbortController; done: Promise<unknown> }>();

  constructor(private readonly deps: BackupDeps) {
    super();
  }

  async create(input: { path: string; backupId?: string | undefined; gzip: boolean; keyPassphrase?: string | undefined }): Promise<BackupResult> {
    const backupId = input.backupId ?? ulid();
    if (this.running.has(backupId)) throw new CoreError('CONFLICT', `backupId: a backup with id ${backupId} is already running`);
    const controller = new AbortController();
    const images = this.deps.images;
    // Registered before it starts: a listener of its first progress event may cancel it at once.
    const entry: { controller: AbortController; done: Promise<unknown> } = { controller, done: Promise.resolve() };
    this.running.set(backupId, entry);
    const done = createBackup({
        db: this.deps.db,
        dataDir: this.deps.dataDir,
        secrets: this.deps.secrets,
        appVersion: this.deps.appVersion,
        backupId,
        path: input.path,
        gzip: input.gzip,
        ...(input.keyPassphrase !== undefined ? { keyPassphrase: input.keyPassphrase } : {}),
        signal: controller.signal,
        onProgress: (p) => this.emit('progress', p),
        ...(images ? { holdImages: () => images.holdCollection() } : {}),
      });
    entry.done = done;
    try {
      return await done;
    } finally {
      this.running.delete(backupId);
    }
  }

  cancel(backupId: string): boolean {
    const r = this.running.get(backupId);
    r?.controller.abort();
    return !!r;
  }

  /** Verifies the archive and keeps it staged for the next start (replacing an earlier staged one). */
  async stageRestore(archive: string, keyPassphrase?: string): Promise<RestoreSummary> {
    const { dataDir, secrets } = this.deps;
    const staged = await stage(dataDir, secrets, this.deps.appVersion, archive, keyPassphrase);
    this.discard();
    const dir = join(dataDir, PENDING_DIR);
    renameSync(staged.dir, dir);
    if (staged.adoptKey) secrets.set(PENDING_KEY, staged.adoptKey.toString('base64'));
    // Written last: a pending folder without it is an unfinished staging and is ignored.
    writeFileSync(join(dir, PENDING_FILE), JSON.stringify({ manifest: staged.manifest, summary: staged.summary, by: this.deps.actorName() }), { mode: 0o600 });
    return staged.summary;
  }

  status(): RestoreStatus {
    const read = <T>(f: string): T | null => {
      try {
        return JSON.parse(readFileSync(f, 'utf8')) as T;
      } catch {
        return null;
      }
    };
    const pending = read<{ summary: RestoreSummary }>(join(this.deps.dataDir, PENDING_DIR, PENDING_FILE));
    return { pending: pending?.summary ?? null, last: read<RestoreStatus['last']>(join(this.deps.dataDir, RESULT_FILE)) };
  }

  discard(): boolean {
    const dir = join(this.deps.dataDir, PENDING_DIR);
    const had = existsSync(dir);
    rmSync(dir, { recursive: true, force: true });
    if (this.deps.secrets.get(PENDING_KEY)) this.deps.secrets.delete(PENDING_KEY);
    return had;
  }

  /** Stops running backups and waits for them, so the database is not closed under a copy. */
  async close(): Promise<void> {
    const all = [...this.running.values()];
    for (const r of all) r.controller.abort();
    await Promise.allSettled(all.map((r) => r.done));
  }
}
