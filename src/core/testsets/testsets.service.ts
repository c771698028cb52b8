// Test sets: named lists of rows (variables, expected output, label) edited in a grid; files come and go
// through TestSetFiles (preview, import, export).
import { ulid } from '../../shared/ids';
import type { TestSetInfo, TestSetPreview, TestSetRow, TestSetSummary } from '../../shared/testsets.schema';
import { CoreError } from '../errors';
import { isImageHash } from '../../shared/imageVars';
import { hasImage } from './imageCells';
import { noneIfEmpty } from './mapping';
import {
  isUniqueViolation,
  TestSetFiles,
  type ExportResult,
  type ImportInput,
  type ImportResult,
  type PreviewInput,
  type TestSetFilesOptions,
} from './testsets.files';
import { rowForSet, type NewRow, type StoredRow, type StoredTestSet, type TestSetsRepo } from './testsets.repo';

export interface RowInput {
  variables?: Record<string, string>;
  expected?: string | null;
  label?: string | null;
}

export type TestSetsOptions = TestSetFilesOptions;

export class TestSetsService {
  private readonly now: () => number;
  private readonly files: TestSetFiles;
  private readonly images: TestSetsOptions['images'];

  constructor(
    private readonly repo: TestSetsRepo,
    opts: TestSetsOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.images = opts.images;
    this.files = new TestSetFiles(repo, this, opts);
    // The image store's GC keeps every image a row or an import in flight refers to.
    opts.images?.registerRefs('testsets', () => this.imageRefs());
  }

  private *imageRefs(): Generator<string> {
    yield* this.repo.imageHashes();
    yield* this.files.pendingImageHashes();
  }

  // ── sets ─────────────────────────────────────────────────────────────────────────────────────────

  private stored(id: string): StoredTestSet {
    const s = this.repo.getSet(id);
    if (!s) throw new CoreError('NOT_FOUND', `No test set with id ${id}`);
    return s;
  }

  private info(s: StoredTestSet): TestSetInfo {
    return { ...this.summary(s), importReport: s.importReport };
  }

  private summary(s: StoredTestSet): TestSetSummary {
    return { id: s.id, name: s.name, variables: s.variables, imageVariables: s.imageVariables, rowCount: s.rowCount, createdAt: s.createdAt, updatedAt: s.updatedAt };
  }

  assertNameFree(name: string): void {
    const other = this.repo.findByName(name);
    if (other) throw new CoreError('CONFLICT', `name: a test set named "${other.name}" already exists`);
  }

  list(): TestSetSummary[] {
    return this.repo.listSets().map((s) => this.summary(s));
  }

  get(id: string): TestSetInfo {
    return this.info(this.stored(id));
  }

  create(name: string, variables: readonly string[], imageVariables: readonly string[] = []): TestSetInfo {
    this.assertNameFree(name);
    imageVariables.forEach((v, i) => {
      if (!variables.includes(v)) throw new CoreError('BAD_INPUT', `imageVariables.${i}: "${v}" is not one of the variables`);
    });
    const now = this.now();
    const id = ulid(now);
    try {
      this.repo.insertSet({ id, name, variables: [...variables], imageVariables: [...new Set(imageVariables)], importReport: null, createdAt: now, updatedAt: now });
    } catch (e) {
      if (isUniqueViolation(e)) throw new CoreError('CONFLICT', `name: a test set named "${name}" already exists`);
      throw e;
    }
    return this.get(id);
  }

  remove(id: string): boolean {
    return this.repo.removeSet(id);
  }

  // ── variables ────────────────────────────────────────────────────────────────────────────────────

  addVariable(testSetId: string, name: string, image = false): TestSetInfo {
    const s = this.stored(testSetId);
    if (s.variables.includes(name)) throw new CoreError('CONFLICT', `name: test set "${s.name}" already has a variable "${name}"`);
    // Every stored row keeps every variable, so readers of variables_json (evaluations copy it) need no defaults.
    this.repo.transaction(() => {
      this.repo.addVariableToRows(s.id, name);
      this.repo.updateSet(s.id, [...s.variables, name], this.now());
      if (image) this.repo.setImageVariables(s.id, [...s.imageVariables, name]);
    });
    return this.get(s.id);
  }

  removeVariable(testSetId: string, name: string): TestSetInfo {
    const s = this.stored(testSetId);
    this.assertVariable(s, name, 'name');
    this.repo.transaction(() => {
      this.repo.removeVariableFromRows(s.id, name);
      if (s.imageVariables.includes(name)) this.repo.setImageVariables(s.id, s.imageVariables.filter((v) => v !== name));
      this.repo.updateSet(
        s.id,
        s.variables.filter((v) => v !== name),
        this.now(),
      );
    });
    return this.get(s.id);
  }

  renameVariable(testSetId: string, from: string, to: string): TestSetInfo {
    const s = this.stored(testSetId);
    this.assertVariable(s, from, 'from');
    if (from === to) return this.info(s);
    if (s.variables.includes(to)) throw new CoreError('CONFLICT', `to: test set "${s.name}" already has a variable "${to}"`);
    this.repo.transaction(() => {
      this.repo.renameVariableInRows(s.id, from, to);
      if (s.imageVariables.includes(from)) this.repo.setImageVariables(s.id, s.imageVariables.map((v) => (v === from ? to : v)));
      this.repo.updateSet(
        s.id,
        s.variables.map((v) => (v === from ? to : v)),
        this.now(),
      );
    });
    return this.get(s.id);
  }

  private assertVariable(s: StoredTestSet, name: string, field: string): void {
    if (!s.variables.includes(name)) {
      const known = s.variables.length ? s.variables.join(', ') : 'none';
      throw new CoreError('BAD_INPUT', `${field}: test set "${s.name}" has no variable "${name}" (its variables: ${known})`);
    }
  }

  // ── rows ─────────────────────────────────────────────────────────────────────────────────────────

  rows(testSetId: string, offset: number, limit: number): { rows: TestSetRow[]; total: number } {
    const s = this.stored(testSetId);
    return { rows: this.repo.rows(s.id, offset, limit).map((r) => rowForSet(r, s.variables)), total: s.rowCount };
  }

  private storedRow(rowId: string): StoredRow {
    const r = this.repo.getRow(rowId);
    if (!r) throw new CoreError('NOT_FOUND', `No test set row with id ${rowId}`);
    return r;
  }

  private async checkValues(s: StoredTestSet, values: Record<string, string>): Promise<void> {
    for (const name of Object.keys(values)) this.assertVariable(s, name, `variables.${name}`);
    for (const name of s.imageVariables) {
      const v = values[name];
      if (v === undefined || v === '') continue;
      if (!isImageHash(v)) throw new CoreError('BAD_INPUT', `variables.${name}: an image column takes a stored image's hash (add the image first), not "${(v as string).slice(0, 80)}"`);
      if (!this.images || !(await hasImage(this.images, v))) throw new CoreError('NOT_FOUND', `variables.${name}: no stored image has the hash ${v}`);
    }
  }

  async addRow(testSetId: string, input: RowInput): Promise<TestSetRow> {
    const s = this.stored(testSetId);
    const given = input.variables ?? {};
    await this.checkValues(s, given);
    const variables: Record<string, string> = {};
    for (const v of s.variables) variables[v] = given[v] ?? '';
    const row: NewRow = { id: ulid(), variables, expected: noneIfEmpty(input.expected), label: noneIfEmpty(input.label) };
    this.repo.transaction(() => {
      this.repo.insertRow(s.id, this.repo.nextPosition(s.id), row);
      this.repo.updateSet(s.id, s.variables, this.now());
    });
    return rowForSet(this.storedRow(row.id), s.variables);
  }

  async updateRow(rowId: string, input: RowInput): Promise<TestSetRow> {
    const r = this.storedRow(rowId);
    const s = this.stored(r.testSetId);
    await this.checkValues(s, input.variables ?? {});
    const next = {
      id: r.id,
      values: { ...r.values, ...input.variables },
      expected: input.expected === undefined ? r.expected : noneIfEmpty(input.expected),
      label: input.label === undefined ? r.label : noneIfEmpty(input.label),
    };
    this.repo.transaction(() => {
      this.repo.updateRow(next);
      this.repo.updateSet(s.id, s.variables, this.now());
    });
    return rowForSet(this.storedRow(r.id), s.variables);
  }

  deleteRow(rowId: string): boolean {
    const r = this.repo.getRow(rowId);
    if (!r) return false;
    return this.repo.transaction(() => {
      const removed = this.repo.deleteRow(rowId);
      const s = this.stored(r.testSetId);
      this.repo.updateSet(s.id, s.variables, this.now());
      return removed;
    });
  }

  // ── files ────────────────────────────────────────────────────────────────────────────────────────

  preview(input: PreviewInput): Promise<TestSetPreview> {
    return this.files.preview(input);
  }

  import(input: ImportInput): Promise<ImportResult> {
    return this.files.import(input);
  }

  cancelImport(importId: string): boolean {
    return this.files.cancelImport(importId);
  }

  runningImports(): string[] {
    return this.files.runningImports();
  }

  exportJsonl(testSetId: string, path: string): Promise<ExportResult> {
    return this.files.exportJsonl(testSetId, path);
  }

  /** Cancels imports in flight; call before closing the database. */
  close(): void {
    this.files.close();
  }
}
