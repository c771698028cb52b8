// Datasets: import, browse and search, label (durable per action, with undo), quality analysis, split,
// export, and model-assisted drafts. Long work runs as jobs that report progress and can be cancelled.
import { EventEmitter } from 'node:events';
import type { DatasetRecord } from '../../shared/datasets.record';
import type {
  DatasetInfo,
  DatasetJobProgress,
  DatasetRow,
  DatasetStats,
  DatasetSummary,
  ExportOut,
  ExportRequest,
  ImportProgress,
  LabelPatch,
  LabelSchema,
  RowFilter,
  RowPage,
} from '../../shared/datasets.schema';
import { ulid } from '../../shared/ids';
import { maskPii, piiMask } from '../../shared/pii';
import { assignSplits } from '../../shared/split';
import type { RunTarget, SamplingParams } from '../../shared/runs.schema';
import { CoreError } from '../errors';
import { importDataset, recordText, type ImportInput, type ImportOutcome } from './datasetImport';
import { analyzeDataset, draftRows, indexDataset, JobRunner, removeDataset, type AnalyzeDeps, type DraftDeps } from './datasetJobs';
import { fullRow, recordOf, type DatasetDb, type DatasetRowDb, type DatasetsRepo, type LabelState } from './datasets.repo';
import { RowConflictError } from './rowConflict';
import { asSeenBy, assertInScope, assertScopedFilter, type RowScope } from './rowQuery';
import { previewDatasetFile, type DatasetPreview } from './io/preview';
import type { OpenDatasetOptions } from './io/source';
import { writeDatasetExport } from './io/exporters';
import type { ImageStore } from '../images/imageStore';
import { VISION_EXPORT_FORMATS } from '../../shared/datasets.record';
import { datasetImageHashes, importImageFolder, type ImageImportInput, type ImageImportOutcome } from './imageImport';
import { writeVisionExport } from './io/imageExporters';

export interface DatasetsDeps {
  repo: DatasetsRepo;
  /** The tokenizer of a model, when it is the loaded one; null otherwise. */
  tokenCounter(modelId: string | null): { count: (texts: string[]) => Promise<number[]>; name: string } | null;
  /** A prompt version filled with a row's variables, run on a target; resolves to the output text. */
  runPromptVersion(versionId: string, target: RunTarget, variables: Record<string, string>, params: Partial<SamplingParams>, signal: AbortSignal, images?: string[]): Promise<string>;
  /** One answer to a conversation from a target. */
  answer(target: RunTarget, messages: DatasetRecord['messages'], params: Partial<SamplingParams>, images?: string[]): Promise<{ text: string; runId: string }>;
  /** Image datasets: where their images are stored (absent: image imports and vision exports are refused). */
  images?: ImageStore;
  /** The acting reader's limit on a dataset's rows (team labeling, team/teamScope.ts); null: every row. */
  rowScope?: (datasetId: string) => RowScope | null;
  now?: () => number;
}

export class DatasetsService extends EventEmitter<{ importProgress: [ImportProgress]; jobProgress: [DatasetJobProgress] }> {
  private readonly repo: DatasetsRepo;
  private readonly now: () => number;
  private readonly imports = new Map<string, AbortController>();
  private readonly jobs: JobRunner;
  private readonly removals = new Map<string, Promise<void>>();
  private readonly closing = new AbortController();

  constructor(private readonly deps: DatasetsDeps) {
    super();
    this.repo = deps.repo;
    this.now = deps.now ?? Date.now;
    this.jobs = new JobRunner((p) => this.emit('jobProgress', p));
    deps.images?.registerRefs('datasets', () => datasetImageHashes(this.repo.db));
  }

  /** Finishes what an earlier run left: half-imported or half-removed datasets, indexes not caught up. */
  resume(): void {
    for (const id of this.repo.leftovers()) this.removeInBackground(id);
    for (const ds of this.repo.list()) this.ensureIndexed(ds.id);
  }

  // Datasets
  private dataset(id: string): DatasetDb {
    const ds = this.repo.get(id);
    if (!ds) throw new CoreError('NOT_FOUND', `datasetId: no dataset ${id}`);
    return ds;
  }
  private scope(id: string): RowScope | null {
    return this.deps.rowScope?.(id) ?? null;
  }
  private summary(ds: DatasetDb): DatasetSummary {
    return { id: ds.id, name: ds.name, rowCount: ds.row_count, createdAt: ds.created_at, updatedAt: ds.updated_at, indexedRows: this.repo.indexedRows(ds.id, ds.fts_upto) };
  }
  list(): DatasetSummary[] {
    return this.repo.list().map((d) => this.summary(d));
  }
  get(id: string): DatasetInfo {
    const ds = this.dataset(id);
    const scope = this.scope(id);
    return {
      ...this.summary(ds),
      importReport: ds.import_report_json ? JSON.parse(ds.import_report_json) : null,
      labelSchema: JSON.parse(ds.label_schema_json) as LabelSchema,
      statusCounts: this.repo.statusCounts(id),
      // A scoped reader sees their own progress, not who else labels here.
      labelers: this.repo.labelers(id).filter((l) => !scope || l.labelerId === scope.profileId),
    };
  }
  rename(id: string, name: string): DatasetInfo {
    this.dataset(id);
    if (this.repo.nameTaken(name, id)) throw new CoreError('CONFLICT', `name: a dataset named "${name}" already exists`);
    this.repo.rename(id, name, this.now());
    return this.get(id);
  }
  remove(id: string): boolean {
    if (!this.repo.get(id)) return false;
    for (const j of this.jobs.forDataset(id)) this.jobs.cancel(j.jobId);
    this.repo.markRemoving(id);
    this.removeInBackground(id);
    return true;
  }
  private removeInBackground(id: string): void {
    if (this.removals.has(id)) return;
    const p = removeDataset(this.repo, id, this.closing.signal)
      .catch(() => undefined)
      .finally(() => this.removals.delete(id));
    this.removals.set(id, p);
  }

  // Import
  preview(input: OpenDatasetOptions & { path: string }): Promise<DatasetPreview> {
    const { path, ...opts } = input;
    return previewDatasetFile(path, opts);
  }
  async import(input: ImportInput): Promise<ImportOutcome & { dataset: DatasetInfo }> {
    return this.runImport(input.importId, (importId, signal, progress) => importDataset(this.repo, { ...input, importId }, signal, progress, this.now));
  }
  async importImages(input: ImageImportInput): Promise<ImageImportOutcome & { dataset: DatasetInfo }> {
    const images = this.imageStore();
    return this.runImport(input.importId, (importId, signal, progress) => importImageFolder(this.repo, images, { ...input, importId }, signal, progress, this.now));
  }

  /** One import at a time per id, cancellable; a failed one leaves nothing behind (its rows are removed). */
  private async runImport<T extends { datasetId: string }>(
    requested: string | undefined,
    work: (importId: string, signal: AbortSignal, progress: (p: ImportProgress) => void) => Promise<T>,
  ): Promise<T & { dataset: DatasetInfo }> {
    const importId = requested ?? ulid();
    if (this.imports.has(importId)) throw new CoreError('CONFLICT', `importId: an import with id ${importId} is already running`);
    const controller = new AbortController();
    this.imports.set(importId, controller);
    try {
      const out = await work(importId, controller.signal, (p) => this.emit('importProgress', p));
      this.ensureIndexed(out.datasetId);
      return { ...out, dataset: this.get(out.datasetId) };
    } catch (e) {
      for (const id of this.repo.leftovers()) this.removeInBackground(id);
      throw e;
    } finally {
      this.imports.delete(importId);
    }
  }
  private imageStore(): ImageStore {
    if (!this.deps.images) throw new CoreError('CONFLICT', 'image datasets need the image store, which this core was built without');
    return this.deps.images;
  }
  cancelImport(importId: string): boolean {
    const c = this.imports.get(importId);
    if (!c) return false;
    c.abort();
    return true;
  }

  /** Starts (or keeps) the background indexer of a dataset whose index is behind. */
  ensureIndexed(id: string): void {
    const ds = this.repo.get(id);
    if (!ds || this.jobs.running(id, 'index')) return;
    const max = this.repo.maxRowId(id);
    if (ds.fts_upto >= max) return;
    const done = this.repo.indexedRows(id, ds.fts_upto);
    const job = this.jobs.start(id, 'index', ds.row_count, (j, report) => indexDataset(this.repo, id, j, report));
    job.progress.done = done;
  }
  /** Waits for background work (indexing, removals) to finish: for tests, benchmarks and the CLI. */
  async idle(): Promise<void> {
    await this.jobs.idle();
    await Promise.all([...this.removals.values()]);
  }

  // Rows
  rows(id: string, filter: RowFilter, offset: number, limit: number, countCap: number): RowPage {
    const ds = this.dataset(id);
    const scope = this.scope(id);
    assertScopedFilter(scope, 'filter', filter);
    const t = performance.now();
    const page = this.repo.page(ds, filter, offset, limit, countCap, scope);
    return { ...page, rows: page.rows.map((r) => asSeenBy(scope, r)), ms: Math.round((performance.now() - t) * 100) / 100 };
  }
  row(id: string, rowId: number): DatasetRow {
    this.dataset(id);
    const r = this.repo.getRow(id, rowId);
    if (!r) throw new CoreError('NOT_FOUND', `rowId: dataset ${id} has no row ${rowId}`);
    const scope = this.scope(id);
    assertInScope(scope, 'rowId', rowId);
    return asSeenBy(scope, fullRow(r));
  }

  // Labels
  /** baseVersion: the row version the save was based on; a newer stored row throws RowConflictError. */
  label(id: string, rowId: number, labelerId: string, patch: LabelPatch, baseVersion?: number): DatasetRow {
    const ds = this.dataset(id);
    if (!this.repo.getProfile(labelerId)) throw new CoreError('NOT_FOUND', `labelerId: no profile ${labelerId}`);
    const row = this.repo.getRow(id, rowId);
    if (!row) throw new CoreError('NOT_FOUND', `rowId: dataset ${id} has no row ${rowId}`);
    const scope = this.scope(id);
    assertInScope(scope, 'rowId', rowId);
    const schema = JSON.parse(ds.label_schema_json) as LabelSchema;
    if (patch.labels) checkLabels(schema, patch.labels);
    if ((patch.chosen === undefined) !== (patch.rejected === undefined)) {
      throw new CoreError('BAD_INPUT', 'patch: chosen and rejected are set together');
    }
    const now = this.now();
    const after: LabelState = { labeler_id: labelerId, labeled_at: now };
    if (patch.status !== undefined) after.status = patch.status;
    if (patch.rating !== undefined) after.rating = patch.rating;
    if (patch.labels !== undefined) after.labels_json = JSON.stringify(patch.labels);
    if (patch.tags !== undefined) after.tags_json = JSON.stringify([...new Set(patch.tags)]);
    if (patch.note !== undefined) after.note = patch.note === '' ? null : patch.note;
    if (patch.response !== undefined) after.response = patch.response;
    if (patch.chosen !== undefined) after.chosen = patch.chosen;
    if (patch.rejected !== undefined) after.rejected = patch.rejected;
    if (patch.response !== undefined || patch.chosen !== undefined) {
      const rec: DatasetRecord = { ...recordOf(row), ...(patch.response !== undefined ? { response: patch.response } : {}), ...(patch.chosen !== undefined ? { chosen: patch.chosen ?? null, rejected: patch.rejected ?? null } : {}) };
      after.pii = piiMask(recordText(rec));
    }
    const check = baseVersion === undefined ? undefined : (stored: DatasetRowDb) => {
      // A scoped labeler sees both values, but not who saved the stored one unless it was them.
      const by = stored.labeler_id && (!scope || stored.labeler_id === scope.profileId) ? this.repo.getProfile(stored.labeler_id) : null;
      if (stored.version !== baseVersion) throw new RowConflictError(stored, baseVersion, patch, by);
    };
    return asSeenBy(scope, fullRow(this.repo.applyLabel(ds, rowId, labelerId, after, now, check)));
  }
  labelSchema(id: string): LabelSchema {
    return JSON.parse(this.dataset(id).label_schema_json) as LabelSchema;
  }
  /** Ids of the rows a filter selects, in id order (team assignment splits them into tasks). */
  rowIds(id: string, filter: RowFilter): number[] {
    const ds = this.dataset(id);
    const scope = this.scope(id);
    assertScopedFilter(scope, 'filter', filter);
    const ids: number[] = [];
    for (const page of this.repo.scan(ds, filter, 5000, scope)) for (const r of page) ids.push(r.id);
    return ids;
  }
  undo(id: string, labelerId: string): DatasetRow | null {
    const ds = this.dataset(id);
    const r = this.repo.undo(ds, labelerId, this.now());
    return r ? asSeenBy(this.scope(id), fullRow(r)) : null;
  }
  setLabelSchema(id: string, schema: LabelSchema): DatasetInfo {
    this.dataset(id);
    this.repo.setLabelSchema(id, schema, this.now());
    return this.get(id);
  }

  // Quality
  analyze(id: string, modelId: string | null): { jobId: string } {
    const ds = this.dataset(id);
    const running = this.jobs.running(id, 'analyze');
    if (running) return { jobId: running.progress.jobId };
    const counter = this.deps.tokenCounter(modelId);
    if (modelId !== null && !counter) throw new CoreError('CONFLICT', `modelId: model ${modelId} is not the loaded model; load it to count tokens with its tokenizer`);
    const deps: AnalyzeDeps = { countTokens: counter?.count ?? null, tokenizer: counter?.name ?? null };
    const job = this.jobs.start(id, 'analyze', ds.row_count, (j, report) => analyzeDataset(this.repo, ds, deps, j, report));
    return { jobId: job.progress.jobId };
  }
  stats(id: string): DatasetStats {
    const ds = this.dataset(id);
    const q = this.repo.qualityCounts(id);
    const s = ds.stats_json ? (JSON.parse(ds.stats_json) as { tokens: DatasetStats['tokens']; tokenizer: string | null; analyzedAt: number }) : null;
    return {
      rows: ds.row_count,
      tokens: s?.tokens ?? null,
      tokenizer: s?.tokenizer ?? null,
      analyzedAt: s?.analyzedAt ?? null,
      exactDuplicates: q.exact,
      nearDuplicates: q.near,
      pii: q.pii as DatasetStats['pii'],
      splits: q.splits as DatasetStats['splits'],
    };
  }
  split(id: string, opts: { seed: number; train: number; validation: number; test: number; stratifyBy: string | null; filter: RowFilter }): { train: number; validation: number; test: number } {
    const ds = this.dataset(id);
    const rows: { id: number; label: string | null }[] = [];
    for (const page of this.repo.scan(ds, opts.filter, 5000)) {
      for (const r of page) {
        let label: string | null = null;
        if (opts.stratifyBy !== null) {
          const v = (JSON.parse(r.labels_json) as Record<string, unknown>)[opts.stratifyBy];
          label = Array.isArray(v) ? v.join('|') : typeof v === 'string' ? v : null;
        }
        rows.push({ id: r.id, label });
      }
    }
    let names;
    try {
      names = assignSplits(rows, { seed: opts.seed, train: opts.train, validation: opts.validation, test: opts.test, stratify: opts.stratifyBy !== null });
    } catch (e) {
      throw new CoreError('BAD_INPUT', (e as Error).message);
    }
    const counts = { train: 0, validation: 0, test: 0 };
    this.repo.writeSplits(
      id,
      rows.map((r, i) => {
        const split = names[i] as 'train' | 'validation' | 'test';
        counts[split]++;
        return { id: r.id, split };
      }),
    );
    return counts;
  }

  // Export
  /** opts.ranking: LLaMA-Factory SFT (false) or ranking (true) data whatever the first row holds. */
  async export(req: ExportRequest, opts: { ranking?: boolean } = {}): Promise<ExportOut> {
    const ds = this.dataset(req.datasetId);
    const scope = this.scope(ds.id);
    assertScopedFilter(scope, 'filter', req.filter);
    const skipped = { pii: 0, duplicate: 0, noAnswer: 0 };
    const preference = req.format === 'preference';
    const repo = this.repo;
    function* batches(): Generator<DatasetRecord[]> {
      for (const page of repo.scan(ds, req.filter, 1000, scope)) {
        const out: DatasetRecord[] = [];
        for (const r of page) {
          if (req.dropDuplicates && (r.dup_of !== null || r.near_dup_of !== null)) {
            skipped.duplicate++;
            continue;
          }
          if (req.pii === 'drop' && r.pii !== 0) {
            skipped.pii++;
            continue;
          }
          const hasPair = r.chosen !== null && r.rejected !== null;
          if (preference ? !hasPair : r.response === null && !hasPair) {
            skipped.noAnswer++;
            continue;
          }
          out.push(req.pii === 'mask' && r.pii !== 0 ? maskRecord(recordOf(r)) : recordOf(r));
        }
        if (out.length > 0) yield out;
      }
    }
    if (VISION_EXPORT_FORMATS.includes(req.format)) {
      const store = this.imageStore();
      const res = await writeVisionExport(req.path, req.format, batches(), { name: req.name ?? ds.name, imageFile: (h) => store.filePath(h) });
      return { path: res.path, files: res.files, rows: res.rows, skipped, images: res.images };
    }
    const res = await writeDatasetExport(req.path, req.format, batches(), { name: req.name ?? ds.name, ...(opts.ranking !== undefined ? { ranking: opts.ranking } : {}) });
    return { path: res.path, files: res.files, rows: res.rows, skipped };
  }

  // Drafts and preference candidates
  draft(id: string, opts: { promptVersionId: string; target: RunTarget; rowIds: number[] | null; filter: RowFilter; overwrite: boolean; params: Partial<SamplingParams> }): { jobId: string } {
    const ds = this.dataset(id);
    const scope = this.scope(id);
    assertScopedFilter(scope, 'filter', opts.filter);
    const selected: DatasetRowDb[] = [];
    if (opts.rowIds !== null) {
      for (const rowId of opts.rowIds) {
        const r = this.repo.getRow(id, rowId);
        if (!r) throw new CoreError('NOT_FOUND', `rowIds: dataset ${id} has no row ${rowId}`);
        assertInScope(scope, 'rowIds', rowId);
        selected.push(r);
      }
    } else {
      for (const page of this.repo.scan(ds, opts.filter, 1000, scope)) selected.push(...page);
    }
    const todo = opts.overwrite ? selected : selected.filter((r) => r.draft === null);
    const deps: DraftDeps = { generate: (vars, signal, images) => this.deps.runPromptVersion(opts.promptVersionId, opts.target, vars, opts.params, signal, images) };
    const job = this.jobs.start(id, 'drafts', todo.length, (j, report) => draftRows(this.repo, todo, deps, j, report));
    return { jobId: job.progress.jobId };
  }
  async candidates(id: string, rowId: number, targets: [RunTarget, RunTarget], params: Partial<SamplingParams>): Promise<{ a: string; b: string; runIds: [string, string] }> {
    const row = this.row(id, rowId);
    // One after the other: two local candidates share one loaded model.
    const a = await this.deps.answer(targets[0], row.record.messages, params, row.images);
    const b = await this.deps.answer(targets[1], row.record.messages, params, row.images);
    return { a: a.text, b: b.text, runIds: [a.runId, b.runId] };
  }
  cancelJob(jobId: string): boolean {
    return this.jobs.cancel(jobId);
  }
  jobList(id: string): DatasetJobProgress[] {
    return this.jobs.forDataset(id);
  }

  async close(): Promise<void> {
    for (const c of this.imports.values()) c.abort();
    this.jobs.cancelAll();
    this.closing.abort();
    await this.idle().catch(() => undefined);
  }
}

/** Throws BAD_INPUT naming the field when labels do not fit the dataset's label schema. */
export function checkLabels(schema: LabelSchema, labels: Record<string, string | string[]>): void {
  for (const [name, value] of Object.entries(labels)) {
    const field = schema.fields.find((f) => f.name === name);
    if (!field) throw new CoreError('BAD_INPUT', `patch.labels.${name}: the dataset's label schema has no field "${name}"`);
    const values = Array.isArray(value) ? value : [value];
    if (field.kind === 'single' && Array.isArray(value)) throw new CoreError('BAD_INPUT', `patch.labels.${name}: "${name}" takes one option`);
    for (const v of values) {
      if (!field.options.includes(v)) throw new CoreError('BAD_INPUT', `patch.labels.${name}: "${v}" is not an option of "${name}" (${field.options.join(', ')})`);
    }
  }
}

function maskRecord(r: DatasetRecord): DatasetRecord {
  const m = (s: string | null) => (s === null ? null : maskPii(s));
  return { ...r, messages: r.messages.map((x) => ({ role: x.role, content: maskPii(x.content) })), response: m(r.response), chosen: m(r.chosen), rejected: m(r.rejected) };
}
