import type { Migration } from './types';

export const migration0010: Migration = {
  version: 10,
  name: 'init: models and runs',
  up: `
    CREATE TABLE models (
      id TEXT PRIMARY KEY,
      path TEXT NOT NULL UNIQUE,
      file_name TEXT NOT NULL,
      size_bytes INTEGER NOT NULL,
      mtime_ms INTEGER NOT NULL,
      sha256 TEXT,
      hash_status TEXT NOT NULL CHECK (hash_status IN ('pending', 'done', 'error')),
      architecture TEXT,
      parameter_count INTEGER,
      file_type TEXT,
      context_length INTEGER,
      has_chat_template INTEGER NOT NULL DEFAULT 0,
      metadata_json TEXT NOT NULL,
      added_at INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE runs (
      id TEXT PRIMARY KEY,
      model_id TEXT REFERENCES models(id) ON DELETE SET NULL,
      model_name TEXT NOT NULL,
      system_prompt TEXT NOT NULL,
      user_message TEXT NOT NULL,
      variables_json TEXT NOT NULL,
      rendered_prompt TEXT,
      params_json TEXT NOT NULL,
      load_settings_json TEXT,
      json_schema TEXT,
      output TEXT NOT NULL DEFAULT '',
      status TEXT NOT NULL CHECK (status IN ('running', 'done')),
      stop_reason TEXT,
      error TEXT,
      prompt_tokens INTEGER,
      completion_tokens INTEGER,
      ttft_ms REAL,
      decode_tok_per_sec REAL,
      started_at INTEGER NOT NULL,
      finished_at INTEGER
    ) STRICT;

    CREATE INDEX runs_started_at ON runs (started_at DESC);
    CREATE INDEX runs_model_id ON runs (model_id, started_at DESC);
  `,
};
