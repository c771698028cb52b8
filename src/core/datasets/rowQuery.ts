// A row filter as SQL: the conditions on dataset_rows (alias r) and, for a search of 3+ characters once the
// full-text index covers the dataset, a join that lets FTS5 drive the scan in row-id order so LIMIT stops
// early. Shorter searches (a 2-character Chinese word) and a dataset still being indexed fall back to LIKE.
import type { RowFilter } from '../../shared/datasets.schema';
import { CoreError } from '../errors';

export interface RowSql {
  /** FROM … (with the FTS join when used). */
  from: string;
  /** WHERE conditions joined with AND; always starts with the dataset. */
  where: string;
  params: unknown[];
  /** The row-id column to order and page by. */
  idColumn: string;
  usesFts: boolean;
  /** A search and nothing else: FTS5 alone answers it (the index holds this dataset's rows only). */
  ftsOnly: { table: string; match: string } | null;
}

/**
 * A reader limited to some rows of a dataset (a labeler while the dataset has an open team assignment, see
 * team/teamScope.ts): `sql` is a condition on dataset_rows alias r; other people's names on rows are hidden.
 */
export interface RowScope {
  profileId: string;
  sql: string;
  params: unknown[];
  has(rowId: number): boolean;
}

/** Throws FORBIDDEN, naming the row, when a scoped reader asks for a row outside its scope. */
export function assertInScope(scope: RowScope | null, field: string, rowId: number): void {
  if (scope && !scope.has(rowId)) {
    throw new CoreError('FORBIDDEN', `${field}: row ${rowId} is not in your queue (while a team assignment is open, a labeler reads only the rows assigned to them)`);
  }
}

/** A scoped reader filters by their own labels only: a filter by another labeler would tell whose rows are whose. */
export function assertScopedFilter(scope: RowScope | null, field: string, f: RowFilter): void {
  if (scope && f.labelerId !== null && f.labelerId !== scope.profileId) {
    throw new CoreError('FORBIDDEN', `${field}.labelerId: while a team assignment is open, a labeler may filter by their own labels only`);
  }
}

/** The row as a scoped reader sees it: who labelled it, and when, only when it was the reader. */
export function asSeenBy<T extends { labelerId: string | null; labeledAt: number | null }>(scope: RowScope | null, row: T): T {
  return scope && row.labelerId !== scope.profileId ? { ...row, labelerId: null, labeledAt: null } : row;
}

/** Trigram tokens need 3 characters; code points, so one CJK character counts once. */
export const MIN_FTS_CHARS = 3;

export function ftsTableName(datasetId: string): string {
  if (!/^[0-9A-Za-z]{1,64}$/.test(datasetId)) throw new Error(`unexpected dataset id ${datasetId}`);
  return `dataset_fts_${datasetId.toLowerCase()}`;
}

/** The text a search sees besides the prompt: every answer a row holds. */
export const ANSWER_SQL = "concat_ws(char(10), r.response, r.chosen, r.rejected)";

const likePattern = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
/** One FTS5 phrase: the whole search as a substring, quotes doubled. */
export const ftsPhrase = (s: string) => `"${s.replace(/"/g, '""')}"`;

export function isEmptyFilter(f: RowFilter): boolean {
  return (
    f.search.trim() === '' &&
    f.status === null &&
    f.label === null &&
    f.tag === null &&
    f.labelerId === null &&
    f.minTokens === null &&
    f.maxTokens === null &&
    f.duplicate === null &&
    f.pii === null &&
    f.split === null
  );
}

export function rowSql(datasetId: string, f: RowFilter, ftsReady: boolean, scope: RowScope | null = null): RowSql {
  const where: string[] = ['r.dataset_id = ?'];
  const params: unknown[] = [datasetId];
  let from = 'dataset_rows r';
  let idColumn = 'r.id';
  let usesFts = false;
  const search = f.search.trim();
  if (search !== '') {
    if (ftsReady && [...search].length >= MIN_FTS_CHARS) {
      const fts = ftsTableName(datasetId);
      from = `${fts} f JOIN dataset_rows r ON r.id = f.rowid`;
      where.unshift(`${fts} MATCH ?`);
      params.unshift(ftsPhrase(search));
      idColumn = 'f.rowid';
      usesFts = true;
    } else {
      where.push(`(r.prompt LIKE ? ESCAPE '\\' OR ${ANSWER_SQL} LIKE ? ESCAPE '\\')`);
      params.push(likePattern(search), likePattern(search));
    }
  }
  if (f.status !== null) {
    where.push('r.status = ?');
    params.push(f.status);
  }
  if (f.label !== null) {
    const eq = f.label.indexOf('=');
    const field = eq === -1 ? f.label : f.label.slice(0, eq);
    const option = eq === -1 ? null : f.label.slice(eq + 1);
    const path = `$."${field.replace(/"/g, '')}"`;
    if (option === null) {
      where.push('json_extract(r.labels_json, ?) IS NOT NULL');
      params.push(path);
    } else {
      // json_each over a string yields the string itself, over an array its items: single and multi alike.
      where.push('EXISTS (SELECT 1 FROM json_each(r.labels_json, ?) WHERE value = ?)');
      params.push(path, option);
    }
  }
  if (f.tag !== null) {
    where.push('EXISTS (SELECT 1 FROM json_each(r.tags_json) WHERE value = ?)');
    params.push(f.tag);
  }
  if (f.labelerId !== null) {
    where.push('r.labeler_id = ?');
    params.push(f.labelerId);
  }
  if (f.minTokens !== null) {
    where.push('r.tokens >= ?');
    params.push(f.minTokens);
  }
  if (f.maxTokens !== null) {
    where.push('r.tokens <= ?');
    params.push(f.maxTokens);
  }
  if (f.duplicate === 'exact') where.push('r.dup_of IS NOT NULL');
  else if (f.duplicate === 'near') where.push('r.near_dup_of IS NOT NULL');
  else if (f.duplicate === 'any') where.push('(r.dup_of IS NOT NULL OR r.near_dup_of IS NOT NULL)');
  else if (f.duplicate === 'unique') where.push('r.dup_of IS NULL AND r.near_dup_of IS NULL');
  if (f.pii === true) where.push('r.pii != 0');
  else if (f.pii === false) where.push('r.pii = 0');
  if (f.split !== null) {
    where.push('r.split = ?');
    params.push(f.split);
  }
  if (scope) {
    where.push(scope.sql);
    params.push(...scope.params);
  }
  const ftsOnly = usesFts && where.length === 2 ? { table: ftsTableName(datasetId), match: params[0] as string } : null;
  return { from, where: where.join(' AND '), params, idColumn, usesFts, ftsOnly };
}
