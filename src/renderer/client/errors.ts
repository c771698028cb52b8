// Turns whatever a failed command threw into something a person can read. Pure.

export interface ShownError {
  code: string | null;
  message: string;
}

/** CommandError carries a code; other errors only a message; anything else is stringified. */
export function toShownError(error: unknown): ShownError {
  if (error instanceof Error) {
    const code = (error as Error & { code?: unknown }).code;
    return { code: typeof code === 'string' ? code : null, message: error.message || error.name };
  }
  if (typeof error === 'string') return { code: null, message: error };
  if (error && typeof error === 'object' && 'message' in error) {
    const e = error as { message: unknown; code?: unknown };
    return { code: typeof e.code === 'string' ? e.code : null, message: String(e.message) };
  }
  return { code: null, message: String(error) };
}

const CODE_WORDS: Record<string, string> = {
  BAD_INPUT: 'Invalid input',
  NOT_FOUND: 'Not found',
  CONFLICT: 'Conflict',
  MODEL_INVALID: 'Invalid model',
  ENGINE: 'Engine error',
  ENGINE_CRASHED: 'Engine crashed',
  UNAUTHORIZED: 'Not connected',
  FORBIDDEN: 'Not allowed for your role',
  BLOCKED: 'Blocked by policy',
  DISK_FULL: 'Disk full',
  INTERNAL: 'Internal error',
};

export function codeWords(code: string | null): string | null {
  if (!code) return null;
  return CODE_WORDS[code] ?? code;
}
