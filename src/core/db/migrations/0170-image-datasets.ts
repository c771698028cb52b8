import type { Migration } from './types';

export const migration0170: Migration = {
  version: 170,
  name: 'image datasets: the stored images (hashes, JSON array) a dataset row goes with',
  up: `
    -- NULL for text rows; images themselves live in the image store, referred to by hash.
    ALTER TABLE dataset_rows ADD COLUMN images_json TEXT;
    -- The image collector lists every referenced hash; this keeps it off the (many) text rows.
    CREATE INDEX dataset_rows_with_images ON dataset_rows(dataset_id) WHERE images_json IS NOT NULL;
  `,
};
