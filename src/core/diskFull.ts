// The one place a full disk becomes a message: SQLite's SQLITE_FULL (it maps ENOSPC on its own files to
// it, and a max_page_count limit too) and ENOSPC/EDQUOT from our own file writes. SQLite rolls back the
// statement's transaction on SQLITE_FULL, so what was stored before stays whole; the message says so.
import { dirname } from 'node:path';

const FILE_FULL = new Set(['ENOSPC', 'EDQUOT']);

export function isDiskFull(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code === 'SQLITE_FULL' || code.startsWith('SQLITE_FULL_') || FILE_FULL.has(code));
}

/**
 * The message naming the folder whose disk is full, or null when e is not a disk-full error (errors.ts turns
 * it into code DISK_FULL). dataDir is where
 * the database lives; a file write names its own folder (its error carries the path, or the caller passes it).
 */
export function diskFullMessage(e: unknown, dataDir: string, filePath?: string): string | null {
  if (!isDiskFull(e)) return null;
  const code = (e as { code: string }).code;
  if (code.startsWith('SQLITE_FULL')) {
    return `The disk holding ${dataDir} is full (or the database reached its size limit): the change was not saved, and what was stored before is unchanged. Free some space there and try again.`;
  }
  const path = filePath ?? (e as { path?: string }).path;
  const where = path ? dirname(path) : dataDir;
  return `The disk holding ${where} is full: ${path ? `${path} was not written` : 'a file could not be written'}, and nothing already stored was changed. Free some space there and try again.`;
}
