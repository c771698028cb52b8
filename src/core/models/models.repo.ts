import type { ModelInfo, ModelMetadata } from '../../shared/models.schema';
import { FileTableRepo } from '../db/fileTable.repo';
import type { Db } from '../db/openDb';

interface ModelRow {
  id: string;
  path: string;
  file_name: string;
  size_bytes: number;
  mtime_ms: number;
  sha256: string | null;
  hash_status: 'pending' | 'done' | 'error';
  metadata_json: string;
  added_at: number;
}

export interface NewModel {
  id: string;
  path: string;
  fileName: string;
  sizeBytes: number;
  mtimeMs: number;
  metadata: ModelMetadata;
  addedAt: number;
}

function toModel(row: ModelRow): ModelInfo {
  return {
    id: row.id,
    path: row.path,
    fileName: row.file_name,
    sizeBytes: row.size_bytes,
    sha256: row.sha256,
    hashStatus: row.hash_status,
    metadata: JSON.parse(row.metadata_json) as ModelMetadata,
    addedAt: row.added_at,
  };
}

export class ModelsRepo extends FileTableRepo<ModelRow, ModelInfo> {
  private readonly insertStmt;

  constructor(db: Db) {
    super(db, 'models', toModel);
    this.insertStmt = db.prepare(`
      INSERT INTO models (id, path, file_name, size_bytes, mtime_ms, sha256, hash_status, architecture,
        parameter_count, file_type, context_length, has_chat_template, metadata_json, added_at)
      VALUES (@id, @path, @fileName, @sizeBytes, @mtimeMs, NULL, 'pending', @architecture,
        @parameterCount, @fileType, @contextLength, @hasChatTemplate, @metadataJson, @addedAt)`);
  }

  insert(m: NewModel): ModelInfo {
    this.insertStmt.run({
      id: m.id,
      path: m.path,
      fileName: m.fileName,
      sizeBytes: m.sizeBytes,
      mtimeMs: Math.round(m.mtimeMs),
      architecture: m.metadata.architecture,
      parameterCount: m.metadata.parameterCount,
      fileType: m.metadata.fileType,
      contextLength: m.metadata.contextLength,
      hasChatTemplate: m.metadata.hasChatTemplate ? 1 : 0,
      metadataJson: JSON.stringify(m.metadata),
      addedAt: m.addedAt,
    });
    return this.get(m.id) as ModelInfo;
  }
}
