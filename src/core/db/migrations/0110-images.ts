import type { Migration } from './types';

export const migration0110: Migration = {
  version: 110,
  name: 'images: prompt images stored once by content hash (the file lives in the data folder)',
  up: `
    CREATE TABLE images (
      hash TEXT PRIMARY KEY CHECK (length(hash) = 64),
      name TEXT NOT NULL,
      mime TEXT NOT NULL CHECK (mime IN ('image/png', 'image/jpeg', 'image/webp')),
      width INTEGER NOT NULL CHECK (width > 0),
      height INTEGER NOT NULL CHECK (height > 0),
      bytes INTEGER NOT NULL,
      created_at INTEGER NOT NULL,
      -- Last time someone added it (again): garbage collection spares images added recently, which a
      -- draft prompt may hold before any run refers to them.
      added_at INTEGER NOT NULL
    ) STRICT;
  `,
};
