import type { Migration } from './types';

export const migration0060: Migration = {
  version: 60,
  name: 'datasets: fine-tune rows, labels with their history, labeler profiles, background jobs',
  up: `
    CREATE TABLE profiles (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      created_at INTEGER NOT NULL
    ) STRICT;
    CREATE UNIQUE INDEX profiles_name ON profiles (name COLLATE NOCASE);

    CREATE TABLE datasets (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      -- 'importing': rows are arriving and nobody sees the dataset; 'ready'; 'removing': rows going in batches.
      state TEXT NOT NULL CHECK (state IN ('importing', 'ready', 'removing')),
      import_report_json TEXT CHECK (import_report_json IS NULL OR json_type(import_report_json) = 'object'),
      label_schema_json TEXT NOT NULL DEFAULT '{"fields":[]}' CHECK (json_type(label_schema_json) = 'object'),
      row_count INTEGER NOT NULL DEFAULT 0,
      -- The full-text index (its own table, fts_<rowid>) covers rows with id <= fts_upto.
      fts_upto INTEGER NOT NULL DEFAULT 0,
      stats_json TEXT CHECK (stats_json IS NULL OR json_type(stats_json) = 'object'),
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX datasets_state ON datasets (state);

    -- Row ids are integers in import order: the grid pages by them and the full-text index keys on them.
    CREATE TABLE dataset_rows (
      id INTEGER PRIMARY KEY,
      dataset_id TEXT NOT NULL REFERENCES datasets(id),
      ord INTEGER NOT NULL,
      line INTEGER,
      -- The context (system + turns, ending with a user turn) as JSON; prompt is its last user turn.
      messages_json TEXT NOT NULL,
      prompt TEXT NOT NULL,
      response TEXT,
      chosen TEXT,
      rejected TEXT,
      draft TEXT,
      status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'accepted', 'rejected', 'skipped')),
      rating INTEGER CHECK (rating BETWEEN 1 AND 5),
      labels_json TEXT NOT NULL DEFAULT '{}',
      tags_json TEXT NOT NULL DEFAULT '[]',
      note TEXT,
      labeler_id TEXT REFERENCES profiles(id),
      labeled_at INTEGER,
      tokens INTEGER,
      dup_of INTEGER,
      near_dup_of INTEGER,
      pii INTEGER NOT NULL DEFAULT 0,
      split TEXT CHECK (split IN ('train', 'validation', 'test'))
    ) STRICT;
    CREATE UNIQUE INDEX dataset_rows_ord ON dataset_rows (dataset_id, ord);
    CREATE INDEX dataset_rows_status ON dataset_rows (dataset_id, status);
    CREATE INDEX dataset_rows_dataset ON dataset_rows (dataset_id);
    CREATE INDEX dataset_rows_labeler ON dataset_rows (dataset_id, labeler_id, status) WHERE labeler_id IS NOT NULL;

    -- Every label action, with what it changed from and to: undo, and who did what when.
    CREATE TABLE dataset_label_events (
      id INTEGER PRIMARY KEY,
      dataset_id TEXT NOT NULL,
      row_id INTEGER NOT NULL,
      labeler_id TEXT NOT NULL,
      at INTEGER NOT NULL,
      before_json TEXT NOT NULL,
      after_json TEXT NOT NULL,
      undone_at INTEGER
    ) STRICT;
    CREATE INDEX dataset_label_events_labeler ON dataset_label_events (dataset_id, labeler_id, id);
  `,
};
