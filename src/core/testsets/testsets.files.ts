// Test set files: a preview of what an import would read, the import itself (bad rows reported by file
// line; all good rows stored in one transaction or none; cancellable), and the JSONL export.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { rename, rm } from 'node:fs/promises';
import { ulid } from '../../shared/ids';
import {
  MAX_LISTED_BAD_ROWS,
  type BadRow,
  type ColumnMapping,
  type Delimiter,
  type ImportFormat,
  type ImportReport,
  type PreviewRow,
  type TestSetInfo,
  type TestSetPreview,
} from '../../shared/testsets.schema';
import { CoreError } from '../errors';
import { HeaderError } from '../io/csv';
import { describeFsError } from '../io/fsError';
import { openTable, tailSample, type TableFile } from '../io/tableSource';
import { ImageCellReader, imageColumns, suggestImages, type TestSetImages } from './imageCells';
import { applyMapping, suggestMapping } from './mapping';
import { ulids } from './rowIds';
import { rowForSet, type NewRow, type StoredRow, type TestSetsRepo } from './testsets.repo';

const PREVIEW_ROWS = 20;
/** JSONL columns are the union of keys over this many lines; no preview reads further. */
const PREVIEW_KEY_LINES = 1000;
const EXPORT_PAGE = 1000;

export interface PreviewInput {
  path: string;
  format: 'auto' | ImportFormat;
  delimiter?: Delimiter;
}

export interface ImportInput extends PreviewInput {
  name: string;
  mapping: ColumnMapping;
  importId?: string;
}

export interface ImportResult {
  testSet: TestSetInfo;
  imported: number;
  badTotal: number;
  bad: BadRow[];
}

export interface ExportResult {
  path: string;
  rows: number;
  expectedKey: string;
  labelKey: string;
}

export interface TestSetFilesOptions {
  /** Longest line (and CSV row) a file may have; longer ones are bad rows. */
  maxLineBytes?: number;
  now?: () => number;
  /** The image store, for image columns (absent: an import with image columns is refused). */
  images?: TestSetImages;
}

/** What the files side needs from the sets service. */
export interface SetLookup {
  get(id: string): TestSetInfo;
  assertNameFree(name: string): void;
}

export const isUniqueViolation = (e: unknown) => (e as { code?: unknown })?.code === 'SQLITE_CONSTRAINT_UNIQUE';

export class TestSetFiles {
  private readonly imports = new Map<string, AbortController>();
  /** Images stored by imports in flight, kept from GC until their rows are committed (or the import fails). */
  private readonly pendingImages = new Map<string, ReadonlySet<string>>();
  private readonly now: () => number;

  constructor(
    private readonly repo: TestSetsRepo,
    private readonly sets: SetLookup,
    private readonly opts: TestSetFilesOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
  }

  private async open(input: PreviewInput): Promise<TableFile> {
    return openTable(input.path, { format: input.format, delimiter: input.delimiter, maxLineBytes: this.opts.maxLineBytes });
  }

  /** Errors from reading the file, as the person importing it should see them. */
  private readError(path: string, e: unknown): unknown {
    if (e instanceof CoreError) return e;
    if (e instanceof HeaderError) return new CoreError('BAD_INPUT', `${path}: ${e.message}`);
    if ((e as NodeJS.ErrnoException)?.syscall !== undefined) return new CoreError('NOT_FOUND', `Cannot read ${path}: ${describeFsError(e)}`);
    return e;
  }

  async preview(input: PreviewInput): Promise<TestSetPreview> {
    const file = await this.open(input);
    let delimiter: Delimiter | null = null;
    let columns: string[] = [];
    const keys = new Set<string>();
    const rows: PreviewRow[] = [];
    const bad: BadRow[] = [];
    try {
      read: for await (const batch of file.items) {
        for (const item of batch) {
          if (item.kind === 'header') {
            columns = item.columns;
            delimiter = item.delimiter;
          } else if (item.kind === 'bad') {
            if (bad.length < PREVIEW_ROWS) bad.push({ line: item.line, reason: item.reason });
          } else {
            if (file.format === 'jsonl') for (const k of Object.keys(item.values)) keys.add(k);
            if (rows.length < PREVIEW_ROWS) {
              const values = Object.create(null) as Record<string, string>;
              for (const [k, v] of Object.entries(item.values)) values[k] = v ?? '';
              rows.push({ line: item.line, values });
            }
          }
          // CSV columns come from the header, so 20 rows are enough; JSONL keys come from the first lines.
          const enough = item.line >= PREVIEW_KEY_LINES || (file.format === 'csv' && rows.length >= PREVIEW_ROWS);
          if (enough) break read;
        }
      }
    } catch (e) {
      throw this.readError(file.path, e);
    } finally {
      await file.close();
    }
    if (file.format === 'jsonl') columns = [...keys];
    const { lines, bytes, done } = file.progress;
    let lineCount = lines;
    if (!done && bytes > 0) {
      // Lines tend to grow down a file (ids, numbers): average the start with a sample of the end.
      const tail = await tailSample(file.path, file.sizeBytes).catch(() => ({ bytes: 0, lines: 0 }));
      lineCount = Math.round(((lines + tail.lines) * file.sizeBytes) / (bytes + tail.bytes));
    }
    return {
      path: file.path,
      format: file.format,
      delimiter,
      columns,
      rows,
      bad,
      sizeBytes: file.sizeBytes,
      lineCount,
      lineCountExact: done,
      mapping: await suggestImages(suggestMapping(columns), rows, this.opts.images),
    };
  }

  /** Stops an import in flight; it then stores nothing and fails with a message saying so. */
  cancelImport(importId: string): boolean {
    const c = this.imports.get(importId);
    if (!c) return false;
    c.abort();
    return true;
  }

  /** Cancels every import in flight; call before closing the database. */
  close(): void {
    for (const c of this.imports.values()) c.abort();
  }

  /** Image hashes held by imports in flight. */
  *pendingImageHashes(): Generator<string> {
    for (const set of this.pendingImages.values()) yield* set;
  }

  /** Imports currently running (their ids), for tests and the UI. */
  runningImports(): string[] {
    return [...this.imports.keys()];
  }

  /**
   * Streams the file into a staging table a chunk at a time, then moves every good row and the set into
   * the database in one transaction. A better-sqlite3 transaction cannot stay open across the awaits of
   * a stream (other commands share the connection and would land inside it), hence the staging.
   */
  async import(input: ImportInput): Promise<ImportResult> {
    const importId = input.importId ?? ulid();
    if (this.imports.has(importId)) throw new CoreError('CONFLICT', `importId: an import with id ${importId} is already running`);
    const controller = new AbortController();
    this.imports.set(importId, controller);
    let file: TableFile | null = null;
    try {
      this.sets.assertNameFree(input.name);
      file = await this.open(input);
      const { mapping } = input;
      const imageCols = imageColumns(mapping);
      if (imageCols.length > 0 && !this.opts.images) throw new CoreError('BAD_INPUT', 'mapping.images: images cannot be stored here');
      const cells = imageCols.length > 0 ? new ImageCellReader(this.opts.images as TestSetImages, file.path) : null;
      if (cells) this.pendingImages.set(importId, cells.hashes);
      let delimiter: Delimiter | null = null;
      let imported = 0;
      let badTotal = 0;
      const bad: BadRow[] = [];
      const addBad = (line: number, reason: string, column?: string) => {
        badTotal++;
        if (bad.length < MAX_LISTED_BAD_ROWS) bad.push(column === undefined ? { line, reason } : { line, column, reason });
      };
      try {
        for await (const batch of file.items) {
          if (controller.signal.aborted) break;
          const staged: NewRow[] = [];
          const ids = ulids(batch.length);
          for (const [i, item] of batch.entries()) {
            if (item.kind === 'header') {
              delimiter = item.delimiter;
              checkMappingAgainstHeader(file.path, item.columns, mapping);
            } else if (item.kind === 'bad') {
              addBad(item.line, item.reason);
            } else {
              const m = applyMapping(item.values, mapping);
              if (!m.ok) {
                addBad(item.line, m.reason);
                continue;
              }
              let badCell = false;
              for (const { column, name } of cells ? imageCols : []) {
                const r = await (cells as ImageCellReader).read(m.variables[name] ?? '', item.line);
                if (r.ok) m.variables[name] = r.hash;
                else {
                  addBad(item.line, `column "${column}": ${r.reason}`, column);
                  badCell = true;
                  break;
                }
              }
              if (!badCell) staged.push({ id: ids[i] as string, variables: m.variables, expected: m.expected, label: m.label });
            }
          }
          this.repo.stage(importId, imported, staged);
          imported += staged.length;
        }
      } catch (e) {
        throw this.readError(file.path, e);
      }
      if (controller.signal.aborted) {
        throw new CoreError('CONFLICT', `The import of ${file.path} was cancelled; nothing was stored`);
      }
      if (file.format === 'csv' && delimiter === null) throw new CoreError('BAD_INPUT', `${file.path} is empty: a CSV file needs a header row`);
      if (imported === 0 && badTotal > 0) {
        const first = bad
          .slice(0, 5)
          .map((b) => `line ${b.line}: ${b.reason}`)
          .join('; ');
        throw new CoreError('BAD_INPUT', `No row of ${file.path} could be imported (${badTotal} bad): ${first}`);
      }
      const now = this.now();
      const report: ImportReport = { path: file.path, format: file.format, delimiter, mapping, imported, badTotal, bad, importedAt: now };
      const id = ulid(now);
      try {
        this.repo.commitImport(
          { id, name: input.name, variables: Object.values(mapping.variables), imageVariables: imageCols.map((c) => c.name), importReport: report, createdAt: now, updatedAt: now },
          importId,
        );
      } catch (e) {
        if (isUniqueViolation(e)) throw new CoreError('CONFLICT', `name: a test set named "${input.name}" already exists`);
        throw e;
      }
      return { testSet: this.sets.get(id), imported, badTotal, bad };
    } finally {
      this.imports.delete(importId);
      this.pendingImages.delete(importId);
      await file?.close();
      try {
        this.repo.dropStaged(importId);
      } catch {
        // The database closed under the import (app shutdown): its TEMP table went with the connection.
      }
    }
  }

  /** Written to a temporary file beside the target, then renamed: a failed export leaves no half file. */
  async exportJsonl(testSetId: string, path: string): Promise<ExportResult> {
    const s = this.sets.get(testSetId);
    const freeKey = (key: string) => {
      let k = key;
      while (s.variables.includes(k)) k = `_${k}`;
      return k;
    };
    const expectedKey = freeKey('expected');
    const labelKey = freeKey('label');
    const tmp = `${path}.${ulid()}.tmp`;
    const out = createWriteStream(tmp, { flags: 'wx' });
    let rows = 0;
    try {
      await once(out, 'open');
      let after = -1;
      for (;;) {
        const page = this.repo.rowsAfter(s.id, after, EXPORT_PAGE);
        if (page.length === 0) break;
        let text = '';
        for (const r of page) {
          const row = rowForSet(r, s.variables);
          const obj: Record<string, string | null> = { ...row.variables, [expectedKey]: row.expected, [labelKey]: row.label };
          text += JSON.stringify(obj) + '\n';
        }
        rows += page.length;
        after = (page.at(-1) as StoredRow).position;
        if (!out.write(text)) await once(out, 'drain');
      }
      out.end();
      await once(out, 'finish');
      await rename(tmp, path);
    } catch (e) {
      out.destroy();
      await rm(tmp, { force: true });
      const err = e as NodeJS.ErrnoException;
      throw new CoreError(err?.code === 'ENOENT' ? 'NOT_FOUND' : 'BAD_INPUT', `Cannot write ${path}: ${describeFsError(e)}`);
    }
    return { path, rows, expectedKey, labelKey };
  }
}

/** A CSV's columns are known up front: a mapping naming another column is a mistake, not a bad row. */
function checkMappingAgainstHeader(path: string, columns: readonly string[], mapping: ColumnMapping): void {
  const has = new Set(columns);
  const check = (column: string, field: string) => {
    if (!has.has(column)) {
      throw new CoreError('BAD_INPUT', `mapping.${field}: ${path} has no column "${column}" (its columns: ${columns.join(', ')})`);
    }
  };
  for (const column of Object.keys(mapping.variables)) check(column, `variables.${column}`);
  if (mapping.expected !== null) check(mapping.expected, 'expected');
  if (mapping.label !== null) check(mapping.label, 'label');
}
