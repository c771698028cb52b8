// Datasets, their rows, labelers and label history in SQLite. Rows carry integer ids in import order; the
// full-text index of a dataset is its own FTS5 table (trigram, contentless with delete support) so that
// removing a dataset drops it whole and searches never wade through other datasets' matches.
import type { DatasetRecord } from '../../shared/datasets.record';
import { PII_KINDS, PII_BIT } from '../../shared/pii';
import type {
  DatasetImportReport,
  DatasetRowSummary,
  DatasetRow,
  LabelerProgress,
  LabelSchema,
  LabelValues,
  RowFilter,
  RowStatus,
} from '../../shared/datasets.schema';
import type { Profile } from '../../shared/profiles.schema';
import type { Db } from '../db/openDb';
import { ANSWER_SQL, ftsTableName, isEmptyFilter, rowSql, type RowScope } from './rowQuery';

export interface DatasetRowDb {
  id: number;
  dataset_id: string;
  ord: number;
  line: number | null;
  messages_json: string;
  prompt: string;
  response: string | null;
  chosen: string | null;
  rejected: string | null;
  draft: string | null;
  status: RowStatus;
  rating: number | null;
  labels_json: string;
  tags_json: string;
  note: string | null;
  labeler_id: string | null;
  labeled_at: number | null;
  tokens: number | null;
  dup_of: number | null;
  near_dup_of: number | null;
  pii: number;
  split: 'train' | 'validation' | 'test' | null;
  version: number;
  images_json: string | null;
}

export interface DatasetDb {
  id: string;
  name: string;
  state: 'importing' | 'ready' | 'removing';
  import_report_json: string | null;
  label_schema_json: string;
  row_count: number;
  fts_upto: number;
  stats_json: string | null;
  created_at: number;
  updated_at: number;
}

export interface NewRow {
  /** The file line it came from; null for an image no sidecar line named. */
  line: number | null;
  record: DatasetRecord;
  pii: number;
}

/** The fields a label action may change, as stored; the before/after of a label event. */
export type LabelState = Partial<Pick<DatasetRowDb, 'status' | 'rating' | 'labels_json' | 'tags_json' | 'note' | 'response' | 'chosen' | 'rejected' | 'labeler_id' | 'labeled_at' | 'pii'>>;
const LABEL_COLUMNS = ['status', 'rating', 'labels_json', 'tags_json', 'note', 'response', 'chosen', 'rejected', 'labeler_id', 'labeled_at', 'pii'] as const;

const PREVIEW_CHARS = 300;
/**
 * Pages of segment merging per indexing step (~10–30 ms): enough to keep up with what a step writes, so a
 * search reads a handful of segments, not one per step.
 */
const MERGE_PAGES = 200;
const cut = (s: string | null) => (s === null || s.length <= PREVIEW_CHARS ? s : s.slice(0, PREVIEW_CHARS));

export function piiKinds(mask: number): DatasetRowSummary['pii'] {
  return PII_KINDS.filter((k) => (mask & PII_BIT[k]) !== 0);
}

function summary(r: DatasetRowDb): DatasetRowSummary {
  return {
    id: r.id,
    ord: r.ord,
    line: r.line,
    prompt: cut(r.prompt) ?? '',
    response: cut(r.response ?? r.chosen),
    status: r.status,
    rating: r.rating,
    labels: JSON.parse(r.labels_json) as LabelValues,
    tags: JSON.parse(r.tags_json) as string[],
    hasDraft: r.draft !== null,
    hasPair: r.chosen !== null && r.rejected !== null,
    tokens: r.tokens,
    dupOf: r.dup_of,
    nearDupOf: r.near_dup_of,
    pii: piiKinds(r.pii),
    split: r.split,
    labelerId: r.labeler_id,
    labeledAt: r.labeled_at,
    version: r.version,
    images: r.images_json === null ? [] : (JSON.parse(r.images_json) as string[]),
  };
}

export function recordOf(r: DatasetRowDb): DatasetRecord {
  const rec: DatasetRecord = { messages: JSON.parse(r.messages_json) as DatasetRecord['messages'], response: r.response, chosen: r.chosen, rejected: r.rejected };
  if (r.images_json !== null) rec.images = JSON.parse(r.images_json) as string[];
  return rec;
}

export function fullRow(r: DatasetRowDb): DatasetRow {
  return { ...summary(r), prompt: r.prompt, response: r.response ?? r.chosen, record: recordOf(r), draft: r.draft, note: r.note };
}

function lastUserTurn(record: DatasetRecord): string {
  for (let i = record.messages.length - 1; i >= 0; i--) {
    const m = record.messages[i];
    if (m?.role === 'user') return m.content;
  }
  return record.messages.at(-1)?.content ?? '';
}

export class DatasetsRepo {
  private readonly insertRow;
  private readonly getRowStmt;
  private readonly counts = new Map<string, number>();
  private readonly totalChanges;
  private readonly firstPageStmt;
  private readonly touchStmt;
  private readonly insertLabelEvent;
  private readonly lastLabelEvent;
  private readonly markUndone;
  private readonly setDraftStmt;

  constructor(readonly db: Db) {
    this.insertRow = db.prepare(
      `INSERT INTO dataset_rows (dataset_id, ord, line, messages_json, prompt, response, chosen, rejected, pii, images_json)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.getRowStmt = db.prepare('SELECT * FROM dataset_rows WHERE id = ? AND dataset_id = ?');
    this.totalChanges = db.prepare('SELECT total_changes() AS n');
    // Statements on the grid's and the labeler's per-keystroke paths are prepared once.
    this.firstPageStmt = db.prepare('SELECT * FROM dataset_rows WHERE dataset_id = ? AND ord >= ? ORDER BY ord LIMIT ?');
    this.touchStmt = db.prepare('UPDATE datasets SET updated_at = ? WHERE id = ?');
    this.insertLabelEvent = db.prepare(
      'INSERT INTO dataset_label_events (dataset_id, row_id, labeler_id, at, before_json, after_json) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.lastLabelEvent = db.prepare(
      'SELECT id, row_id, before_json FROM dataset_label_events WHERE dataset_id = ? AND labeler_id = ? AND undone_at IS NULL ORDER BY id DESC LIMIT 1',
    );
    this.markUndone = db.prepare('UPDATE dataset_label_events SET undone_at = ? WHERE id = ?');
    this.setDraftStmt = db.prepare('UPDATE dataset_rows SET draft = ? WHERE id = ?');
  }

  // Labelers (profiles are written by core/profiles; a label names an existing one)
  getProfile(id: string): Profile | null {
    return (this.db.prepare('SELECT id, name, role, created_at AS createdAt FROM profiles WHERE id = ?').get(id) as Profile | undefined) ?? null;
  }

  // Datasets
  get(id: string): DatasetDb | null {
    return (this.db.prepare("SELECT * FROM datasets WHERE id = ? AND state = 'ready'").get(id) as DatasetDb | undefined) ?? null;
  }
  list(): DatasetDb[] {
    return this.db.prepare("SELECT * FROM datasets WHERE state = 'ready' ORDER BY created_at DESC").all() as DatasetDb[];
  }
  nameTaken(name: string, exceptId?: string): boolean {
    return (
      this.db
        .prepare("SELECT 1 FROM datasets WHERE name = ? COLLATE NOCASE AND state != 'removing' AND id != ?")
        .get(name, exceptId ?? '') !== undefined
    );
  }
  createImporting(id: string, name: string, now: number): void {
    this.db.prepare("INSERT INTO datasets (id, name, state, created_at, updated_at) VALUES (?, ?, 'importing', ?, ?)").run(id, name, now, now);
  }
  /** Rows of one batch in one transaction; ord continues from `ord`. */
  insertRows(datasetId: string, ord: number, rows: readonly NewRow[]): void {
    this.db.transaction(() => {
      let o = ord;
      for (const r of rows) {
        const rec = r.record;
        this.insertRow.run(datasetId, o++, r.line, JSON.stringify(rec.messages), lastUserTurn(rec), rec.response, rec.chosen, rec.rejected, r.pii, rec.images?.length ? JSON.stringify(rec.images) : null);
      }
    })();
  }
  finishImport(id: string, report: DatasetImportReport, rowCount: number, now: number): void {
    const fts = ftsTableName(id);
    this.db.transaction(() => {
      this.db.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS ${fts} USING fts5(prompt, answer, content='', contentless_delete=1, tokenize='trigram')`);
      // Merging in small explicit steps (below) instead of FTS5's automatic merges keeps every write short:
      // automatic merges made single indexing steps block for 150–400 ms on a slow core.
      this.db.exec(`INSERT INTO ${fts} (${fts}, rank) VALUES ('automerge', 0); INSERT INTO ${fts} (${fts}, rank) VALUES ('crisismerge', 64)`);
      this.db
        .prepare("UPDATE datasets SET state = 'ready', import_report_json = ?, row_count = ?, updated_at = ? WHERE id = ?")
        .run(JSON.stringify(report), rowCount, now, id);
    })();
  }
  rename(id: string, name: string, now: number): void {
    this.db.prepare('UPDATE datasets SET name = ?, updated_at = ? WHERE id = ?').run(name, now, id);
  }
  markRemoving(id: string): boolean {
    return this.db.prepare("UPDATE datasets SET state = 'removing' WHERE id = ? AND state != 'removing'").run(id).changes > 0;
  }
  /** Datasets an earlier run left half imported or half removed. */
  leftovers(): string[] {
    return (this.db.prepare("SELECT id FROM datasets WHERE state != 'ready'").all() as { id: string }[]).map((r) => r.id);
  }
  /** Deletes up to `batch` rows; true when none are left and the dataset itself is gone. */
  removeSome(id: string, batch: number): boolean {
    return this.db.transaction(() => {
      const n = this.db.prepare('DELETE FROM dataset_rows WHERE id IN (SELECT id FROM dataset_rows WHERE dataset_id = ? LIMIT ?)').run(id, batch).changes;
      if (n > 0) return false;
      this.db.exec(`DROP TABLE IF EXISTS ${ftsTableName(id)}`);
      this.db.prepare('DELETE FROM dataset_label_events WHERE dataset_id = ?').run(id);
      this.db.prepare('DELETE FROM datasets WHERE id = ?').run(id);
      return true;
    })();
  }
  setLabelSchema(id: string, schema: LabelSchema, now: number): void {
    this.db.prepare('UPDATE datasets SET label_schema_json = ?, updated_at = ? WHERE id = ?').run(JSON.stringify(schema), now, id);
  }
  setStats(id: string, stats: unknown): void {
    this.db.prepare('UPDATE datasets SET stats_json = ?, updated_at = ? WHERE id = ?').run(JSON.stringify(stats), Date.now(), id);
  }
  touch(id: string, now: number): void {
    this.touchStmt.run(now, id);
  }

  // Full-text index
  maxRowId(datasetId: string): number {
    return (this.db.prepare('SELECT max(id) AS m FROM dataset_rows WHERE dataset_id = ?').get(datasetId) as { m: number | null }).m ?? 0;
  }
  /** Indexes the next `batch` rows after fts_upto; returns how many. */
  indexSome(datasetId: string, batch: number): number {
    const fts = ftsTableName(datasetId);
    return this.db.transaction(() => {
      const ds = this.db.prepare('SELECT fts_upto FROM datasets WHERE id = ?').get(datasetId) as { fts_upto: number } | undefined;
      if (!ds) return 0;
      const rows = this.db
        .prepare(`SELECT id FROM dataset_rows WHERE dataset_id = ? AND id > ? ORDER BY id LIMIT ?`)
        .all(datasetId, ds.fts_upto, batch) as { id: number }[];
      if (rows.length === 0) return 0;
      const last = (rows.at(-1) as { id: number }).id;
      this.db
        .prepare(`INSERT INTO ${fts} (rowid, prompt, answer) SELECT r.id, r.prompt, ${ANSWER_SQL} FROM dataset_rows r WHERE r.dataset_id = ? AND r.id > ? AND r.id <= ?`)
        .run(datasetId, ds.fts_upto, last);
      this.db.prepare('UPDATE datasets SET fts_upto = ? WHERE id = ?').run(last, datasetId);
      this.mergeStep(fts, MERGE_PAGES);
      return rows.length;
    })();
  }
  /**
   * One bounded step of merging all segments towards one (a negative page count merges regardless of how
   * many segments a level holds); false once there was nothing left to merge.
   */
  mergeSome(datasetId: string): boolean {
    return this.mergeStep(ftsTableName(datasetId), -MERGE_PAGES);
  }
  /** FTS5 documents it: total_changes() grows by less than 2 when a merge step found no work. */
  private mergeStep(fts: string, pages: number): boolean {
    const before = (this.totalChanges.get() as { n: number }).n;
    this.db.prepare(`INSERT INTO ${fts} (${fts}, rank) VALUES ('merge', ?)`).run(pages);
    return (this.totalChanges.get() as { n: number }).n - before >= 2;
  }
  indexedRows(datasetId: string, ftsUpto: number): number {
    return (this.db.prepare('SELECT count(*) AS n FROM dataset_rows WHERE dataset_id = ? AND id <= ?').get(datasetId, ftsUpto) as { n: number }).n;
  }

  // Rows
  getRow(datasetId: string, rowId: number): DatasetRowDb | null {
    return (this.getRowStmt.get(rowId, datasetId) as DatasetRowDb | undefined) ?? null;
  }
  /** scope: a reader limited to some rows (team labeling); its count is not cached, claims change it. */
  page(ds: DatasetDb, filter: RowFilter, offset: number, limit: number, countCap: number, scope: RowScope | null = null): { rows: DatasetRowSummary[]; total: number; totalExact: boolean } {
    if (isEmptyFilter(filter) && !scope) {
      const rows = this.firstPageStmt.all(ds.id, offset, limit) as DatasetRowDb[];
      return { rows: rows.map(summary), total: ds.row_count, totalExact: true };
    }
    const q = rowSql(ds.id, filter, ds.fts_upto >= this.maxRowId(ds.id), scope);
    const f = q.ftsOnly;
    const rows = (
      f
        ? this.db
            .prepare(`SELECT r.* FROM (SELECT rowid FROM ${f.table} WHERE ${f.table} MATCH ? ORDER BY rowid LIMIT ? OFFSET ?) m JOIN dataset_rows r ON r.id = m.rowid ORDER BY r.id`)
            .all(f.match, limit, offset)
        : this.db.prepare(`SELECT r.* FROM ${q.from} WHERE ${q.where} ORDER BY ${q.idColumn} LIMIT ? OFFSET ?`).all(...q.params, limit, offset)
    ) as DatasetRowDb[];
    // A grid asks for many pages of one filter while scrolling: the count is taken once per dataset state.
    const key = `${ds.id}\u0000${ds.updated_at}\u0000${ds.fts_upto}\u0000${countCap}\u0000${JSON.stringify(filter)}`;
    let counted = scope ? undefined : this.counts.get(key);
    if (counted === undefined) {
      const count = f
        ? this.db.prepare(`SELECT count(*) AS n FROM (SELECT 1 FROM ${f.table} WHERE ${f.table} MATCH ? LIMIT ?)`).get(f.match, countCap + 1)
        : this.db.prepare(`SELECT count(*) AS n FROM (SELECT 1 FROM ${q.from} WHERE ${q.where} LIMIT ?)`).get(...q.params, countCap + 1);
      counted = (count as { n: number }).n;
      if (!scope) {
        if (this.counts.size >= 64) this.counts.delete(this.counts.keys().next().value as string);
        this.counts.set(key, counted);
      }
    }
    return { rows: rows.map(summary), total: Math.min(counted, countCap), totalExact: counted <= countCap };
  }
  /** Rows matching a filter in id order, a page at a time (keyset), for exports and jobs. */
  *scan(ds: DatasetDb, filter: RowFilter, batch = 1000, scope: RowScope | null = null): Generator<DatasetRowDb[]> {
    const q = rowSql(ds.id, filter, ds.fts_upto >= this.maxRowId(ds.id), scope);
    const stmt = this.db.prepare(`SELECT r.* FROM ${q.from} WHERE ${q.where} AND ${q.idColumn} > ? ORDER BY ${q.idColumn} LIMIT ?`);
    let after = 0;
    for (;;) {
      const rows = stmt.all(...q.params, after, batch) as DatasetRowDb[];
      if (rows.length === 0) return;
      yield rows;
      after = (rows.at(-1) as DatasetRowDb).id;
    }
  }
  count(ds: DatasetDb, filter: RowFilter): number {
    if (isEmptyFilter(filter)) return ds.row_count;
    const q = rowSql(ds.id, filter, ds.fts_upto >= this.maxRowId(ds.id));
    return (this.db.prepare(`SELECT count(*) AS n FROM ${q.from} WHERE ${q.where}`).get(...q.params) as { n: number }).n;
  }

  // Labels
  /**
   * Applies a change and records it, in one transaction; the full-text index follows an edited answer.
   * `check` sees the stored row inside the transaction (a stale save throws there, before anything changes).
   */
  applyLabel(ds: DatasetDb, rowId: number, labelerId: string, after: LabelState, now: number, check?: (stored: DatasetRowDb) => void): DatasetRowDb {
    return this.db.transaction(() => {
      const row = this.getRow(ds.id, rowId);
      if (!row) throw new Error(`row ${rowId} vanished`);
      check?.(row);
      const before: LabelState = {};
      for (const c of LABEL_COLUMNS) if (c in after) (before as Record<string, unknown>)[c] = row[c];
      this.writeState(ds, row, after);
      this.insertLabelEvent.run(ds.id, rowId, labelerId, now, JSON.stringify(before), JSON.stringify(after));
      this.touch(ds.id, now);
      return this.getRow(ds.id, rowId) as DatasetRowDb;
    })();
  }
  /** Reverts this labeler's newest label event not undone yet; null when there is none. */
  undo(ds: DatasetDb, labelerId: string, now: number): DatasetRowDb | null {
    return this.db.transaction(() => {
      const ev = this.lastLabelEvent.get(ds.id, labelerId) as { id: number; row_id: number; before_json: string } | undefined;
      if (!ev) return null;
      const row = this.getRow(ds.id, ev.row_id);
      this.markUndone.run(now, ev.id);
      if (!row) return null;
      this.writeState(ds, row, JSON.parse(ev.before_json) as LabelState);
      this.touch(ds.id, now);
      return this.getRow(ds.id, ev.row_id);
    })();
  }
  private writeState(ds: DatasetDb, row: DatasetRowDb, state: LabelState): void {
    const cols = LABEL_COLUMNS.filter((c) => c in state);
    if (cols.length === 0) return;
    this.db
      .prepare(`UPDATE dataset_rows SET ${cols.map((c) => `${c} = ?`).join(', ')}, version = version + 1 WHERE id = ?`)
      .run(...cols.map((c) => (state as Record<string, unknown>)[c] ?? null), row.id);
    const answerChanged = cols.some((c) => c === 'response' || c === 'chosen' || c === 'rejected');
    if (answerChanged && row.id <= ds.fts_upto) {
      const fts = ftsTableName(ds.id);
      this.db.prepare(`DELETE FROM ${fts} WHERE rowid = ?`).run(row.id);
      this.db.prepare(`INSERT INTO ${fts} (rowid, prompt, answer) SELECT r.id, r.prompt, ${ANSWER_SQL} FROM dataset_rows r WHERE r.id = ?`).run(row.id);
      this.mergeStep(fts, 16);
    }
  }
  setDraft(rowId: number, draft: string): void {
    this.setDraftStmt.run(draft, rowId);
  }
  statusCounts(datasetId: string): Record<RowStatus, number> {
    const out: Record<RowStatus, number> = { new: 0, accepted: 0, rejected: 0, skipped: 0 };
    const rows = this.db.prepare('SELECT status, count(*) AS n FROM dataset_rows WHERE dataset_id = ? GROUP BY status').all(datasetId) as { status: RowStatus; n: number }[];
    for (const r of rows) out[r.status] = r.n;
    return out;
  }
  labelers(datasetId: string): LabelerProgress[] {
    const rows = this.db
      .prepare(
        `SELECT r.labeler_id AS labelerId, p.name AS name, count(*) AS labeled,
                sum(r.status = 'accepted') AS accepted, sum(r.status = 'rejected') AS rejected, sum(r.status = 'skipped') AS skipped,
                max(r.labeled_at) AS lastAt
         FROM dataset_rows r JOIN profiles p ON p.id = r.labeler_id
         WHERE r.dataset_id = ? AND r.labeler_id IS NOT NULL GROUP BY r.labeler_id ORDER BY labeled DESC`,
      )
      .all(datasetId) as LabelerProgress[];
    return rows;
  }
  /** Analysis results for a batch of rows, in one transaction. */
  writeAnalysis(updates: readonly { id: number; dupOf: number | null; nearDupOf: number | null; tokens: number | null; pii: number }[]): void {
    const stmt = this.db.prepare('UPDATE dataset_rows SET dup_of = ?, near_dup_of = ?, tokens = coalesce(?, tokens), pii = ? WHERE id = ?');
    this.db.transaction(() => {
      for (const u of updates) stmt.run(u.dupOf, u.nearDupOf, u.tokens, u.pii, u.id);
    })();
  }
  writeSplits(datasetId: string, assignments: readonly { id: number; split: string }[]): void {
    const stmt = this.db.prepare('UPDATE dataset_rows SET split = ? WHERE id = ?');
    this.db.transaction(() => {
      this.db.prepare('UPDATE dataset_rows SET split = NULL WHERE dataset_id = ? AND split IS NOT NULL').run(datasetId);
      for (const a of assignments) stmt.run(a.split, a.id);
      this.touch(datasetId, Date.now());
    })();
  }
  qualityCounts(datasetId: string): { exact: number; near: number; pii: Record<string, number>; splits: Record<string, number> } {
    const bits = PII_KINDS.map((k) => `sum((pii & ${PII_BIT[k]}) != 0) AS ${k}`).join(', ');
    const r = this.db
      .prepare(
        `SELECT sum(dup_of IS NOT NULL) AS exact, sum(near_dup_of IS NOT NULL) AS near, ${bits},
                sum(split = 'train') AS train, sum(split = 'validation') AS validation, sum(split = 'test') AS test
         FROM dataset_rows WHERE dataset_id = ?`,
      )
      .get(datasetId) as Record<string, number | null>;
    const n = (k: string) => r[k] ?? 0;
    return {
      exact: n('exact'),
      near: n('near'),
      pii: Object.fromEntries(PII_KINDS.map((k) => [k, n(k)])),
      splits: { train: n('train'), validation: n('validation'), test: n('test') },
    };
  }
}
