import { describe, expect, it } from 'vitest';
import { describeLabel, parseRowConflict, saveBase } from './rowConflict';

// Written the way src/core/datasets/rowConflict.ts words it (the e2e labelingConflict spec checks the real one).
const message =
  'row 12 changed after version 3 that your save was based on: Bea Chen saved version 4 at 2026-12-07T18:40:00.000Z. ' +
  'Stored: {"status":"rejected","rating":2,"labels":{"quality":"bad"},"note":null}; yours: {"status":"accepted","rating":5}. Nothing was saved; reload the row and save again.';

describe('parseRowConflict', () => {
  it('reads both values, who saved and when out of the CONFLICT message', () => {
    const c = parseRowConflict('CONFLICT', message);
    expect(c).toEqual({
      savedBy: 'Bea Chen',
      storedVersion: 4,
      savedAt: '2026-12-07T18:40:00.000Z',
      stored: { status: 'rejected', rating: 2, labels: { quality: 'bad' }, note: null },
      yours: { status: 'accepted', rating: 5 },
    });
  });

  it('is null for other conflicts and other codes', () => {
    expect(parseRowConflict('CONFLICT', 'name: a dataset named "x" already exists')).toBeNull();
    expect(parseRowConflict('BAD_INPUT', message)).toBeNull();
  });

  it('reads a save by someone unknown with no time', () => {
    const c = parseRowConflict('CONFLICT', message.replace('Bea Chen', 'someone').replace(' at 2026-12-07T18:40:00.000Z', ''));
    expect(c?.savedBy).toBe('someone');
    expect(c?.savedAt).toBeNull();
  });
});

describe('describeLabel', () => {
  it('names status, rating, labels and note', () => {
    expect(describeLabel({ status: 'rejected', rating: 2, labels: { quality: 'bad', issues: ['tone', 'factual'] }, note: 'rude' })).toBe(
      'rejected · rating 2 · quality=bad · issues=tone+factual · note “rude”',
    );
    expect(describeLabel({})).toBe('no label');
  });
});

describe('saveBase', () => {
  it('uses the version Keep mine accepted, else the row as last seen, else none', () => {
    const rows = { 1: { version: 3 }, 2: {} };
    expect(saveBase({ rowId: 1, baseVersion: 4 }, rows)).toBe(4);
    expect(saveBase({ rowId: 1 }, rows)).toBe(3);
    expect(saveBase({ rowId: 2 }, rows)).toBeUndefined();
    expect(saveBase({ rowId: 9 }, rows)).toBeUndefined();
  });
});
