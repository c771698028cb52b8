import type { Migration } from './types';

export const migration0190: Migration = {
  version: 190,
  name: 'roles: the reviewer role (the CHECK on profiles.role accepts it)',
  // SQLite cannot change a CHECK in place, but a column-level CHECK goes with its column: a new column with
  // the wider CHECK takes every profile's role, then replaces the old one. No index, view or trigger names
  // profiles.role (DROP COLUMN would refuse it if one did).
  up: `
    ALTER TABLE profiles ADD COLUMN role_new TEXT NOT NULL DEFAULT 'labeler'
      CHECK (role_new IN ('admin', 'prompt_engineer', 'labeler', 'reviewer', 'analyst'));
    UPDATE profiles SET role_new = role;
    ALTER TABLE profiles DROP COLUMN role;
    ALTER TABLE profiles RENAME COLUMN role_new TO role;
  `,
};
