// A CONFLICT reply to a label save (the stored row changed after the version the save was based on). The wire
// error carries only code and message; the core writes both values and who saved into the message
// (src/core/datasets/rowConflict.ts), so they are read back out of it here. Pure.
import type { LabelPatch, LabelValues, RowStatus } from '../../../../shared/datasets.schema';

export interface RowConflict {
  /** The stored row's version: "Keep mine" saves again based on it. */
  storedVersion: number;
  savedBy: string;
  /** ISO time of the stored save, when the core knows it. */
  savedAt: string | null;
  stored: { status: RowStatus; rating: number | null; labels: LabelValues; note: string | null };
  yours: LabelPatch;
}

const SHAPE = /changed after version \d+ that your save was based on: (.*) saved version (\d+)(?: at (\S+))?\. Stored: (\{.*\}); yours: (\{.*\})\. Nothing was saved/s;

/** The conflict in a CONFLICT message, or null when the message is some other conflict (a duplicate name…). */
export function parseRowConflict(code: string, message: string): RowConflict | null {
  if (code !== 'CONFLICT') return null;
  const m = SHAPE.exec(message);
  if (!m) return null;
  try {
    return {
      savedBy: m[1] as string,
      storedVersion: Number(m[2]),
      savedAt: m[3] ?? null,
      stored: JSON.parse(m[4] as string) as RowConflict['stored'],
      yours: JSON.parse(m[5] as string) as LabelPatch,
    };
  } catch {
    return null;
  }
}

/** One side of a conflict in a line: "accepted · rating 4 · quality=good · note “…”". */
export function describeLabel(v: Partial<RowConflict['stored']> & LabelPatch): string {
  const parts: string[] = [];
  if (v.status !== undefined) parts.push(v.status);
  if (v.rating != null) parts.push(`rating ${v.rating}`);
  for (const [k, val] of Object.entries(v.labels ?? {})) parts.push(`${k}=${Array.isArray(val) ? val.join('+') : String(val)}`);
  if (v.note) parts.push(`note “${v.note}”`);
  if (v.response !== undefined && v.response !== null) parts.push('edited response');
  if (v.chosen !== undefined) parts.push('chosen/rejected pair');
  return parts.length ? parts.join(' · ') : 'no label';
}

/**
 * The version a save is based on: the one "Keep mine" accepted, else the row as this labeler last saw it
 * (read when the save runs, so a second quick save on one row builds on the first one's answer).
 */
export function saveBase(job: { rowId: number; baseVersion?: number }, rows: Record<number, { version?: number } | undefined>): number | undefined {
  return job.baseVersion ?? rows[job.rowId]?.version;
}
