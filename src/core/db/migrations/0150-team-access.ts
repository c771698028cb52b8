import type { Migration } from './types';

export const migration0150: Migration = {
  version: 150,
  name: 'team access: access links with issue time, expiry and revocation, and where each profile last signed in from',
  up: `
    ALTER TABLE profiles ADD COLUMN token_issued_at INTEGER;
    ALTER TABLE profiles ADD COLUMN token_expires_at INTEGER;
    ALTER TABLE profiles ADD COLUMN token_revoked_at INTEGER;
    ALTER TABLE profiles ADD COLUMN last_seen_at INTEGER;
    ALTER TABLE profiles ADD COLUMN last_seen_from TEXT;
    -- Links issued before expiry existed get the default 30 days from now, rather than never expiring.
    UPDATE profiles SET token_issued_at = CAST(unixepoch('subsec') * 1000 AS INTEGER),
      token_expires_at = CAST(unixepoch('subsec') * 1000 AS INTEGER) + 30 * 86400000
      WHERE token_hash IS NOT NULL;
  `,
};
