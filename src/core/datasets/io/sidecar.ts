// Reads an image-folder sidecar as people save them: CSV from Excel (a BOM, CRLF, ';' in Europe, a "sep=;"
// first line, UTF-16 "Unicode text" with tabs, empty ';;;' rows at the end), JSON lines (a BOM, blank lines,
// no final newline) or a JSON array. Sidecars are small (a line per image), so the file is read whole.
import { isUtf8 } from 'node:buffer';
import type { Dirent } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { formatByteLimit } from '../../../shared/format';
import type { Delimiter } from '../../../shared/testsets.schema';
import { CoreError } from '../../errors';
import { CsvTable, HeaderError } from '../../io/csv';
import { detectEncoding } from '../../io/encoding';
import { describeFsError } from '../../io/fsError';
import { JsonArraySplitter } from '../../io/jsonArray';
import { cellText, jsonlItem } from '../../io/jsonl';
import { DEFAULT_MAX_LINE_BYTES, type Line } from '../../io/lineReader';
import { emptyCells, type Cells } from '../../io/table';

export const MAX_SIDECAR_BYTES = 64 * 1024 * 1024;

export type SidecarItem = { kind: 'row'; line: number; cells: Cells } | { kind: 'bad'; line: number; reason: string };

export interface SidecarTable {
  format: 'csv' | 'jsonl' | 'json';
  encoding: 'utf-8' | 'utf-16le' | 'utf-16be' | 'gb18030';
  items: SidecarItem[];
}

/** A column name as the importer matches it: "File Name", "file-name" and "FILE_NAME" are one column. */
export function columnKey(name: string): string {
  return name.normalize('NFKC').trim().toLowerCase().replace(/[\s\-.]+/g, '_');
}

function decode(b: Buffer): { text: string; encoding: SidecarTable['encoding'] } {
  if (b[0] === 0xff && b[1] === 0xfe) return { text: new TextDecoder('utf-16le').decode(b.subarray(2)), encoding: 'utf-16le' };
  if (b[0] === 0xfe && b[1] === 0xff) return { text: new TextDecoder('utf-16le').decode(Buffer.from(b.subarray(2)).swap16()), encoding: 'utf-16be' };
  const body = b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? b.subarray(3) : b;
  if (isUtf8(body)) return { text: body.toString('utf8'), encoding: 'utf-8' };
  const encoding = detectEncoding(body);
  return { text: new TextDecoder(encoding).decode(body), encoding };
}

/** Lines with their terminators; a file with only CR line ends (old Mac Excel) is split on CR. */
function linesOf(text: string): Line[] {
  const sep = text.includes('\n') ? /\r?\n/g : /\r/g;
  const out: Line[] = [];
  let start = 0;
  let n = 0;
  for (const m of text.matchAll(sep)) {
    const body = text.slice(start, m.index);
    out.push({ number: ++n, text: body, eol: m[0], error: null, bytes: Buffer.byteLength(body) + m[0].length });
    start = (m.index as number) + m[0].length;
  }
  if (start < text.length) out.push({ number: ++n, text: text.slice(start), eol: '', error: null, bytes: Buffer.byteLength(text) - start });
  return out;
}

const blank = (cells: Cells) => Object.values(cells).every((v) => v === null || v.trim() === '');

function csvItems(lines: Line[]): SidecarItem[] {
  // Excel writes (and reads) a first line "sep=;" naming the delimiter.
  const sep = /^sep=([,;\t])$/.exec(lines[0]?.text ?? '');
  const table = new CsvTable({ delimiter: sep ? (sep[1] as Delimiter) : undefined, maxRecordBytes: DEFAULT_MAX_LINE_BYTES });
  const out: SidecarItem[] = [];
  // Rows of empty cells (";;;" under the data in Excel exports) are not lines anyone meant: skipped, also
  // when they have fewer delimiters than the header.
  const onlyDelimiters = (line: number) => /^[,;\t\s]*$/.test(lines[line - 1]?.text ?? 'x');
  const take = (item: ReturnType<CsvTable['push']>) => {
    if (item === null || item.kind === 'header') return;
    if (item.kind === 'row') {
      if (!blank(item.values)) out.push({ kind: 'row', line: item.line, cells: item.values });
    } else if (!(/^expected \d+ fields/.test(item.reason) && onlyDelimiters(item.line))) out.push(item);
  };
  for (const l of sep ? lines.slice(1) : lines) take(table.push(l));
  take(table.end());
  return out;
}

function jsonItems(text: string): SidecarItem[] {
  const splitter = new JsonArraySplitter(DEFAULT_MAX_LINE_BYTES);
  const out: SidecarItem[] = [];
  for (const el of [...splitter.push(text), ...splitter.end()]) {
    if (el.text === null) {
      out.push({ kind: 'bad', line: el.line, reason: el.error ?? 'unreadable element' });
      continue;
    }
    let v: unknown;
    try {
      v = JSON.parse(el.text);
    } catch (e) {
      out.push({ kind: 'bad', line: el.line, reason: `invalid JSON: ${(e as Error).message}` });
      continue;
    }
    if (v === null || typeof v !== 'object' || Array.isArray(v)) {
      out.push({ kind: 'bad', line: el.line, reason: 'expected a JSON object' });
      continue;
    }
    const cells = emptyCells();
    for (const [k, x] of Object.entries(v)) cells[k] = cellText(x);
    out.push({ kind: 'row', line: el.line, cells });
  }
  return out;
}

/** The sidecar's rows and bad lines; BAD_INPUT/NOT_FOUND naming the sidecar for whole-file problems. */
export async function readSidecar(path: string): Promise<SidecarTable> {
  const shown = basename(path);
  const st = await stat(path).catch((e: unknown) => {
    throw new CoreError('NOT_FOUND', `sidecar: cannot read ${path}: ${describeFsError(e)}`);
  });
  if (!st.isFile()) throw new CoreError('NOT_FOUND', `sidecar: ${path} is not a file`);
  if (st.size > MAX_SIDECAR_BYTES) {
    throw new CoreError('BAD_INPUT', `sidecar ${shown}: the file is ${formatByteLimit(st.size)}; a sidecar may be at most ${formatByteLimit(MAX_SIDECAR_BYTES)}`);
  }
  const { text: raw, encoding } = decode(await readFile(path));
  const text = raw.replace(/^\uFEFF/, '');
  const head = text.trimStart();
  const ext = extname(path).toLowerCase();
  // The content decides between a JSON array and JSON lines, whatever the extension says.
  const format = head.startsWith('[') ? 'json' : head.startsWith('{') || ext === '.jsonl' || ext === '.ndjson' || ext === '.json' ? 'jsonl' : 'csv';
  if (format === 'json') return { format, encoding, items: jsonItems(text) };
  const lines = linesOf(text);
  if (format === 'jsonl') {
    const items: SidecarItem[] = [];
    for (const l of lines) {
      const item = jsonlItem(l);
      if (item?.kind === 'row') items.push({ kind: 'row', line: item.line, cells: item.values });
      else if (item?.kind === 'bad') items.push(item);
    }
    return { format, encoding, items };
  }
  try {
    return { format, encoding, items: csvItems(lines) };
  } catch (e) {
    if (e instanceof HeaderError) throw new CoreError('BAD_INPUT', `sidecar ${shown} line ${e.line}: ${e.message}`);
    throw e;
  }
}

/**
 * Names a sidecar gives, found in the folder as people type them: Windows backslashes, sub-folders, and
 * Unicode in either normal form (macOS writes NFD names on disk, a person types NFC), then, when only one
 * file fits, in another letter case (a CSV made on Windows, where case does not matter). Never outside the
 * folder: absolute paths and ".." are refused, and links are not followed.
 */
export class FolderNames {
  private readonly listings = new Map<string, Promise<Dirent[]>>();

  constructor(private readonly root: string) {}

  /** The path relative to the folder ('/'-separated, as on disk) of a file, or why there is none. */
  async resolve(raw: string): Promise<{ rel: string } | { error: string }> {
    const name = raw.trim().replace(/\\/g, '/');
    if (/^([A-Za-z]:)?\//.test(name)) return { error: `"${raw}" is an absolute path; give names relative to the folder` };
    const parts = name.split('/').filter((p) => p !== '' && p !== '.');
    if (parts.includes('..')) return { error: `"${raw}" points outside the folder (".." is not allowed)` };
    if (parts.length === 0) return { error: `"${raw}" is not a file name` };
    const found: string[] = [];
    for (let i = 0; i < parts.length; i++) {
      const d = this.match(await this.list(found.join('/')), parts[i] as string);
      const last = i === parts.length - 1;
      if (d === null || (last ? !d.isFile() : !d.isDirectory())) {
        return { error: `names "${raw}", which is not in the folder${found.length > 0 || !last ? ` (looked in ${found.length > 0 ? found.join('/') : 'the folder itself'})` : ''}` };
      }
      found.push(d.name);
    }
    return { rel: found.join('/') };
  }

  private list(rel: string): Promise<Dirent[]> {
    let p = this.listings.get(rel);
    if (!p) {
      p = readdir(join(this.root, rel), { withFileTypes: true }).catch(() => [] as Dirent[]);
      this.listings.set(rel, p);
    }
    return p;
  }

  private match(entries: Dirent[], want: string): Dirent | null {
    const exact = entries.find((d) => d.name === want);
    if (exact) return exact;
    const nfc = want.normalize('NFC');
    const same = entries.find((d) => d.name.normalize('NFC') === nfc);
    if (same) return same;
    const lower = nfc.toLowerCase();
    const folded = entries.filter((d) => d.name.normalize('NFC').toLowerCase() === lower);
    return folded.length === 1 ? (folded[0] as Dirent) : null;
  }
}
