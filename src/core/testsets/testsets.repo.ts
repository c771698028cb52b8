import type { ImportReport, TestSetRow } from '../../shared/testsets.schema';
import type { Db } from '../db/openDb';

interface SetRow {
  id: string;
  name: string;
  variables_json: string;
  image_variables_json: string;
  import_report_json: string | null;
  created_at: number;
  updated_at: number;
  row_count: number;
}

interface RowRow {
  id: string;
  test_set_id: string;
  position: number;
  variables_json: string;
  expected: string | null;
  label: string | null;
}

export interface StoredTestSet {
  id: string;
  name: string;
  variables: string[];
  /** Variables holding image hashes (a subset of variables). */
  imageVariables: string[];
  importReport: ImportReport | null;
  rowCount: number;
  createdAt: number;
  updatedAt: number;
}

export type NewTestSet = Omit<StoredTestSet, 'rowCount'>;

export interface StoredRow {
  id: string;
  testSetId: string;
  position: number;
  /** As stored: every variable of the set (the service keeps it so), in no particular order. */
  values: Record<string, string>;
  expected: string | null;
  label: string | null;
}

export interface NewRow {
  id: string;
  variables: Record<string, string>;
  expected: string | null;
  label: string | null;
}

function toSet(r: SetRow): StoredTestSet {
  return {
    id: r.id,
    name: r.name,
    variables: JSON.parse(r.variables_json) as string[],
    imageVariables: JSON.parse(r.image_variables_json) as string[],
    importReport: r.import_report_json === null ? null : withImages(JSON.parse(r.import_report_json) as ImportReport),
    rowCount: r.row_count,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** Reports stored before image columns existed have no mapping.images. */
function withImages(r: ImportReport): ImportReport {
  return { ...r, mapping: { ...r.mapping, images: r.mapping.images ?? [] } };
}

function toRow(r: RowRow): StoredRow {
  return {
    id: r.id,
    testSetId: r.test_set_id,
    position: r.position,
    values: JSON.parse(r.variables_json) as Record<string, string>,
    expected: r.expected,
    label: r.label,
  };
}

/** Every variable of the set, in the set's order ('' for a key a row lacks, though the service never leaves one out). */
export function rowForSet(r: StoredRow, variables: readonly string[]): TestSetRow {
  const values: Record<string, string> = {};
  for (const v of variables) values[v] = Object.prototype.hasOwnProperty.call(r.values, v) ? (r.values[v] as string) : '';
  return { id: r.id, position: r.position, variables: values, expected: r.expected, label: r.label };
}

/** A JSON path to one key; variable names never contain " or \ (VariableName). */
const keyPath = (name: string) => `$."${name}"`;

const SET_COLUMNS = `s.*, (SELECT count(*) FROM test_set_rows r WHERE r.test_set_id = s.id) AS row_count`;

export class TestSetsRepo {
  private readonly insertSetStmt;
  private readonly getSetStmt;
  private readonly findByNameStmt;
  private readonly listSetsStmt;
  private readonly updateSetStmt;
  private readonly deleteSetStmt;
  private readonly countRowsStmt;
  private readonly pageStmt;
  private readonly afterStmt;
  private readonly getRowStmt;
  private readonly maxPositionStmt;
  private readonly insertRowStmt;
  private readonly updateRowStmt;
  private readonly deleteRowStmt;
  private readonly renameKeyStmt;
  private readonly removeKeyStmt;
  private readonly addKeyStmt;
  private readonly stageStmt;
  private readonly moveStagedStmt;
  private readonly dropStagedStmt;
  private readonly countStagedStmt;
  private readonly setImagesStmt;
  private readonly imageSetsStmt;

  constructor(private readonly db: Db) {
    // An import stages its rows here while the file streams in, then moves them into test_set_rows in one
    // transaction. TEMP: per connection, outside the database file, gone if the app dies mid-import.
    db.exec(`
      CREATE TEMP TABLE IF NOT EXISTS test_set_import_rows (
        import_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        id TEXT NOT NULL,
        variables_json TEXT NOT NULL,
        expected TEXT,
        label TEXT
      ) STRICT`);
    this.insertSetStmt = db.prepare(`
      INSERT INTO test_sets (id, name, variables_json, image_variables_json, import_report_json, created_at, updated_at)
      VALUES (@id, @name, @variablesJson, @imageVariablesJson, @importReportJson, @createdAt, @updatedAt)`);
    this.getSetStmt = db.prepare<[string], SetRow>(`SELECT ${SET_COLUMNS} FROM test_sets s WHERE s.id = ?`);
    this.findByNameStmt = db.prepare<[string], SetRow>(`SELECT ${SET_COLUMNS} FROM test_sets s WHERE s.name = ? COLLATE NOCASE`);
    this.listSetsStmt = db.prepare<[], SetRow>(`SELECT ${SET_COLUMNS} FROM test_sets s ORDER BY s.name COLLATE NOCASE, s.id`);
    this.updateSetStmt = db.prepare('UPDATE test_sets SET variables_json = @variablesJson, updated_at = @updatedAt WHERE id = @id');
    this.setImagesStmt = db.prepare('UPDATE test_sets SET image_variables_json = @imageVariablesJson WHERE id = @id');
    this.imageSetsStmt = db.prepare<[], { id: string; image_variables_json: string }>(`SELECT id, image_variables_json FROM test_sets WHERE image_variables_json <> '[]'`);
    this.deleteSetStmt = db.prepare('DELETE FROM test_sets WHERE id = ?');
    this.countRowsStmt = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM test_set_rows WHERE test_set_id = ?');
    this.pageStmt = db.prepare<[string, number, number], RowRow>(
      'SELECT * FROM test_set_rows WHERE test_set_id = ? ORDER BY position LIMIT ? OFFSET ?',
    );
    this.afterStmt = db.prepare<[string, number, number], RowRow>(
      'SELECT * FROM test_set_rows WHERE test_set_id = ? AND position > ? ORDER BY position LIMIT ?',
    );
    this.getRowStmt = db.prepare<[string], RowRow>('SELECT * FROM test_set_rows WHERE id = ?');
    this.maxPositionStmt = db.prepare<[string], { p: number | null }>('SELECT max(position) AS p FROM test_set_rows WHERE test_set_id = ?');
    this.insertRowStmt = db.prepare(`
      INSERT INTO test_set_rows (id, test_set_id, position, variables_json, expected, label)
      VALUES (@id, @testSetId, @position, @variablesJson, @expected, @label)`);
    this.updateRowStmt = db.prepare('UPDATE test_set_rows SET variables_json = @variablesJson, expected = @expected, label = @label WHERE id = @id');
    this.deleteRowStmt = db.prepare('DELETE FROM test_set_rows WHERE id = ?');
    this.renameKeyStmt = db.prepare(`
      UPDATE test_set_rows
      SET variables_json = json_set(json_remove(variables_json, @from), @to, json_extract(variables_json, @from))
      WHERE test_set_id = @testSetId AND json_type(variables_json, @from) IS NOT NULL`);
    this.addKeyStmt = db.prepare(`
      UPDATE test_set_rows SET variables_json = json_set(variables_json, @path, '')
      WHERE test_set_id = @testSetId AND json_type(variables_json, @path) IS NULL`);
    this.removeKeyStmt = db.prepare(`
      UPDATE test_set_rows SET variables_json = json_remove(variables_json, @path)
      WHERE test_set_id = @testSetId AND json_type(variables_json, @path) IS NOT NULL`);
    this.stageStmt = db.prepare(`
      INSERT INTO temp.test_set_import_rows (import_id, seq, id, variables_json, expected, label) VALUES (?, ?, ?, ?, ?, ?)`);
    this.moveStagedStmt = db.prepare(`
      INSERT INTO test_set_rows (id, test_set_id, position, variables_json, expected, label)
      SELECT id, @testSetId, seq, variables_json, expected, label
      FROM temp.test_set_import_rows WHERE import_id = @importId ORDER BY rowid`);
    this.dropStagedStmt = db.prepare('DELETE FROM temp.test_set_import_rows WHERE import_id = ?');
    this.countStagedStmt = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM temp.test_set_import_rows');
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  insertSet(s: NewTestSet): void {
    this.insertSetStmt.run({
      id: s.id,
      name: s.name,
      variablesJson: JSON.stringify(s.variables),
      imageVariablesJson: JSON.stringify(s.imageVariables),
      importReportJson: s.importReport === null ? null : JSON.stringify(s.importReport),
      createdAt: s.createdAt,
      updatedAt: s.updatedAt,
    });
  }

  getSet(id: string): StoredTestSet | null {
    const r = this.getSetStmt.get(id);
    return r ? toSet(r) : null;
  }

  findByName(name: string): StoredTestSet | null {
    const r = this.findByNameStmt.get(name);
    return r ? toSet(r) : null;
  }

  listSets(): StoredTestSet[] {
    return this.listSetsStmt.all().map(toSet);
  }

  updateSet(id: string, variables: readonly string[], updatedAt: number): void {
    this.updateSetStmt.run({ id, variablesJson: JSON.stringify(variables), updatedAt });
  }

  setImageVariables(id: string, imageVariables: readonly string[]): void {
    this.setImagesStmt.run({ id, imageVariablesJson: JSON.stringify(imageVariables) });
  }

  /**
   * Every image hash the sets' rows hold (for the image store's garbage collection). Paged by position, so
   * no statement stays open while the caller iterates.
   */
  *imageHashes(): Generator<string> {
    for (const s of this.imageSetsStmt.all()) {
      const names = JSON.parse(s.image_variables_json) as string[];
      for (let after = -1; ; ) {
        const page = this.afterStmt.all(s.id, after, 1000).map(toRow);
        if (page.length === 0) break;
        for (const r of page) for (const n of names) if (r.values[n]) yield r.values[n];
        after = (page.at(-1) as StoredRow).position;
      }
    }
  }

  removeSet(id: string): boolean {
    return this.deleteSetStmt.run(id).changes > 0;
  }

  countRows(testSetId: string): number {
    return (this.countRowsStmt.get(testSetId) as { n: number }).n;
  }

  rows(testSetId: string, offset: number, limit: number): StoredRow[] {
    return this.pageStmt.all(testSetId, limit, offset).map(toRow);
  }

  /** Keyset paging for readers that await between pages (an open iterator would hold the connection). */
  rowsAfter(testSetId: string, position: number, limit: number): StoredRow[] {
    return this.afterStmt.all(testSetId, position, limit).map(toRow);
  }

  getRow(id: string): StoredRow | null {
    const r = this.getRowStmt.get(id);
    return r ? toRow(r) : null;
  }

  nextPosition(testSetId: string): number {
    const p = (this.maxPositionStmt.get(testSetId) as { p: number | null }).p;
    return p === null ? 0 : p + 1;
  }

  insertRow(testSetId: string, position: number, row: NewRow): void {
    this.insertRowStmt.run({
      id: row.id,
      testSetId,
      position,
      variablesJson: JSON.stringify(row.variables),
      expected: row.expected,
      label: row.label,
    });
  }

  updateRow(row: Pick<StoredRow, 'id' | 'values' | 'expected' | 'label'>): void {
    this.updateRowStmt.run({ id: row.id, variablesJson: JSON.stringify(row.values), expected: row.expected, label: row.label });
  }

  deleteRow(id: string): boolean {
    return this.deleteRowStmt.run(id).changes > 0;
  }

  renameVariableInRows(testSetId: string, from: string, to: string): number {
    return this.renameKeyStmt.run({ testSetId, from: keyPath(from), to: keyPath(to) }).changes;
  }

  addVariableToRows(testSetId: string, name: string): number {
    return this.addKeyStmt.run({ testSetId, path: keyPath(name) }).changes;
  }

  removeVariableFromRows(testSetId: string, name: string): number {
    return this.removeKeyStmt.run({ testSetId, path: keyPath(name) }).changes;
  }

  /** One transaction per call: only the TEMP table is written, so the database file stays unlocked. */
  stage(importId: string, firstSeq: number, rows: readonly NewRow[]): void {
    if (rows.length === 0) return;
    this.transaction(() => {
      // Positional parameters: binding them is measurably cheaper than named ones at 100k rows.
      rows.forEach((row, i) => this.stageStmt.run(importId, firstSeq + i, row.id, JSON.stringify(row.variables), row.expected, row.label));
    });
  }

  /** The set and all its staged rows, in one transaction: both are stored or neither. */
  commitImport(set: NewTestSet, importId: string): number {
    return this.transaction(() => {
      this.insertSet(set);
      return this.moveStagedStmt.run({ testSetId: set.id, importId }).changes;
    });
  }

  dropStaged(importId: string): void {
    this.dropStagedStmt.run(importId);
  }

  /** Rows staged by imports in flight (0 when none is running). */
  stagedCount(): number {
    return (this.countStagedStmt.get() as { n: number }).n;
  }
}
