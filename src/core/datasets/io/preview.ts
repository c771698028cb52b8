// The first records of a dataset file, its fields and a line count estimate, for the import dialog. Unlike
// openDatasetFile it does not fail on a `columns` file without a usable mapping: it lists the fields so
// the person can choose one.
import type { DatasetContainer, DatasetEncoding, DatasetFormat, DatasetRecord, FieldMapping } from '../../../shared/datasets.record';
import { converterFor } from './formats';
import { openRawDataset, toItems, type OpenDatasetOptions } from './source';

const PREVIEW_RECORDS = 50;
const PREVIEW_BYTES = 256 * 1024;

export interface DatasetPreview {
  path: string;
  container: DatasetContainer;
  format: DatasetFormat;
  encoding: DatasetEncoding;
  bom: boolean;
  sizeBytes: number;
  fields: string[];
  mapping: FieldMapping | null;
  records: { line: number; record: DatasetRecord }[];
  bad: { line: number; reason: string }[];
  /** Physical lines: exact when the whole file was read, else estimated from the bytes read. */
  lineCount: number;
  lineCountExact: boolean;
}

export async function previewDatasetFile(path: string, opts: OpenDatasetOptions = {}): Promise<DatasetPreview> {
  const ds = await openRawDataset(path, opts);
  const records: DatasetPreview['records'] = [];
  const bad: DatasetPreview['bad'] = [];
  try {
    const usable = ds.format !== 'columns' || ds.mapping !== null;
    if (usable) {
      const items = toItems(ds.raw, converterFor(ds.format, ds.mapping, ds.container === 'csv'));
      for await (const batch of items) {
        for (const item of batch) {
          if (item.kind === 'row') {
            if (records.length < PREVIEW_RECORDS) records.push({ line: item.line, record: item.record });
          } else if (bad.length < PREVIEW_RECORDS) bad.push({ line: item.line, reason: item.reason });
        }
        if (records.length >= PREVIEW_RECORDS || ds.progress.bytes >= PREVIEW_BYTES) break;
      }
    }
    const { bytes, lines, done } = ds.progress;
    // A last line without a newline is counted when the file ends; the estimate scales what was read.
    const lineCount = done ? lines : bytes > 0 ? Math.max(lines, Math.round((lines / bytes) * ds.sizeBytes)) : 0;
    return {
      path,
      container: ds.container,
      format: ds.format,
      encoding: ds.encoding,
      bom: ds.bom,
      sizeBytes: ds.sizeBytes,
      fields: ds.fields,
      mapping: ds.mapping,
      records,
      bad,
      lineCount,
      lineCountExact: done,
    };
  } finally {
    await ds.close();
  }
}
