import type { Migration } from './types';

export const migration0050: Migration = {
  version: 50,
  name: 'evaluations: definitions, their copied rows, and one stored result per cell',
  up: `
    CREATE TABLE evals (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      -- Versions, targets, assertions, judge, concurrency, thresholds (EvalDefinition); never edited.
      definition_json TEXT NOT NULL CHECK (json_type(definition_json) = 'object'),
      -- Snapshots taken at creation (versions are immutable, so this is what they were): the columns with
      -- prompt and target names, and each version rendered to playground fields, so archiving a prompt
      -- never breaks the results or a resume.
      columns_json TEXT NOT NULL CHECK (json_type(columns_json) = 'array'),
      templates_json TEXT NOT NULL CHECK (json_type(templates_json) = 'object'),
      -- Where the rows were copied from; no foreign key: removing the set keeps the evaluation.
      test_set_id TEXT,
      status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'cancelled', 'interrupted')),
      created_at INTEGER NOT NULL,
      started_at INTEGER,
      finished_at INTEGER
    ) STRICT;
    CREATE INDEX evals_created_at ON evals (created_at DESC, id DESC);
    CREATE INDEX evals_running ON evals (status) WHERE status = 'running';

    -- The rows as they were when the evaluation was created: results and resume never see later edits.
    CREATE TABLE eval_rows (
      eval_id TEXT NOT NULL REFERENCES evals(id) ON DELETE CASCADE,
      row_id TEXT NOT NULL,
      position INTEGER NOT NULL CHECK (position >= 0),
      variables_json TEXT NOT NULL CHECK (json_type(variables_json) = 'object'),
      expected TEXT,
      label TEXT,
      PRIMARY KEY (eval_id, row_id),
      UNIQUE (eval_id, position)
    ) STRICT;

    -- One row per finished cell; a stored cell is not run again (unless error is set: resume retries it).
    CREATE TABLE eval_results (
      eval_id TEXT NOT NULL REFERENCES evals(id) ON DELETE CASCADE,
      version_id TEXT NOT NULL REFERENCES prompt_versions(id),
      target_key TEXT NOT NULL,
      row_id TEXT NOT NULL,
      run_id TEXT REFERENCES runs(id) ON DELETE SET NULL,
      judge_run_id TEXT REFERENCES runs(id) ON DELETE SET NULL,
      pass INTEGER NOT NULL CHECK (pass IN (0, 1)),
      score REAL,
      error TEXT,
      checks_json TEXT NOT NULL CHECK (json_type(checks_json) = 'array'),
      ttft_ms REAL,
      e2e_ms REAL,
      completion_tokens INTEGER,
      finished_at INTEGER NOT NULL,
      PRIMARY KEY (eval_id, version_id, target_key, row_id),
      FOREIGN KEY (eval_id, row_id) REFERENCES eval_rows(eval_id, row_id) ON DELETE CASCADE
    ) STRICT;
    -- A page of rows with all their cells, and A/B pairs joined on the row.
    CREATE INDEX eval_results_row ON eval_results (eval_id, row_id);
  `,
};
