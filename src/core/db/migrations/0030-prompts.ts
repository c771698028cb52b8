import type { Migration } from './types';

export const migration0030: Migration = {
  version: 30,
  name: 'prompt library: prompts, immutable versions, labels and their history',
  up: `
    -- Removing a prompt archives it (archived_at): versions are immutable, so nothing cascades.
    CREATE TABLE prompts (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      description TEXT NOT NULL,
      forked_from_prompt_id TEXT REFERENCES prompts(id),
      forked_from_version_id TEXT REFERENCES prompt_versions(id),
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      archived_at INTEGER
    ) STRICT;
    -- Names are unique among the prompts in the library; an archived prompt frees its name.
    CREATE UNIQUE INDEX prompts_name ON prompts (name COLLATE NOCASE) WHERE archived_at IS NULL;
    CREATE INDEX prompts_updated_at ON prompts (updated_at DESC, id DESC) WHERE archived_at IS NULL;

    CREATE TABLE prompt_versions (
      id TEXT PRIMARY KEY,
      prompt_id TEXT NOT NULL REFERENCES prompts(id),
      number INTEGER NOT NULL CHECK (number >= 1),
      parent_id TEXT REFERENCES prompt_versions(id),
      restored_from_id TEXT REFERENCES prompt_versions(id),
      content_json TEXT NOT NULL,
      content_hash TEXT NOT NULL CHECK (length(content_hash) = 64),
      message TEXT NOT NULL,
      author TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      UNIQUE (prompt_id, number)
    ) STRICT;

    CREATE TRIGGER prompt_versions_immutable_update BEFORE UPDATE ON prompt_versions
    BEGIN SELECT RAISE(ABORT, 'prompt versions are immutable: save a new version instead'); END;
    CREATE TRIGGER prompt_versions_immutable_delete BEFORE DELETE ON prompt_versions
    BEGIN SELECT RAISE(ABORT, 'prompt versions are immutable: archive the prompt instead'); END;

    -- Where each label points now; prompt_label_events keeps every move.
    CREATE TABLE prompt_labels (
      prompt_id TEXT NOT NULL REFERENCES prompts(id),
      label TEXT NOT NULL,
      version_id TEXT NOT NULL REFERENCES prompt_versions(id),
      set_at INTEGER NOT NULL,
      set_by TEXT NOT NULL,
      PRIMARY KEY (prompt_id, label)
    ) STRICT;

    CREATE TABLE prompt_label_events (
      id TEXT PRIMARY KEY,
      prompt_id TEXT NOT NULL REFERENCES prompts(id),
      label TEXT NOT NULL,
      from_version_id TEXT REFERENCES prompt_versions(id),
      to_version_id TEXT REFERENCES prompt_versions(id),
      author TEXT NOT NULL,
      moved_at INTEGER NOT NULL,
      CHECK (from_version_id IS NOT NULL OR to_version_id IS NOT NULL)
    ) STRICT;
    CREATE INDEX prompt_label_events_prompt ON prompt_label_events (prompt_id, moved_at DESC);

    CREATE TRIGGER prompt_label_events_append_only_update BEFORE UPDATE ON prompt_label_events
    BEGIN SELECT RAISE(ABORT, 'label history is append-only'); END;
    CREATE TRIGGER prompt_label_events_append_only_delete BEFORE DELETE ON prompt_label_events
    BEGIN SELECT RAISE(ABORT, 'label history is append-only'); END;
  `,
};
