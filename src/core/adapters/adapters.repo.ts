import type { AdapterInfo, AdapterMetadata, AdapterProvenance } from '../../shared/adapters.schema';
import type { Db } from '../db/openDb';

interface AdapterRow {
  id: string;
  path: string;
  file_name: string;
  size_bytes: number;
  sha256: string | null;
  hash_status: 'pending' | 'done' | 'error';
  metadata_json: string;
  provenance_json: string | null;
  added_at: number;
}

export interface NewAdapter {
  id: string;
  path: string;
  fileName: string;
  sizeBytes: number;
  metadata: AdapterMetadata;
  provenance: AdapterProvenance | null;
  addedAt: number;
}

function toAdapter(row: AdapterRow): AdapterInfo {
  return {
    id: row.id,
    path: row.path,
    fileName: row.file_name,
    sizeBytes: row.size_bytes,
    sha256: row.sha256,
    metadata: JSON.parse(row.metadata_json) as AdapterMetadata,
    provenance: row.provenance_json === null ? null : (JSON.parse(row.provenance_json) as AdapterProvenance),
    addedAt: row.added_at,
  };
}

export class AdaptersRepo {
  private readonly insertStmt;
  private readonly byIdStmt;
  private readonly byPathStmt;
  private readonly listStmt;
  private readonly setHashStmt;
  private readonly setProvenanceStmt;
  private readonly deleteStmt;
  private readonly pendingHashStmt;

  constructor(db: Db) {
    this.insertStmt = db.prepare(`
      INSERT INTO adapters (id, path, file_name, size_bytes, sha256, hash_status, architecture, rank, alpha,
        metadata_json, provenance_json, added_at)
      VALUES (@id, @path, @fileName, @sizeBytes, NULL, 'pending', @architecture, @rank, @alpha,
        @metadataJson, @provenanceJson, @addedAt)`);
    this.byIdStmt = db.prepare<[string], AdapterRow>('SELECT * FROM adapters WHERE id = ?');
    this.byPathStmt = db.prepare<[string], AdapterRow>('SELECT * FROM adapters WHERE path = ?');
    this.listStmt = db.prepare<[], AdapterRow>('SELECT * FROM adapters ORDER BY added_at DESC, id DESC');
    this.setHashStmt = db.prepare('UPDATE adapters SET sha256 = ?, hash_status = ? WHERE id = ?');
    this.setProvenanceStmt = db.prepare('UPDATE adapters SET provenance_json = ? WHERE id = ?');
    this.deleteStmt = db.prepare('DELETE FROM adapters WHERE id = ?');
    this.pendingHashStmt = db.prepare<[], AdapterRow>("SELECT * FROM adapters WHERE hash_status = 'pending'");
  }

  insert(a: NewAdapter): AdapterInfo {
    this.insertStmt.run({
      id: a.id,
      path: a.path,
      fileName: a.fileName,
      sizeBytes: a.sizeBytes,
      architecture: a.metadata.architecture,
      rank: a.metadata.rank,
      alpha: a.metadata.alpha,
      metadataJson: JSON.stringify(a.metadata),
      provenanceJson: a.provenance === null ? null : JSON.stringify(a.provenance),
      addedAt: a.addedAt,
    });
    return this.get(a.id) as AdapterInfo;
  }

  get(id: string): AdapterInfo | null {
    const row = this.byIdStmt.get(id);
    return row ? toAdapter(row) : null;
  }

  getByPath(path: string): AdapterInfo | null {
    const row = this.byPathStmt.get(path);
    return row ? toAdapter(row) : null;
  }

  list(): AdapterInfo[] {
    return this.listStmt.all().map(toAdapter);
  }

  pendingHashes(): AdapterInfo[] {
    return this.pendingHashStmt.all().map(toAdapter);
  }

  setHash(id: string, sha256: string | null, status: 'done' | 'error'): void {
    this.setHashStmt.run(sha256, status, id);
  }

  setProvenance(id: string, provenance: AdapterProvenance): void {
    this.setProvenanceStmt.run(JSON.stringify(provenance), id);
  }

  remove(id: string): boolean {
    return this.deleteStmt.run(id).changes > 0;
  }
}
