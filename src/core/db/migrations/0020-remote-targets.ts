import type { Migration } from './types';

export const migration0020: Migration = {
  version: 20,
  name: 'remote targets, run sources and latency columns, comparisons',
  up: `
    CREATE TABLE targets (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      base_urls_json TEXT NOT NULL,
      has_api_key INTEGER NOT NULL,
      header_names_json TEXT NOT NULL,
      timeouts_json TEXT NOT NULL,
      max_retries INTEGER NOT NULL,
      created_at INTEGER NOT NULL
    ) STRICT;

    ALTER TABLE runs ADD COLUMN source TEXT NOT NULL DEFAULT 'playground'
      CHECK (source IN ('playground', 'compare', 'api', 'cli', 'eval', 'dataset', 'bench'));
    ALTER TABLE runs ADD COLUMN target_kind TEXT NOT NULL DEFAULT 'local' CHECK (target_kind IN ('local', 'remote'));
    -- No foreign key: removing a target keeps the history of what was sent to it.
    ALTER TABLE runs ADD COLUMN target_id TEXT;
    ALTER TABLE runs ADD COLUMN remote_model TEXT;
    ALTER TABLE runs ADD COLUMN tpot_ms REAL;
    ALTER TABLE runs ADD COLUMN itl_mean_ms REAL;
    ALTER TABLE runs ADD COLUMN e2e_ms REAL;
    ALTER TABLE runs ADD COLUMN attempts INTEGER;
    ALTER TABLE runs ADD COLUMN chunk_times_json TEXT NOT NULL DEFAULT '[]';
    CREATE INDEX runs_target ON runs (target_id, started_at DESC);

    CREATE TABLE comparisons (
      id TEXT PRIMARY KEY,
      created_at INTEGER NOT NULL,
      system_prompt TEXT NOT NULL,
      user_message TEXT NOT NULL,
      variables_json TEXT NOT NULL,
      params_json TEXT NOT NULL,
      json_schema TEXT
    ) STRICT;
    CREATE TABLE comparison_runs (
      comparison_id TEXT NOT NULL REFERENCES comparisons(id) ON DELETE CASCADE,
      position INTEGER NOT NULL,
      run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      PRIMARY KEY (comparison_id, position)
    ) STRICT;
    CREATE INDEX comparisons_created_at ON comparisons (created_at DESC);
  `,
};
