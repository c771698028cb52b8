// The one base of every error meant for the person using Lamplight. It imports no feature, so features
// can extend it and errors.ts can turn any of them into a wire error without knowing the feature.
import type { ErrorCode } from '../shared/contract';

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
