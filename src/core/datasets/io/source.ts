// Opens a fine-tune dataset file as a stream of record batches: JSON lines, a JSON array or CSV/TSV, in
// UTF-8 or GB18030, in any DatasetFormat. Read in 64 KiB chunks, so a file of any size takes the memory of
// one chunk plus one record; a bad record is reported with its line and the file still reads.
import { open, type FileHandle } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Readable } from 'node:stream';
import type { DatasetContainer, DatasetEncoding, DatasetFormat, DatasetRecord, FieldMapping } from '../../../shared/datasets.record';
import { CoreError } from '../../errors';
import { CsvTable, HeaderError } from '../../io/csv';
import { LineSplitter, MIB, type Line } from '../../io/lineReader';
import { describeFsError } from '../../io/fsError';
import { detectContainer, detectFormat, suggestMapping } from './detect';
import { detectEncoding, hasUtf16Bom, hasUtf8Bom, isAsciiSample, lineDecoder } from '../../io/encoding';
import { converterFor, type Obj } from './formats';
import { JsonArrayByteSplitter } from '../../io/jsonArray';

export const DATASET_MAX_LINE_BYTES = 16 * MIB;
const CHUNK_BYTES = 64 * 1024;
/** Enough records to tell the format and list the fields; more only while none has been read. */
const PEEK_RECORDS = 50;
const PEEK_BYTES = 256 * 1024;
const PEEK_MAX_BYTES = 4 * MIB;

export interface OpenDatasetOptions {
  format?: 'auto' | DatasetFormat;
  container?: 'auto' | DatasetContainer;
  encoding?: 'auto' | DatasetEncoding;
  mapping?: FieldMapping;
  maxLineBytes?: number;
}

export type DatasetItem = { kind: 'row'; line: number; record: DatasetRecord } | { kind: 'bad'; line: number; reason: string };

export interface DatasetProgress {
  bytes: number;
  lines: number;
  done: boolean;
}

export interface DatasetFile {
  path: string;
  container: DatasetContainer;
  format: DatasetFormat;
  encoding: DatasetEncoding;
  bom: boolean;
  sizeBytes: number;
  progress: DatasetProgress;
  items: AsyncGenerator<DatasetItem[]>;
  close(): Promise<void>;
}

/** What a file holds before records are made: parsed objects (CSV rows included) or bad items. */
export type RawItem = { kind: 'obj'; line: number; value: Obj } | { kind: 'bad'; line: number; reason: string };

/** An opened file with its first batches read: enough to know its format, fields and mapping. */
export interface RawDataset {
  path: string;
  container: DatasetContainer;
  format: DatasetFormat;
  encoding: DatasetEncoding;
  bom: boolean;
  sizeBytes: number;
  progress: DatasetProgress;
  fields: string[];
  /** For `columns`: the mapping to use; null when none fits (then `items` cannot be made). */
  mapping: FieldMapping | null;
  /** The batches read so far, then the rest of the file. */
  raw: AsyncGenerator<RawItem[]>;
  close(): Promise<void>;
}

function badFile(path: string, why: string): CoreError {
  return new CoreError('BAD_INPUT', `${path}: ${why}`);
}

/** Encoding from the head, or from the tail when the head is all ASCII (a long English preamble). */
async function sniffEncoding(handle: FileHandle, head: Buffer, size: number): Promise<DatasetEncoding> {
  if (hasUtf8Bom(head)) return 'utf-8';
  if (!isAsciiSample(head) || size <= head.length) return detectEncoding(head);
  const length = Math.min(CHUNK_BYTES, size - head.length);
  const tail = Buffer.alloc(length);
  const { bytesRead } = await handle.read(tail, 0, length, size - length);
  // Start after a newline: both encodings keep 0x0a out of characters, so that is a character boundary.
  const nl = tail.indexOf(0x0a);
  return detectEncoding(tail.subarray(nl === -1 ? 0 : nl + 1, bytesRead));
}

function jsonObject(text: string, line: number): RawItem | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    if (text.trim() === '') return null;
    return { kind: 'bad', line, reason: `invalid JSON: ${jsonMessage(e, text, line)}` };
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    return { kind: 'bad', line, reason: `expected a JSON object, found ${v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v}` };
  }
  return { kind: 'obj', line, value: v as Obj };
}

/** V8 names a position in the text it parsed; for a multi-line element, the file line helps more. */
function jsonMessage(e: unknown, text: string, line: number): string {
  const m = e instanceof Error ? e.message : String(e);
  const at = / in JSON at position (\d+)(?: \(line \d+ column \d+\))?$/.exec(m);
  if (at === null) return m;
  const pos = Number(at[1]);
  let l = line;
  let lineStart = 0;
  for (let nl = text.indexOf('\n'); nl !== -1 && nl < pos; nl = text.indexOf('\n', nl + 1)) {
    l++;
    lineStart = nl + 1;
  }
  const where = l === line ? `column ${pos + 1}` : `line ${l} column ${pos - lineStart + 1}`;
  return `${m.slice(0, at.index)} (${where})`;
}

function lineItem(l: Line): RawItem | null {
  if (l.text === null || l.error !== null) return { kind: 'bad', line: l.number, reason: l.error ?? 'unreadable line' };
  if (l.text.length === 0) return null;
  return jsonObject(l.text, l.number);
}

async function* jsonlItems(stream: Readable, splitter: LineSplitter, progress: DatasetProgress): AsyncGenerator<RawItem[]> {
  const batch = (lines: Line[]) => {
    const out: RawItem[] = [];
    for (const l of lines) {
      const item = lineItem(l);
      if (item !== null) out.push(item);
    }
    progress.lines += lines.length;
    return out;
  };
  for await (const chunk of stream) {
    progress.bytes += (chunk as Buffer).length;
    const items = batch(splitter.push(chunk as Buffer));
    if (items.length > 0) yield items;
  }
  const last = batch(splitter.end());
  progress.done = true;
  if (last.length > 0) yield last;
}

async function* jsonArrayItems(stream: Readable, splitter: JsonArrayByteSplitter, progress: DatasetProgress): AsyncGenerator<RawItem[]> {
  const batch = (elements: ReturnType<JsonArrayByteSplitter['push']>) => {
    const out: RawItem[] = [];
    for (const el of elements) {
      const item = el.text === null ? { kind: 'bad' as const, line: el.line, reason: el.error ?? 'unreadable element' } : jsonObject(el.text, el.line);
      if (item !== null) out.push(item);
    }
    progress.lines = splitter.splitter.lines;
    return out;
  };
  for await (const chunk of stream) {
    progress.bytes += (chunk as Buffer).length;
    const items = batch(splitter.push(chunk as Buffer));
    if (items.length > 0) yield items;
  }
  const last = batch(splitter.end());
  progress.lines = splitter.splitter.lines;
  progress.done = true;
  if (last.length > 0) yield last;
}

async function* csvItems(
  stream: Readable,
  splitter: LineSplitter,
  table: CsvTable,
  progress: DatasetProgress,
  onHeader: (columns: string[]) => void,
): AsyncGenerator<RawItem[]> {
  const batch = (lines: Line[], end: boolean) => {
    const out: RawItem[] = [];
    const take = (item: ReturnType<CsvTable['push']>) => {
      if (item === null) return;
      if (item.kind === 'header') onHeader(item.columns);
      else if (item.kind === 'row') out.push({ kind: 'obj', line: item.line, value: item.values });
      else out.push(item);
    };
    for (const l of lines) take(table.push(l));
    if (end) take(table.end());
    progress.lines += lines.length;
    return out;
  };
  for await (const chunk of stream) {
    progress.bytes += (chunk as Buffer).length;
    const items = batch(splitter.push(chunk as Buffer), false);
    if (items.length > 0) yield items;
  }
  const last = batch(splitter.end(), true);
  progress.done = true;
  if (last.length > 0) yield last;
}

/** The file opened and its first batches read; BAD_INPUT/NOT_FOUND for whole-file problems. */
export async function openRawDataset(path: string, opts: OpenDatasetOptions = {}): Promise<RawDataset> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    throw new CoreError('NOT_FOUND', `Cannot read ${path}: ${describeFsError(e)}`);
  }
  let stream: Readable | null = null;
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new CoreError('NOT_FOUND', `Cannot read ${path}: it is not a file`);
    const head = Buffer.alloc(Math.min(CHUNK_BYTES, st.size));
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const start = head.subarray(0, bytesRead);
    if (hasUtf16Bom(start)) throw badFile(path, 'the file is UTF-16 text: save it as UTF-8 and import it again');
    const bom = hasUtf8Bom(start);
    const encoding = opts.encoding && opts.encoding !== 'auto' ? opts.encoding : await sniffEncoding(handle, start, st.size);
    const headText = new TextDecoder(encoding).decode(start.subarray(bom ? 3 : 0, Math.min(start.length, 1024)));
    const container = opts.container && opts.container !== 'auto' ? opts.container : detectContainer(path, headText);
    if (container === 'json' && !headText.trimStart().startsWith('[') && headText.trim() !== '') {
      throw badFile(path, 'the file is not a JSON array (it does not start with "[")');
    }
    const maxLineBytes = opts.maxLineBytes ?? DATASET_MAX_LINE_BYTES;
    const progress: DatasetProgress = { bytes: 0, lines: 0, done: false };
    const s = handle.createReadStream({ start: 0, highWaterMark: CHUNK_BYTES, autoClose: true });
    stream = s;
    let header: string[] | null = null;
    let raw: AsyncGenerator<RawItem[]>;
    if (container === 'json') {
      raw = jsonArrayItems(s, new JsonArrayByteSplitter(encoding, maxLineBytes), progress);
    } else if (container === 'jsonl') {
      raw = jsonlItems(s, new LineSplitter(maxLineBytes, lineDecoder(encoding)), progress);
    } else {
      const delimiter = extname(path).toLowerCase() === '.tsv' ? '\t' : undefined;
      const table = new CsvTable({ delimiter, maxRecordBytes: maxLineBytes });
      raw = csvItems(s, new LineSplitter(maxLineBytes, lineDecoder(encoding)), table, progress, (c) => (header = c));
    }

    // Read ahead to learn the fields and the format.
    const buffered: RawItem[][] = [];
    const samples: string[][] = [];
    const fieldSet = new Set<string>();
    let firstBad: RawItem | null = null;
    try {
      while (!progress.done) {
        const next = await raw.next();
        if (next.done) break;
        buffered.push(next.value);
        for (const item of next.value) {
          if (item.kind === 'bad') {
            firstBad ??= item;
            continue;
          }
          if (samples.length >= PEEK_RECORDS) continue;
          const keys = Object.keys(item.value);
          samples.push(keys);
          for (const k of keys) fieldSet.add(k);
        }
        const enough = progress.bytes >= PEEK_BYTES && (samples.length > 0 || header !== null);
        if (samples.length >= PEEK_RECORDS || enough || progress.bytes >= PEEK_MAX_BYTES) break;
      }
    } catch (e) {
      if (e instanceof HeaderError) throw badFile(path, e.message);
      throw e;
    }
    const fields = header ?? [...fieldSet];
    if (container === 'csv' && header === null) throw badFile(path, 'the file is empty: a CSV file needs a header row');

    let format: DatasetFormat;
    if (opts.format && opts.format !== 'auto') format = opts.format;
    else {
      const detected = detectFormat(header ? [header] : samples);
      if (detected === null) {
        if (firstBad === null) throw badFile(path, 'the file holds no records');
        const why = firstBad.kind === 'bad' ? `line ${firstBad.line}: ${firstBad.reason}` : '';
        throw badFile(path, `cannot tell the format: no readable record in the first ${progress.lines} lines (${why})`);
      }
      format = detected;
    }
    let mapping: FieldMapping | null = null;
    if (format === 'columns') {
      mapping = opts.mapping ?? suggestMapping(fields);
      // A sample with no records cannot show a field is missing; trust the caller's mapping then.
      if (mapping !== null && fields.length > 0 && !fields.includes(mapping.prompt)) mapping = null;
    }

    async function* all(): AsyncGenerator<RawItem[]> {
      try {
        for (const b of buffered.splice(0)) yield b;
        yield* raw;
      } catch (e) {
        if (e instanceof HeaderError) throw badFile(path, e.message);
        throw e;
      }
    }
    const h = handle;
    return {
      path,
      container,
      format,
      encoding,
      bom,
      sizeBytes: st.size,
      progress,
      fields,
      mapping,
      raw: all(),
      async close() {
        await raw.return(undefined);
        s.destroy();
        await h.close().catch(() => undefined);
      },
    };
  } catch (e) {
    stream?.destroy();
    await handle.close().catch(() => undefined);
    throw e;
  }
}

/** Raw batches → record batches, one for one, so the caller can store a batch per transaction. */
export async function* toItems(raw: AsyncIterable<RawItem[]>, convert: (o: Obj) => DatasetRecord | string): AsyncGenerator<DatasetItem[]> {
  for await (const batch of raw) {
    const out: DatasetItem[] = new Array(batch.length);
    for (let i = 0; i < batch.length; i++) {
      const item = batch[i] as RawItem;
      if (item.kind === 'bad') {
        out[i] = item;
        continue;
      }
      const r = convert(item.value);
      out[i] = typeof r === 'string' ? { kind: 'bad', line: item.line, reason: r } : { kind: 'row', line: item.line, record: r };
    }
    yield out;
  }
}

export function mappingError(ds: Pick<RawDataset, 'path' | 'fields'>, mapping: FieldMapping | undefined): CoreError {
  const fields = ds.fields.length > 0 ? ds.fields.map((f) => `"${f}"`).join(', ') : 'none';
  const what = mapping ? `the prompt field "${mapping.prompt}" is not in the file` : 'choose which field holds the prompt';
  return badFile(ds.path, `${what} (fields: ${fields})`);
}

export async function openDatasetFile(path: string, opts: OpenDatasetOptions = {}): Promise<DatasetFile> {
  const ds = await openRawDataset(path, opts);
  if (ds.format === 'columns' && ds.mapping === null) {
    await ds.close();
    throw mappingError(ds, opts.mapping);
  }
  const items = toItems(ds.raw, converterFor(ds.format, ds.mapping, ds.container === 'csv'));
  return {
    path,
    container: ds.container,
    format: ds.format,
    encoding: ds.encoding,
    bom: ds.bom,
    sizeBytes: ds.sizeBytes,
    progress: ds.progress,
    items,
    async close() {
      await items.return(undefined);
      await ds.close();
    },
  };
}
