import type { Migration } from './types';

export const migration0040: Migration = {
  version: 40,
  name: 'test sets: rows of variables with expected output and label, and their import report',
  up: `
    CREATE TABLE test_sets (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      -- Variable names in column order; rows keep their values in variables_json.
      variables_json TEXT NOT NULL CHECK (json_type(variables_json) = 'array'),
      -- What the import that created the set read, kept and bad (NULL for a set created empty).
      import_report_json TEXT CHECK (import_report_json IS NULL OR json_type(import_report_json) = 'object'),
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    ) STRICT;
    CREATE UNIQUE INDEX test_sets_name ON test_sets (name COLLATE NOCASE);

    CREATE TABLE test_set_rows (
      id TEXT PRIMARY KEY,
      test_set_id TEXT NOT NULL REFERENCES test_sets(id) ON DELETE CASCADE,
      position INTEGER NOT NULL CHECK (position >= 0),
      variables_json TEXT NOT NULL CHECK (json_type(variables_json) = 'object'),
      expected TEXT,
      label TEXT
    ) STRICT;
    -- Paging in a stable order, appends (max position) and the cascade all use it.
    CREATE UNIQUE INDEX test_set_rows_position ON test_set_rows (test_set_id, position);
  `,
};
