import type { Db } from './openDb';

/** Reads and hash bookkeeping shared by the tables of registered files (models, adapters). */
export class FileTableRepo<Row, Info> {
  private readonly byIdStmt;
  private readonly byPathStmt;
  private readonly listStmt;
  private readonly setHashStmt;
  private readonly deleteStmt;
  private readonly pendingHashStmt;

  // `table` is one of a fixed set of names, never user input, so it may be spliced into the SQL.
  constructor(
    db: Db,
    table: 'models' | 'adapters',
    private readonly toInfo: (row: Row) => Info,
  ) {
    this.byIdStmt = db.prepare<[string], Row>(`SELECT * FROM ${table} WHERE id = ?`);
    this.byPathStmt = db.prepare<[string], Row>(`SELECT * FROM ${table} WHERE path = ?`);
    this.listStmt = db.prepare<[], Row>(`SELECT * FROM ${table} ORDER BY added_at DESC, id DESC`);
    this.setHashStmt = db.prepare(`UPDATE ${table} SET sha256 = ?, hash_status = ? WHERE id = ?`);
    this.deleteStmt = db.prepare(`DELETE FROM ${table} WHERE id = ?`);
    this.pendingHashStmt = db.prepare<[], Row>(`SELECT * FROM ${table} WHERE hash_status = 'pending'`);
  }

  get(id: string): Info | null {
    const row = this.byIdStmt.get(id);
    return row ? this.toInfo(row) : null;
  }

  getByPath(path: string): Info | null {
    const row = this.byPathStmt.get(path);
    return row ? this.toInfo(row) : null;
  }

  list(): Info[] {
    return this.listStmt.all().map((row) => this.toInfo(row));
  }

  pendingHashes(): Info[] {
    return this.pendingHashStmt.all().map((row) => this.toInfo(row));
  }

  setHash(id: string, sha256: string | null, status: 'done' | 'error'): void {
    this.setHashStmt.run(sha256, status, id);
  }

  remove(id: string): boolean {
    return this.deleteStmt.run(id).changes > 0;
  }
}
