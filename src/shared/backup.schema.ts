// Backup and restore of a whole workspace: one tar archive with a consistent copy of the database, the files
// inside the data folder that it refers to, and a manifest with every part's sha256.
import { z } from 'zod';
import { Empty, type CommandSpec, type EventSpec } from './commandSpec';
import { Id } from './ids';

const FilePath = z.string().trim().min(1).max(4096);
const Passphrase = z.string().min(8, 'the passphrase needs at least 8 characters').max(1024);

export const BACKUP_FORMAT = 'lamplight-backup';
export const BACKUP_FORMAT_VERSION = 1;

export const BackupPart = z.object({
  /** The entry's name inside the archive. */
  name: z.string(),
  role: z.enum(['database', 'checkpoint', 'file', 'auditKey']),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** For files: the path relative to the data folder, and the column that refers to it. */
  path: z.string().optional(),
  source: z.string().optional(),
});
export type BackupPart = z.infer<typeof BackupPart>;

export const BackupManifest = z.object({
  format: z.literal(BACKUP_FORMAT),
  formatVersion: z.number().int(),
  appVersion: z.string(),
  /** PRAGMA user_version of the database copy. */
  schemaVersion: z.number().int(),
  createdAt: z.number(),
  /** The data folder it was taken from; paths inside it are rewritten when restored elsewhere. */
  dataDir: z.string(),
  parts: z.array(BackupPart),
  /** Files the database refers to outside the data folder: listed, not copied. */
  external: z.array(z.object({ path: z.string(), source: z.string(), exists: z.boolean() })),
  /** The audit verdict of the live log when the backup was taken. */
  audit: z.object({ ok: z.boolean(), count: z.number().int(), message: z.string() }),
});
export type BackupManifest = z.infer<typeof BackupManifest>;

export const BackupProgress = z.object({
  backupId: Id,
  phase: z.enum(['database', 'files', 'verifying', 'done']),
  bytesDone: z.number(),
  bytesTotal: z.number(),
  /** The part being written or read (an archive entry or a data-folder path). */
  part: z.string().nullable(),
});
export type BackupProgress = z.infer<typeof BackupProgress>;

export const BackupResult = z.object({
  path: z.string(),
  bytes: z.number().int(),
  parts: z.number().int(),
  external: z.number().int(),
  schemaVersion: z.number().int(),
  ms: z.number(),
});
export type BackupResult = z.infer<typeof BackupResult>;

export const RestoreSummary = z.object({
  archive: z.string(),
  appVersion: z.string(),
  schemaVersion: z.number().int(),
  createdAt: z.number(),
  parts: z.number().int(),
  external: z.number().int(),
  /** 'same-key': the checkpoint verifies with this machine's key; 'exported-key': with the key in the
   *  archive (passphrase); 're-anchor': chain verified by its hashes, re-signed with this machine's key. */
  checkpoint: z.enum(['same-key', 'exported-key', 're-anchor', 'none']),
  auditRecords: z.number().int(),
});
export type RestoreSummary = z.infer<typeof RestoreSummary>;

export const RestoreStatus = z.object({
  /** A verified restore waiting for the next start. */
  pending: RestoreSummary.nullable(),
  /** What the last start did with a pending restore. */
  last: z.object({ ok: z.boolean(), at: z.number(), message: z.string(), asideDir: z.string().nullable() }).nullable(),
});
export type RestoreStatus = z.infer<typeof RestoreStatus>;

export const backupCommands = {
  /** Writes the archive; progress arrives as backup.progress keyed by backupId. */
  'backup.create': {
    input: z.object({
      path: FilePath,
      backupId: Id.optional(),
      gzip: z.boolean().default(false),
      /** Include the audit HMAC key, encrypted with this passphrase (scrypt + AES-256-GCM). */
      keyPassphrase: Passphrase.optional(),
    }),
    output: BackupResult,
    permission: 'admin',
  },
  'backup.cancel': { input: z.object({ backupId: Id }), output: z.object({ cancelled: z.boolean() }), permission: 'admin' },
  /** Verifies the archive in a staging folder; a good one is applied when Lamplight next starts. */
  'backup.restore': { input: z.object({ path: FilePath, keyPassphrase: Passphrase.optional() }), output: RestoreSummary, permission: 'admin' },
  'backup.status': { input: Empty, output: RestoreStatus, permission: 'admin' },
  'backup.discardRestore': { input: Empty, output: z.object({ discarded: z.boolean() }), permission: 'admin' },
} as const satisfies Record<string, CommandSpec>;

export const backupEvents = {
  'backup.progress': { payload: BackupProgress, permission: 'admin' },
} as const satisfies Record<string, EventSpec>;
