import type { Migration } from './types';

export const migration0090: Migration = {
  version: 90,
  name: 'benchmarks: runs with per-request timings, and cost profiles per target',
  up: `
    CREATE TABLE bench_runs (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      definition_json TEXT NOT NULL CHECK (json_type(definition_json) = 'object'),
      state TEXT NOT NULL CHECK (state IN ('pending', 'running', 'done', 'cancelled', 'failed')),
      -- Per-cell results, derived from bench_requests when each cell finishes (kept for fast reads).
      results_json TEXT NOT NULL DEFAULT '[]' CHECK (json_type(results_json) = 'array'),
      error TEXT,
      created_at INTEGER NOT NULL,
      finished_at INTEGER
    ) STRICT;
    CREATE INDEX bench_runs_created ON bench_runs (created_at DESC);

    -- The raw measurements every metric is derived from: one row per measured request (warm-ups are not kept).
    CREATE TABLE bench_requests (
      id INTEGER PRIMARY KEY,
      bench_id TEXT NOT NULL REFERENCES bench_runs(id) ON DELETE CASCADE,
      cell INTEGER NOT NULL,
      ord INTEGER NOT NULL,
      run_id TEXT,
      ok INTEGER NOT NULL CHECK (ok IN (0, 1)),
      error TEXT,
      -- ms after the cell's first send; e2e and chunk times are ms after this request's send.
      sent_ms REAL NOT NULL,
      e2e_ms REAL NOT NULL,
      chunk_times_json TEXT NOT NULL CHECK (json_type(chunk_times_json) = 'array'),
      prompt_tokens INTEGER NOT NULL,
      output_tokens INTEGER NOT NULL,
      decode_tok_per_sec REAL
    ) STRICT;
    CREATE INDEX bench_requests_cell ON bench_requests (bench_id, cell, ord);

    CREATE TABLE cost_profiles (
      target_key TEXT PRIMARY KEY,
      label TEXT NOT NULL,
      profile_json TEXT NOT NULL CHECK (json_type(profile_json) = 'object'),
      updated_at INTEGER NOT NULL
    ) STRICT;
  `,
};
