// A folder of images (PNG/JPEG/WebP) into a dataset, with an optional CSV or JSONL sidecar that gives each
// file (or list of files) a prompt, a reference answer or fields. Whole or nothing: the sidecar is read and
// checked before any image is stored, every image must be accepted by the image store, and the rows land
// under an 'importing' dataset that turns 'ready' only at the end. Images stored before a failure stay in
// the store unreferenced; its collector removes them after its grace period.
import { readdir, stat } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import type { DatasetRecord } from '../../shared/datasets.record';
import type { ImageImportNote, ImageImportSkip, ImportProgress } from '../../shared/datasets.schema';
import { ulid } from '../../shared/ids';
import { piiMask } from '../../shared/pii';
import type { Db } from '../db/openDb';
import { CoreError } from '../errors';
import type { ImageStore } from '../images/imageStore';
import { describeFsError } from '../io/fsError';
import type { Cells } from '../io/table';
import { recordText } from './datasetImport';
import type { DatasetsRepo, NewRow } from './datasets.repo';
import { columnKey, FolderNames, readSidecar, type SidecarTable } from './io/sidecar';

export const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.webp']);
/** Errors listed in one message; the rest are counted. */
const MAX_LISTED = 20;

export interface ImageImportInput {
  dir: string;
  name: string;
  sidecar: string | null;
  /** The user turn of images the sidecar gives no prompt for. */
  prompt: string;
  system: string | null;
  importId?: string;
}

export interface ImageImportOutcome {
  datasetId: string;
  imported: number;
  images: number;
  skipped: ImageImportSkip[];
  notes: ImageImportNote[];
}

/** One sidecar line: the files it names (relative to the folder, as on disk) and what the row says about them. */
interface SidecarEntry {
  line: number;
  files: string[];
  prompt: string | null;
  system: string | null;
  response: string | null;
  fields: Record<string, string>;
}

/** Column names as columnKey() makes them ("File Name" → file_name), and the Chinese headers Excel users type. */
const FILE_COLUMNS = ['file', 'file_name', 'filename', 'image', 'image_file', 'image_name', 'image_path', 'file_path', 'path', '文件名', '文件', '图片', '图像', '图片路径', '路径'];
const PROMPT_COLUMNS = ['prompt', 'instruction', 'question', 'query', '问题', '提示', '指令'];
const RESPONSE_COLUMNS = ['response', 'answer', 'output', 'reference', '答案', '回答', '参考答案', '输出'];

/** The first of `names` the row has (matched by columnKey), with the column as the file spells it. */
function pick(cells: Cells, names: readonly string[]): { key: string; value: string | null } | null {
  const keys = new Map(Object.keys(cells).map((k) => [columnKey(k), k]));
  for (const n of names) {
    const k = keys.get(n);
    if (k !== undefined) return { key: k, value: cells[k] ?? null };
  }
  return null;
}

/** `images`: a JSON array (JSONL) or names separated by `;` or `|` (CSV). */
function listOf(v: string): string[] {
  const t = v.trim();
  if (t.startsWith('[')) {
    const parsed: unknown = JSON.parse(t);
    if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === 'string')) throw new Error('is not a list of file names');
    return parsed;
  }
  return t.split(/[;|]/).map((s) => s.trim()).filter((s) => s !== '');
}

/** A sidecar row before its names are looked up: the names, the column they came from, and the rest. */
function entryOf(line: number, cells: Cells): (Omit<SidecarEntry, 'files'> & { names: string[]; column: string }) | string {
  const file = pick(cells, FILE_COLUMNS);
  const list = pick(cells, ['images']);
  let names: string[];
  try {
    names = list?.value ? listOf(list.value) : file?.value?.trim() ? [file.value.trim()] : [];
  } catch (e) {
    return `field "${list?.key ?? 'images'}" ${(e as Error).message}`;
  }
  if (names.length === 0) return `no file name (give a "file" or "images" column; the columns are ${Object.keys(cells).map((k) => `"${k}"`).join(', ')})`;
  const prompt = pick(cells, PROMPT_COLUMNS);
  const response = pick(cells, RESPONSE_COLUMNS);
  const system = pick(cells, ['system']);
  const used = new Set([file?.key, list?.key, system?.key, prompt?.key, response?.key]);
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(cells)) if (!used.has(k) && v !== null) fields[k.trim()] = v;
  const column = (list?.value ? list.key : file?.key) as string;
  return { line, names, column, prompt: prompt?.value ?? null, system: system?.value ?? null, response: response?.value ?? null, fields };
}

function listed(items: string[], total: number): string {
  return items.slice(0, MAX_LISTED).join('; ') + (total > MAX_LISTED ? `; and ${total - MAX_LISTED} more` : '');
}

/**
 * The sidecar's entries with every name found in the folder (a top-level image, or an image in a
 * sub-folder the name leads to); every bad line is collected, so one message names them all.
 */
async function readSidecarEntries(
  path: string,
  folder: FolderNames,
  present: Set<string>,
  skipped: Map<string, string>,
): Promise<{ entries: SidecarEntry[]; table: SidecarTable }> {
  const shown = basename(path);
  const table = await readSidecar(path);
  const entries: SidecarEntry[] = [];
  const errors: string[] = [];
  for (const item of table.items) {
    const at = `sidecar ${shown} line ${item.line}`;
    if (item.kind === 'bad') {
      errors.push(`${at}: ${item.reason}`);
      continue;
    }
    const e = entryOf(item.line, item.cells);
    if (typeof e === 'string') {
      errors.push(`${at}: ${e}`);
      continue;
    }
    const files: string[] = [];
    for (const name of e.names) {
      const r = await folder.resolve(name);
      const why = 'rel' in r ? (skipped.get(r.rel) ?? (present.has(r.rel) ? null : imageRefusal(r.rel))) : r.error;
      if ('rel' in r && why === null) files.push(r.rel);
      else errors.push(`${at}, field "${e.column}": ${'rel' in r ? `"${name}" cannot be imported (${why})` : why}`);
    }
    entries.push({ line: e.line, files, prompt: e.prompt, system: e.system, response: e.response, fields: e.fields });
  }
  if (errors.length > 0) throw new CoreError('BAD_INPUT', `${errors.length} bad sidecar line${errors.length === 1 ? '' : 's'}, nothing imported: ${listed(errors, errors.length)}`);
  return { entries, table };
}

/** Why a file a sidecar names in a sub-folder is not taken (null: it is), by the rules of the top level. */
function imageRefusal(rel: string): string | null {
  const name = basename(rel);
  if (name.startsWith('.')) return 'a hidden file';
  const ext = extname(name).toLowerCase();
  return IMAGE_EXTENSIONS.has(ext) ? null : `not a PNG, JPEG or WebP image (${ext || 'no extension'})`;
}

function recordOf(e: { prompt: string; system: string | null; response: string | null }, hashes: string[]): DatasetRecord {
  const messages: DatasetRecord['messages'] = [];
  if (e.system) messages.push({ role: 'system', content: e.system });
  messages.push({ role: 'user', content: e.prompt });
  return { messages, response: e.response, chosen: null, rejected: null, images: hashes };
}

/** Every image hash a dataset row refers to (rows of imports under way included): the image store keeps these. */
export const IMAGE_HASHES_SQL = 'SELECT DISTINCT j.value AS h FROM dataset_rows r, json_each(r.images_json) j WHERE r.images_json IS NOT NULL';
export function* datasetImageHashes(db: Db): Generator<string> {
  const stmt = db.prepare(IMAGE_HASHES_SQL);
  for (const r of stmt.iterate() as Iterable<{ h: string }>) yield r.h;
}

export async function importImageFolder(
  repo: DatasetsRepo,
  images: ImageStore,
  input: ImageImportInput,
  signal: AbortSignal,
  onProgress: (p: ImportProgress) => void,
  now: () => number = Date.now,
): Promise<ImageImportOutcome> {
  const importId = input.importId ?? ulid();
  if (repo.nameTaken(input.name)) throw new CoreError('CONFLICT', `name: a dataset named "${input.name}" already exists`);
  const started = now();
  const dir = resolve(input.dir);
  const dirents = await readdir(dir, { withFileTypes: true }).catch((e: unknown) => {
    throw new CoreError('NOT_FOUND', `dir: cannot read the folder ${dir}: ${describeFsError(e)}`);
  });
  const sidecar = input.sidecar === null ? null : resolve(input.sidecar);
  const files: string[] = [];
  const skipped = new Map<string, string>();
  for (const d of dirents.sort((a, b) => a.name.localeCompare(b.name))) {
    if (join(dir, d.name) === sidecar) continue;
    const ext = extname(d.name).toLowerCase();
    if (d.isDirectory()) skipped.set(d.name, 'a folder (subfolders are not read)');
    else if (!d.isFile()) skipped.set(d.name, 'not a regular file');
    else if (d.name.startsWith('.')) skipped.set(d.name, 'a hidden file');
    else if (!IMAGE_EXTENSIONS.has(ext)) skipped.set(d.name, `not a PNG, JPEG or WebP image (${ext || 'no extension'})`);
    else files.push(d.name);
  }
  const read = sidecar === null ? null : await readSidecarEntries(sidecar, new FolderNames(dir), new Set(files), skipped);
  const entries = read?.entries ?? [];
  // Images in sub-folders are read when the sidecar names them (a sidecar with paths, as exported from
  // another tool); the rest of a sub-folder is still passed over.
  const seen = new Set(files);
  for (const f of entries.flatMap((e) => e.files)) {
    if (seen.has(f)) continue;
    seen.add(f);
    files.push(f);
    const top = f.split('/')[0] as string;
    if (skipped.has(top)) skipped.set(top, 'a folder (only the files the sidecar names are read from it)');
  }
  if (files.length === 0) throw new CoreError('BAD_INPUT', `dir: ${dir} has no PNG, JPEG or WebP images`);

  // Every image through the store; all refusals are collected so one message names every bad file.
  const hashOf = new Map<string, string>();
  const bad: string[] = [];
  const notes: ImageImportNote[] = [];
  let sizes = 0;
  const sizeOf = new Map<string, number>();
  for (const f of files) {
    const s = await stat(join(dir, f)).then((x) => x.size, () => 0);
    sizeOf.set(f, s);
    sizes += s;
  }
  let bytes = 0;
  let lastProgress = 0;
  for (const f of files) {
    if (signal.aborted) throw new CoreError('CONFLICT', `The import of ${dir} was cancelled; nothing was stored`);
    try {
      const stored = await images.add(join(dir, f), f);
      hashOf.set(f, stored.hash);
      for (const note of stored.notes ?? []) notes.push({ file: f, note });
    } catch (e) {
      if (!(e instanceof CoreError)) throw e;
      const base = `${basename(f)}: `;
      bad.push(e.message.startsWith(base) ? `${f}: ${e.message.slice(base.length)}` : `${f}: ${e.message}`);
    }
    bytes += sizeOf.get(f) ?? 0;
    if (now() - lastProgress >= 200) {
      lastProgress = now();
      onProgress({ importId, bytes, totalBytes: sizes, rows: 0, bad: bad.length, rowsPerSec: 0, done: false });
    }
  }
  if (bad.length > 0) throw new CoreError('BAD_INPUT', `${bad.length} of ${files.length} images in ${dir} could not be imported, nothing imported: ${listed(bad, bad.length)}`);

  // Rows: one per sidecar line (its files), then one per image no line named, in file-name order.
  const rows: NewRow[] = [];
  const named = new Set<string>();
  for (const e of entries) {
    for (const f of e.files) named.add(f);
    const response = e.response ?? (Object.keys(e.fields).length > 0 ? JSON.stringify(e.fields, null, 2) : null);
    const rec = recordOf({ prompt: e.prompt ?? input.prompt, system: e.system ?? input.system, response }, e.files.map((f) => hashOf.get(f) as string));
    rows.push({ line: e.line, record: rec, pii: piiMask(recordText(rec)) });
  }
  for (const f of files) {
    if (named.has(f)) continue;
    const rec = recordOf({ prompt: input.prompt, system: input.system, response: null }, [hashOf.get(f) as string]);
    rows.push({ line: null, record: rec, pii: piiMask(recordText(rec)) });
  }
  const datasetId = ulid(started);
  repo.createImporting(datasetId, input.name, started);
  let created = true;
  try {
    repo.insertRows(datasetId, 0, rows);
    const skips = [...skipped].map(([file, reason]) => ({ file, reason }));
    repo.finishImport(
      datasetId,
      {
        path: dir,
        container: read?.table.format ?? 'jsonl',
        format: 'columns',
        // UTF-16 is decoded whole before reading; the report's encodings are those a streamed file can have.
        encoding: read?.table.encoding === 'gb18030' ? 'gb18030' : 'utf-8',
        mapping: null,
        imported: rows.length,
        badTotal: 0,
        bad: [],
        ms: now() - started,
        importedAt: now(),
        images: { dir, sidecar, files: files.length, skipped: skips, ...(notes.length > 0 ? { notes } : {}) },
      },
      rows.length,
      now(),
    );
    created = false;
    onProgress({ importId, bytes, totalBytes: sizes, rows: rows.length, bad: 0, rowsPerSec: 0, done: true });
    return { datasetId, imported: rows.length, images: files.length, skipped: skips, notes };
  } finally {
    if (created) repo.markRemoving(datasetId);
  }
}
