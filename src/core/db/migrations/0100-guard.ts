import type { Migration } from './types';

export const migration0100: Migration = {
  version: 100,
  name: 'guardrails: roles and access tokens for profiles, the policy document, guard outcome per run, the audit log',
  up: `
    -- Profiles made before roles existed were made as labelers.
    ALTER TABLE profiles ADD COLUMN role TEXT NOT NULL DEFAULT 'labeler'
      CHECK (role IN ('admin', 'prompt_engineer', 'labeler', 'analyst'));
    -- sha256 hex of the profile's browser-host access token (the token itself is shown once, never stored).
    ALTER TABLE profiles ADD COLUMN token_hash TEXT;
    CREATE UNIQUE INDEX profiles_token ON profiles (token_hash) WHERE token_hash IS NOT NULL;

    ALTER TABLE runs ADD COLUMN guard_json TEXT CHECK (guard_json IS NULL OR json_type(guard_json) = 'object');
    ALTER TABLE runs ADD COLUMN prompt_version_id TEXT;

    CREATE TABLE guard_policy (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      policy_json TEXT NOT NULL CHECK (json_type(policy_json) = 'object'),
      updated_at INTEGER NOT NULL,
      updated_by TEXT
    ) STRICT;

    -- Append-only and hash-chained: hash = sha256(prev_hash, seq, body_json). The other columns are copies
    -- of body fields for filtering; audit verify checks them against the body too.
    CREATE TABLE audit_log (
      seq INTEGER PRIMARY KEY,
      id TEXT NOT NULL UNIQUE,
      kind TEXT NOT NULL CHECK (kind IN ('ai_call', 'denied', 'policy', 'profile')),
      started_at INTEGER NOT NULL,
      profile_id TEXT,
      path TEXT NOT NULL,
      -- Lower-cased model name, target name and endpoints, for the target filter.
      target_text TEXT NOT NULL DEFAULT '',
      -- Comma-wrapped outcome words (",masked,flagged,") for the outcome filter.
      outcomes TEXT NOT NULL DEFAULT ',',
      body_json TEXT NOT NULL CHECK (json_type(body_json) = 'object'),
      prev_hash TEXT NOT NULL,
      hash TEXT NOT NULL
    ) STRICT;
    CREATE INDEX audit_log_started ON audit_log (started_at);
    CREATE INDEX audit_log_profile ON audit_log (profile_id, seq);
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
      BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: records cannot be changed'); END;
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
      BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: records cannot be deleted'); END;
  `,
};
