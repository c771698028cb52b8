import { describe, expect, it } from 'vitest';
import type { DatasetRow } from '../../../../shared/datasets.schema';
import { applyPatches } from './rowPatch';

const row: DatasetRow = {
  id: 7,
  ord: 6,
  line: 8,
  prompt: 'hi',
  response: 'hello',
  status: 'new',
  rating: null,
  labels: {},
  tags: [],
  hasDraft: false,
  hasPair: false,
  tokens: null,
  dupOf: null,
  nearDupOf: null,
  pii: [],
  images: [],
  split: null,
  labelerId: null,
  labeledAt: null,
  record: { messages: [{ role: 'user', content: 'hi' }], response: 'hello', chosen: null, rejected: null },
  draft: null,
  note: null,
};

describe('applyPatches', () => {
  it('shows unconfirmed changes in order, later ones winning', () => {
    const shown = applyPatches(row, [{ status: 'accepted' }, { rating: 4 }, { status: 'rejected', response: 'Hello there.' }]);
    expect(shown.status).toBe('rejected');
    expect(shown.rating).toBe(4);
    expect(shown.response).toBe('Hello there.');
    expect(shown.record.response).toBe('Hello there.');
    expect(row.status).toBe('new');
  });

  it('marks a pair once chosen and rejected are set', () => {
    const shown = applyPatches(row, [{ chosen: 'a', rejected: 'b' }]);
    expect(shown.hasPair).toBe(true);
    expect(shown.record.chosen).toBe('a');
  });
});
