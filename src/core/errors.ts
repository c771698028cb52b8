import type { ErrorCode, WireError } from '../shared/contract';
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

export function toWireError(e: unknown): WireError {
  if (e instanceof CoreError) return { code: e.code, message: e.message };
  if (e instanceof ModelFileError) return { code: 'MODEL_INVALID', message: e.message };
  if (e instanceof SecretStoreError) return { code: 'CONFLICT', message: e.message };
  if (e instanceof RemoteError) return { code: e.code, message: e.message };
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'INTERNAL', message: message || 'Unknown error' };
}
