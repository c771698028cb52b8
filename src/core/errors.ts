import type { ErrorCode, WireError } from '../shared/contract';
import { diskFullMessage } from './diskFull';
import { ModelFileError } from './models/ggufInspect';
import { RemoteError } from './remote/remoteError';
import { SecretStoreError } from './secrets/secretStore';

/** An error meant for the person using Lamplight: its message says what went wrong and where. */
export class CoreError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CoreError';
  }
}

/** A disk-full error as a CoreError naming the folder; anything else unchanged. */
export function withDiskFull(e: unknown, dataDir: string, filePath?: string): unknown {
  const full = diskFullMessage(e, dataDir, filePath);
  return full ? new CoreError('DISK_FULL', full) : e;
}

/** dataDir: where the database lives, so a full disk is named (the mapping lives in diskFull.ts). */
export function toWireError(e: unknown, dataDir?: string): WireError {
  if (e instanceof CoreError) return { code: e.code, message: e.message };
  if (e instanceof ModelFileError) return { code: 'MODEL_INVALID', message: e.message };
  if (e instanceof SecretStoreError) return { code: 'CONFLICT', message: e.message };
  if (e instanceof RemoteError) return { code: e.code, message: e.message };
  const full = dataDir === undefined ? null : diskFullMessage(e, dataDir);
  if (full) return { code: 'DISK_FULL', message: full };
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'INTERNAL', message: message || 'Unknown error' };
}
