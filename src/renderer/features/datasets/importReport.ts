// Which import report the Datasets view shows: the one for the dataset on screen, never another's, until it
// is dismissed; a dismissal is remembered per import (dataset id + import time) so the report stays closed.
import type { BadLine, DatasetInfo, ImageImportNote, ImageImportSkip } from '../../../shared/datasets.schema';

/** An image folder's import: the images stored, the files passed over, and what storing changed. */
export interface ImageImportFacts {
  files: number;
  skipped: ImageImportSkip[];
  notes: ImageImportNote[];
}

export interface ImportReport {
  datasetId: string;
  name: string;
  imported: number;
  badTotal: number;
  bad: BadLine[];
  importedAt: number;
  images?: ImageImportFacts;
}

export function reportKey(r: Pick<ImportReport, 'datasetId' | 'importedAt'>): string {
  return `${r.datasetId}:${r.importedAt}`;
}

/**
 * The report to show above the open dataset's rows: the import just made in this window, or, after a
 * reload, a stored report with bad lines, skipped files or image notes (so they can still be read) — unless
 * dismissed.
 */
export function shownReport(fresh: ImportReport | null, info: DatasetInfo | null, dismissed: readonly string[]): ImportReport | null {
  if (!info) return null;
  let r: ImportReport | null = null;
  if (fresh && fresh.datasetId === info.id) r = fresh;
  else if (info.importReport) {
    const s = info.importReport;
    const images = s.images ? { files: s.images.files, skipped: s.images.skipped, notes: s.images.notes ?? [] } : undefined;
    // Skipped files and notes, like bad lines, stay readable after a reload until dismissed.
    if (s.badTotal > 0 || (images && (images.skipped.length > 0 || images.notes.length > 0))) {
      r = { datasetId: info.id, name: info.name, imported: s.imported, badTotal: s.badTotal, bad: s.bad, importedAt: s.importedAt, ...(images ? { images } : {}) };
    }
  }
  return r && !dismissed.includes(reportKey(r)) ? r : null;
}

const STORAGE_KEY = 'lamplight.datasets.dismissedImports';
/** Old dismissals are forgotten past this many; their datasets are long read by then. */
const KEEP = 500;

export function readDismissed(): string[] {
  try {
    const v: unknown = JSON.parse(globalThis.localStorage?.getItem(STORAGE_KEY) ?? '[]');
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

export function withDismissed(list: readonly string[], key: string): string[] {
  return [...list.filter((k) => k !== key), key].slice(-KEEP);
}

export function writeDismissed(list: readonly string[]): void {
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, JSON.stringify(list));
  } catch {
    // Storage turned off: dismissed until the page reloads.
  }
}
