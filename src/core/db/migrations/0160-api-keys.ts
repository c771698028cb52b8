import type { Migration } from './types';

export const migration0160: Migration = {
  version: 160,
  name: 'API keys for the local API server: per-profile keys (hashed) with limits and budgets, and usage per key and target',
  up: `
    CREATE TABLE api_keys (
      id TEXT PRIMARY KEY,
      profile_id TEXT NOT NULL REFERENCES profiles(id),
      name TEXT NOT NULL,
      -- The first characters of the key, to recognise it in lists; the key itself is shown once, never stored.
      prefix TEXT NOT NULL,
      key_hash TEXT NOT NULL UNIQUE,
      scope TEXT NOT NULL CHECK (scope IN ('inference', 'metrics')),
      created_at INTEGER NOT NULL,
      last_used_at INTEGER,
      revoked_at INTEGER,
      rate_per_minute INTEGER CHECK (rate_per_minute IS NULL OR rate_per_minute > 0),
      token_quota INTEGER CHECK (token_quota IS NULL OR token_quota > 0),
      quota_period TEXT NOT NULL DEFAULT 'month' CHECK (quota_period IN ('day', 'month')),
      budget_per_month REAL CHECK (budget_per_month IS NULL OR budget_per_month > 0),
      -- The month (YYYY-MM) whose 80% budget alert was sent, so it is sent once.
      budget_alerted TEXT
    ) STRICT;
    CREATE INDEX api_keys_profile ON api_keys (profile_id);

    -- One row per request; key_id NULL is the server's start key (the owner's).
    CREATE TABLE api_usage (
      id INTEGER PRIMARY KEY,
      key_id TEXT REFERENCES api_keys(id),
      target_key TEXT NOT NULL,
      at INTEGER NOT NULL,
      status INTEGER NOT NULL,
      prompt_tokens INTEGER NOT NULL,
      completion_tokens INTEGER NOT NULL,
      latency_ms REAL NOT NULL,
      cost REAL,
      currency TEXT
    ) STRICT;
    CREATE INDEX api_usage_key_at ON api_usage (key_id, at);
  `,
};
