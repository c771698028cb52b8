// Opens a CSV or JSONL file as a stream of table items: the format from the extension or the first bytes,
// read in chunks so a file of any size takes the memory of one chunk plus one line.
import { open, type FileHandle } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Delimiter, ImportFormat } from '../../shared/testsets.schema';
import { CoreError } from '../errors';
import { describeFsError } from './fsError';
import { readCsv } from './csv';
import { readJsonl } from './jsonl';
import { DEFAULT_MAX_LINE_BYTES, readLines, type ReadProgress } from './lineReader';
import type { TableItem } from './table';

const CHUNK_BYTES = 64 * 1024;

export interface OpenTableOptions {
  format: 'auto' | ImportFormat;
  delimiter?: Delimiter;
  maxLineBytes?: number;
}

export interface TableFile {
  path: string;
  format: ImportFormat;
  sizeBytes: number;
  progress: ReadProgress;
  items: AsyncGenerator<TableItem[]>;
  close(): Promise<void>;
}

function sniffFormat(path: string, head: Buffer): ImportFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  if (ext === '.csv' || ext === '.tsv') return 'csv';
  const text = head.toString('utf8').replace(/^\uFEFF/, '').trimStart();
  return text.startsWith('{') ? 'jsonl' : 'csv';
}

/** NOT_FOUND when the file cannot be read; BAD_INPUT when it is plainly not UTF-8 text. */
export async function openTable(path: string, opts: OpenTableOptions): Promise<TableFile> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    throw new CoreError('NOT_FOUND', `Cannot read ${path}: ${describeFsError(e)}`);
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new CoreError('NOT_FOUND', `Cannot read ${path}: it is not a file`);
    const head = Buffer.alloc(Math.min(CHUNK_BYTES, st.size));
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const start = head.subarray(0, bytesRead);
    if ((start[0] === 0xff && start[1] === 0xfe) || (start[0] === 0xfe && start[1] === 0xff)) {
      throw new CoreError('BAD_INPUT', `${path} is UTF-16 text: save it as UTF-8 and import it again`);
    }
    const format = opts.format === 'auto' ? sniffFormat(path, start) : opts.format;
    const maxLineBytes = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    const progress: ReadProgress = { lines: 0, bytes: 0, done: false };
    const stream = handle.createReadStream({ start: 0, highWaterMark: CHUNK_BYTES, autoClose: true });
    const lines = readLines(stream, maxLineBytes, progress);
    const items = format === 'csv' ? readCsv(lines, { delimiter: opts.delimiter, maxRecordBytes: maxLineBytes }) : readJsonl(lines);
    return {
      path,
      format,
      sizeBytes: st.size,
      progress,
      items,
      async close() {
        await items.return(undefined);
        stream.destroy();
        await handle.close().catch(() => undefined);
      },
    };
  } catch (e) {
    await handle.close().catch(() => undefined);
    throw e;
  }
}

/** Bytes and newlines in the last chunk of a file: with the lines read from its start, a line count estimate. */
export async function tailSample(path: string, sizeBytes: number): Promise<{ bytes: number; lines: number }> {
  const length = Math.min(CHUNK_BYTES, sizeBytes);
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buf, 0, length, sizeBytes - length);
    let lines = 0;
    for (let i = buf.indexOf(0x0a); i !== -1 && i < bytesRead; i = buf.indexOf(0x0a, i + 1)) lines++;
    return { bytes: bytesRead, lines };
  } finally {
    await handle.close();
  }
}
