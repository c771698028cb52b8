import type { Migration } from './types';

export const migration0080: Migration = {
  version: 80,
  name: 'training: packages built from datasets and the runs that train them',
  up: `
    -- One row per training package; a run (training.start) updates the same row.
    -- dataset_id and base_model_id carry no foreign key: removing a dataset or a model must not erase the
    -- record of what an adapter was trained from (the provenance keeps their names and hashes too).
    CREATE TABLE trainings (
      id TEXT PRIMARY KEY,
      dir TEXT NOT NULL,
      -- Paths relative to dir, as written by the package step.
      files_json TEXT NOT NULL CHECK (json_type(files_json) = 'array'),
      dataset_id TEXT NOT NULL,
      base_model_id TEXT NOT NULL,
      hyperparameters_json TEXT NOT NULL CHECK (json_type(hyperparameters_json) = 'object'),
      -- The AdapterProvenance written to lamplight-training.json (trained_at still null).
      provenance_json TEXT NOT NULL CHECK (json_type(provenance_json) = 'object'),
      state TEXT NOT NULL CHECK (state IN ('packaged', 'running', 'converting', 'done', 'failed', 'cancelled')),
      command TEXT,
      adapter_path TEXT,
      log_tail_json TEXT NOT NULL DEFAULT '[]' CHECK (json_type(log_tail_json) = 'array'),
      step INTEGER,
      total_steps INTEGER,
      epoch REAL,
      loss REAL,
      error TEXT,
      adapter_id TEXT REFERENCES adapters(id) ON DELETE SET NULL,
      created_at INTEGER NOT NULL,
      started_at INTEGER,
      finished_at INTEGER
    ) STRICT;
    CREATE INDEX trainings_created ON trainings (created_at DESC, id DESC);
    CREATE INDEX trainings_active ON trainings (state) WHERE state IN ('running', 'converting');
  `,
};
