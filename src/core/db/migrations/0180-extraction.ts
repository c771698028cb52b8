import type { Migration } from './types';

export const migration0180: Migration = {
  version: 180,
  name: 'extraction: templates (fields with declared normalization) updated in place, every saved version kept',
  up: `
    CREATE TABLE extraction_templates (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      instructions TEXT NOT NULL,
      fields_json TEXT NOT NULL,
      version INTEGER NOT NULL CHECK (version >= 1),
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE extraction_template_versions (
      template_id TEXT NOT NULL REFERENCES extraction_templates(id) ON DELETE CASCADE,
      version INTEGER NOT NULL,
      name TEXT NOT NULL,
      instructions TEXT NOT NULL,
      fields_json TEXT NOT NULL,
      saved_at INTEGER NOT NULL,
      PRIMARY KEY (template_id, version)
    ) STRICT;
  `,
};
