import type { WireError } from '../shared/contract';
import { CoreError } from './coreError';
import { diskFullMessage } from './diskFull';

// Every feature error (RemoteError, ModelFileError, SecretStoreError, …) extends CoreError, so no feature is imported here.
export { CoreError };

/** A disk-full error as a CoreError naming the folder; anything else unchanged. */
export function withDiskFull(e: unknown, dataDir: string, filePath?: string): unknown {
  const full = diskFullMessage(e, dataDir, filePath);
  return full ? new CoreError('DISK_FULL', full) : e;
}

/** dataDir: where the database lives, so a full disk is named (the mapping lives in diskFull.ts). */
export function toWireError(e: unknown, dataDir?: string): WireError {
  if (e instanceof CoreError) return { code: e.code, message: e.message };
  const full = dataDir === undefined ? null : diskFullMessage(e, dataDir);
  if (full) return { code: 'DISK_FULL', message: full };
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'INTERNAL', message: message || 'Unknown error' };
}
