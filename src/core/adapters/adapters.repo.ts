import type { AdapterInfo, AdapterMetadata, AdapterProvenance } from '../../shared/adapters.schema';
import { FileTableRepo } from '../db/fileTable.repo';
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

export class AdaptersRepo extends FileTableRepo<AdapterRow, AdapterInfo> {
  private readonly insertStmt;
  private readonly setProvenanceStmt;

  constructor(db: Db) {
    super(db, 'adapters', toAdapter);
    this.insertStmt = db.prepare(`
      INSERT INTO adapters (id, path, file_name, size_bytes, sha256, hash_status, architecture, rank, alpha,
        metadata_json, provenance_json, added_at)
      VALUES (@id, @path, @fileName, @sizeBytes, NULL, 'pending', @architecture, @rank, @alpha,
        @metadataJson, @provenanceJson, @addedAt)`);
    this.setProvenanceStmt = db.prepare('UPDATE adapters SET provenance_json = ? WHERE id = ?');
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

  setProvenance(id: string, provenance: AdapterProvenance): void {
    this.setProvenanceStmt.run(JSON.stringify(provenance), id);
  }
}
