import type { Migration } from './types';

export const migration0140: Migration = {
  version: 140,
  name: 'team labeling: row versions, assignments split into claimable tasks, one label per labeler, reviews',
  up: `
    -- Grows with every label change: a save names the version it read, a stale one is refused (never overwrites).
    ALTER TABLE dataset_rows ADD COLUMN version INTEGER NOT NULL DEFAULT 0;

    CREATE TABLE team_assignments (
      id TEXT PRIMARY KEY,
      -- Removing a dataset removes its assignments, their tasks, answers and reviews (cascade).
      dataset_id TEXT NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
      name TEXT NOT NULL,
      mode TEXT NOT NULL CHECK (mode IN ('round_robin', 'by_filter', 'claim_next')),
      filter_json TEXT NOT NULL CHECK (json_type(filter_json) = 'object'),
      -- The labelers' profile ids, in the order round-robin deals rows.
      labelers_json TEXT NOT NULL CHECK (json_type(labelers_json) = 'array'),
      overlap REAL NOT NULL CHECK (overlap >= 0 AND overlap <= 1),
      overlap_k INTEGER NOT NULL CHECK (overlap_k >= 2),
      claim_ms INTEGER NOT NULL CHECK (claim_ms > 0),
      state TEXT NOT NULL CHECK (state IN ('open', 'closed')),
      created_by TEXT NOT NULL,
      created_at INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX team_assignments_dataset ON team_assignments (dataset_id);

    -- One task = one row for one labeler. labeler_id NULL: anyone in the assignment may claim it. An
    -- overlapped row has k tasks, each done by a different labeler. A claim holds until claim_expires.
    CREATE TABLE team_tasks (
      id INTEGER PRIMARY KEY,
      assignment_id TEXT NOT NULL REFERENCES team_assignments(id) ON DELETE CASCADE,
      row_id INTEGER NOT NULL,
      labeler_id TEXT,
      overlap INTEGER NOT NULL CHECK (overlap IN (0, 1)),
      state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'done')),
      claimed_by TEXT,
      claim_expires INTEGER,
      done_by TEXT,
      done_at INTEGER
    ) STRICT;
    CREATE INDEX team_tasks_next ON team_tasks (assignment_id, labeler_id, state, id);
    CREATE INDEX team_tasks_row ON team_tasks (assignment_id, row_id);
    CREATE INDEX team_tasks_claimed ON team_tasks (assignment_id, claimed_by) WHERE claimed_by IS NOT NULL;
    CREATE INDEX team_tasks_done ON team_tasks (assignment_id, done_by, done_at) WHERE done_by IS NOT NULL;

    -- Each labeler's own answer for a task: overlapped rows keep all k of them for agreement and review.
    CREATE TABLE team_labels (
      task_id INTEGER PRIMARY KEY REFERENCES team_tasks(id) ON DELETE CASCADE,
      assignment_id TEXT NOT NULL,
      row_id INTEGER NOT NULL,
      labeler_id TEXT NOT NULL,
      patch_json TEXT NOT NULL CHECK (json_type(patch_json) = 'object'),
      at INTEGER NOT NULL
    ) STRICT;
    CREATE UNIQUE INDEX team_labels_row ON team_labels (assignment_id, row_id, labeler_id);
    CREATE INDEX team_labels_at ON team_labels (assignment_id, at);

    -- A reviewer's decision on a disagreement or a rejected row: what became the row's label, who, when.
    CREATE TABLE team_reviews (
      id INTEGER PRIMARY KEY,
      assignment_id TEXT NOT NULL REFERENCES team_assignments(id) ON DELETE CASCADE,
      row_id INTEGER NOT NULL,
      reviewer_id TEXT NOT NULL,
      at INTEGER NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('chose', 'wrote')),
      chosen_labeler_id TEXT,
      patch_json TEXT NOT NULL CHECK (json_type(patch_json) = 'object'),
      row_version INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX team_reviews_row ON team_reviews (assignment_id, row_id);
  `,
};
