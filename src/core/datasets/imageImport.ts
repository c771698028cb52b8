// A folder of images (PNG/JPEG/WebP) into a dataset, with an optional CSV or JSONL sidecar that gives each
// file (or list of files) a prompt, a reference answer or fields. Whole or nothing: the sidecar is read and
// checked before any image is stored, every image must be accepted by the image store, and the rows land
// under an 'importing' dataset that turns 'ready' only at the end. Images stored before a failure stay in
// the store unreferenced; its collector removes them after its grace period.
import { readdir, stat } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import type { DatasetRecord } from '../../shared/datasets.record';
import type { ImageImportSkip, ImportProgress } from '../../shared/datasets.schema';
import { ulid } from '../../shared/ids';
import { piiMask } from '../../shared/pii';
import type { Db } from '../db/openDb';
import { CoreError } from '../errors';
import type { ImageStore } from '../images/imageStore';
import { describeFsError } from '../io/fsError';
import { openTable } from '../io/tableSource';
import type { Cells } from '../io/table';
import { recordText } from './datasetImport';
import type { DatasetsRepo, NewRow } from './datasets.repo';

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
}

/** One sidecar line: the files it names and what the row says about them. */
interface SidecarEntry {
  line: number;
  files: string[];
  prompt: string | null;
  system: string | null;
  response: string | null;
  fields: Record<string, string>;
}

const FILE_COLUMNS = ['file', 'file_name', 'filename', 'image', 'path'];
const PROMPT_COLUMNS = ['prompt', 'instruction', 'question', 'query'];
const RESPONSE_COLUMNS = ['response', 'answer', 'output', 'reference'];

function pick(cells: Cells, names: readonly string[]): { key: string; value: string | null } | null {
  for (const k of names) if (k in cells) return { key: k, value: cells[k] ?? null };
  return null;
}

/** `images`: a JSON array (JSONL) or names separated by `;` or `|` (CSV). */
function listOf(v: string): string[] {
  const t = v.trim();
  if (t.startsWith('[')) {
    const parsed: unknown = JSON.parse(t);
    if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === 'string')) throw new Error('"images" is not a list of file names');
    return parsed;
  }
  return t.split(/[;|]/).map((s) => s.trim()).filter((s) => s !== '');
}

function entryOf(line: number, cells: Cells): SidecarEntry | string {
  const file = pick(cells, FILE_COLUMNS);
  let files: string[];
  try {
    files = 'images' in cells && cells.images ? listOf(cells.images) : file?.value ? [file.value.trim()] : [];
  } catch (e) {
    return (e as Error).message;
  }
  if (files.length === 0) return `no file name (give a "file" or "images" column)`;
  for (const f of files) if (basename(f) !== f || f === '.' || f === '..') return `"${f}" is not a file name in the folder (no paths)`;
  const prompt = pick(cells, PROMPT_COLUMNS);
  const response = pick(cells, RESPONSE_COLUMNS);
  const used = new Set([...FILE_COLUMNS, 'images', 'system', ...(prompt ? [prompt.key] : []), ...(response ? [response.key] : [])]);
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(cells)) if (!used.has(k) && v !== null) fields[k] = v;
  return { line, files, prompt: prompt?.value ?? null, system: cells.system ?? null, response: response?.value ?? null, fields };
}

function listed(items: string[], total: number): string {
  return items.slice(0, MAX_LISTED).join('; ') + (total > MAX_LISTED ? `; and ${total - MAX_LISTED} more` : '');
}

async function readSidecar(path: string, present: Set<string>, skipped: Map<string, string>): Promise<SidecarEntry[]> {
  const shown = basename(path);
  const table = await openTable(path, { format: 'auto' });
  const entries: SidecarEntry[] = [];
  const errors: string[] = [];
  try {
    for await (const batch of table.items) {
      for (const item of batch) {
        if (item.kind === 'header') continue;
        if (item.kind === 'bad') {
          errors.push(`sidecar ${shown} line ${item.line}: ${item.reason}`);
          continue;
        }
        const e = entryOf(item.line, item.values);
        if (typeof e === 'string') {
          errors.push(`sidecar ${shown} line ${item.line}: ${e}`);
          continue;
        }
        for (const f of e.files) {
          if (present.has(f)) continue;
          const why = skipped.get(f);
          errors.push(`sidecar ${shown} line ${item.line}: ${why ? `"${f}" cannot be imported (${why})` : `names "${f}", which is not in the folder`}`);
        }
        entries.push(e);
      }
    }
  } finally {
    await table.close();
  }
  if (errors.length > 0) throw new CoreError('BAD_INPUT', `${errors.length} bad sidecar line${errors.length === 1 ? '' : 's'}, nothing imported: ${listed(errors, errors.length)}`);
  return entries;
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
  const entries = sidecar === null ? [] : await readSidecar(sidecar, new Set(files), skipped);
  if (files.length === 0) throw new CoreError('BAD_INPUT', `dir: ${dir} has no PNG, JPEG or WebP images`);

  // Every image through the store; all refusals are collected so one message names every bad file.
  const hashOf = new Map<string, string>();
  const bad: string[] = [];
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
      hashOf.set(f, (await images.add(join(dir, f), f)).hash);
    } catch (e) {
      if (!(e instanceof CoreError)) throw e;
      bad.push(e.message.startsWith(`${f}:`) ? e.message : `${f}: ${e.message}`);
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
        container: sidecar?.toLowerCase().endsWith('.csv') ? 'csv' : 'jsonl',
        format: 'columns',
        encoding: 'utf-8',
        mapping: null,
        imported: rows.length,
        badTotal: 0,
        bad: [],
        ms: now() - started,
        importedAt: now(),
        images: { dir, sidecar, files: files.length, skipped: skips },
      },
      rows.length,
      now(),
    );
    created = false;
    onProgress({ importId, bytes, totalBytes: sizes, rows: rows.length, bad: 0, rowsPerSec: 0, done: true });
    return { datasetId, imported: rows.length, images: files.length, skipped: skips };
  } finally {
    if (created) repo.markRemoving(datasetId);
  }
}
