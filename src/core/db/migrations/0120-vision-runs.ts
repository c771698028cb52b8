import type { Migration } from './types';

export const migration0120: Migration = {
  version: 120,
  name: 'vision runs: accepts-images and pixel budget per target, what each server said per model, the images of each run and their metrics',
  up: `
    ALTER TABLE targets ADD COLUMN accepts_images TEXT NOT NULL DEFAULT 'auto' CHECK (accepts_images IN ('auto', 'yes', 'no'));
    ALTER TABLE targets ADD COLUMN max_image_pixels INTEGER NOT NULL DEFAULT 1003520 CHECK (max_image_pixels >= 784);
    -- {"model": true|false} from the last check (llama-server's /props modalities); a model absent said nothing.
    ALTER TABLE targets ADD COLUMN vision_json TEXT NOT NULL DEFAULT '{}' CHECK (json_type(vision_json) = 'object');

    ALTER TABLE runs ADD COLUMN image_tokens INTEGER;
    ALTER TABLE runs ADD COLUMN image_encode_ms REAL;
    ALTER TABLE runs ADD COLUMN image_prepare_ms REAL;

    -- One row per image sent with a run, in order; hash refers to the image store (by content), never bytes.
    CREATE TABLE run_images (
      run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      ord INTEGER NOT NULL,
      hash TEXT NOT NULL,
      sent_hash TEXT NOT NULL,
      name TEXT NOT NULL,
      width INTEGER NOT NULL,
      height INTEGER NOT NULL,
      bytes INTEGER NOT NULL,
      PRIMARY KEY (run_id, ord)
    ) STRICT;
    CREATE INDEX run_images_hash ON run_images (hash);
  `,
};
