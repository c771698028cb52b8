import type { Migration } from './types';

export const migration0070: Migration = {
  version: 70,
  name: 'adapters: local LoRA adapter files with their metadata and provenance',
  up: `
    CREATE TABLE adapters (
      id TEXT PRIMARY KEY,
      path TEXT NOT NULL UNIQUE,
      file_name TEXT NOT NULL,
      size_bytes INTEGER NOT NULL,
      sha256 TEXT,
      hash_status TEXT NOT NULL DEFAULT 'pending' CHECK (hash_status IN ('pending', 'done', 'error')),
      architecture TEXT,
      rank INTEGER,
      alpha REAL,
      metadata_json TEXT NOT NULL CHECK (json_type(metadata_json) = 'object'),
      -- Set when Lamplight packaged the training that produced the file (the training service registers it).
      provenance_json TEXT CHECK (provenance_json IS NULL OR json_type(provenance_json) = 'object'),
      added_at INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX adapters_added ON adapters (added_at DESC, id DESC);

    -- A local run's adapters and scales, so history and re-runs know base from base + adapter.
    ALTER TABLE runs ADD COLUMN adapters_json TEXT CHECK (adapters_json IS NULL OR json_type(adapters_json) = 'array');
  `,
};
