import type { Migration } from './types';

export const migration0130: Migration = {
  version: 130,
  name: 'images in test sets (image columns hold stored images by hash) and image metrics of benchmark requests',
  up: `
    -- Names of the set's variables whose values are image hashes ('' for none); a subset of variables_json.
    ALTER TABLE test_sets ADD COLUMN image_variables_json TEXT NOT NULL DEFAULT '[]' CHECK (json_type(image_variables_json) = 'array');

    -- Per request of an image workload: images sent, their preparation here and the server's encode time.
    ALTER TABLE bench_requests ADD COLUMN images INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE bench_requests ADD COLUMN image_prepare_ms REAL;
    ALTER TABLE bench_requests ADD COLUMN image_encode_ms REAL;
  `,
};
