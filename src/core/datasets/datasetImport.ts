// Streams a file into a dataset. Rows land in batches under a dataset in state 'importing', which no list
// or query shows; the dataset turns 'ready' in one statement at the end. A cancel, a failure or a crash
// leaves an 'importing' dataset that is removed (in batches, off the caller's path) — so it is whole or nothing.
import type { DatasetImportReport, ImportProgress, BadLine } from '../../shared/datasets.schema';
import { MAX_LISTED_BAD_LINES } from '../../shared/datasets.schema';
import type { DatasetContainer, DatasetEncoding, DatasetFormat, FieldMapping } from '../../shared/datasets.record';
import { piiMask } from '../../shared/pii';
import { ulid } from '../../shared/ids';
import { CoreError } from '../errors';
import type { DatasetsRepo, NewRow } from './datasets.repo';
import { openDatasetFile, type DatasetFile } from './io/source';

export interface ImportInput {
  path: string;
  name: string;
  format: 'auto' | DatasetFormat;
  container: 'auto' | DatasetContainer;
  encoding: 'auto' | DatasetEncoding;
  mapping?: FieldMapping;
  importId?: string;
}

export interface ImportOutcome {
  datasetId: string;
  imported: number;
  badTotal: number;
  bad: BadLine[];
}

/** Rows per transaction: big enough that commits cost little, small enough to keep the event loop moving. */
const TX_ROWS = 2000;
const PROGRESS_MS = 200;

export function recordText(r: NewRow['record']): string {
  let s = '';
  for (const m of r.messages) s += m.content + '\n';
  return s + (r.response ?? '') + '\n' + (r.chosen ?? '') + '\n' + (r.rejected ?? '');
}

export async function importDataset(
  repo: DatasetsRepo,
  input: ImportInput,
  signal: AbortSignal,
  onProgress: (p: ImportProgress) => void,
  now: () => number = Date.now,
): Promise<ImportOutcome> {
  const importId = input.importId ?? ulid();
  if (repo.nameTaken(input.name)) throw new CoreError('CONFLICT', `name: a dataset named "${input.name}" already exists`);
  const started = now();
  let file: DatasetFile | null = null;
  const datasetId = ulid(started);
  let created = false;
  try {
    file = await openDatasetFile(input.path, {
      format: input.format,
      container: input.container,
      encoding: input.encoding,
      ...(input.mapping ? { mapping: input.mapping } : {}),
    });
    repo.createImporting(datasetId, input.name, started);
    created = true;
    let imported = 0;
    let badTotal = 0;
    const bad: BadLine[] = [];
    let pending: NewRow[] = [];
    let lastProgress = 0;
    const progress = (done: boolean) => {
      const t = now();
      if (!done && t - lastProgress < PROGRESS_MS) return;
      lastProgress = t;
      const secs = Math.max(1e-3, (t - started) / 1000);
      onProgress({ importId, bytes: file?.progress.bytes ?? 0, totalBytes: file?.sizeBytes ?? 0, rows: imported + pending.length, bad: badTotal, rowsPerSec: Math.round((imported + pending.length) / secs), done });
    };
    const flush = () => {
      if (pending.length === 0) return;
      repo.insertRows(datasetId, imported, pending);
      imported += pending.length;
      pending = [];
    };
    for await (const batch of file.items) {
      if (signal.aborted) break;
      for (const item of batch) {
        if (item.kind === 'bad') {
          badTotal++;
          if (bad.length < MAX_LISTED_BAD_LINES) bad.push({ line: item.line, reason: item.reason });
        } else {
          pending.push({ line: item.line, record: item.record, pii: piiMask(recordText(item.record)) });
        }
      }
      if (pending.length >= TX_ROWS) flush();
      progress(false);
    }
    if (signal.aborted) throw new CoreError('CONFLICT', `The import of ${input.path} was cancelled; nothing was stored`);
    flush();
    if (imported === 0) {
      const first = bad
        .slice(0, 5)
        .map((b) => `line ${b.line}: ${b.reason}`)
        .join('; ');
      throw new CoreError('BAD_INPUT', badTotal > 0 ? `No row of ${input.path} could be imported (${badTotal} bad): ${first}` : `${input.path} has no records`);
    }
    const report: DatasetImportReport = {
      path: input.path,
      container: file.container,
      format: file.format,
      encoding: file.encoding,
      mapping: input.mapping ?? null,
      imported,
      badTotal,
      bad,
      ms: now() - started,
      importedAt: now(),
    };
    repo.finishImport(datasetId, report, imported, now());
    created = false;
    progress(true);
    return { datasetId, imported, badTotal, bad };
  } finally {
    await file?.close();
    // Whatever stopped the import: the half-imported rows go (the caller removes them in batches).
    if (created) repo.markRemoving(datasetId);
  }
}
