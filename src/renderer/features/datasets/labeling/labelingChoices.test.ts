import { describe, expect, it } from 'vitest';
import { advanceNote, defaultLabelerId, readAutoAdvance, writeAutoAdvance } from './labelingChoices';

const profiles = [{ id: 'OWNER' }, { id: 'ANN' }];

describe('the default labeler', () => {
  it('is the acting profile when nobody chose one and it may label', () => {
    expect(defaultLabelerId(null, profiles, { profileId: 'OWNER', canLabel: true })).toBe('OWNER');
  });
  it('keeps a choice made before, while that profile exists', () => {
    expect(defaultLabelerId('ANN', profiles, { profileId: 'OWNER', canLabel: true })).toBe('ANN');
    expect(defaultLabelerId('GONE', profiles, { profileId: 'OWNER', canLabel: true })).toBe('OWNER');
  });
  it('asks when the acting profile may not label or is not listed', () => {
    expect(defaultLabelerId(null, profiles, { profileId: 'OWNER', canLabel: false })).toBeNull();
    expect(defaultLabelerId(null, profiles, { profileId: 'OTHER', canLabel: true })).toBeNull();
    expect(defaultLabelerId(null, profiles, null)).toBeNull();
  });
});

describe('the note after a status key', () => {
  it('says what was saved and where the panel moved', () => {
    expect(advanceNote('accepted', 12, 13)).toBe('Accepted row 12 · moved to row 13');
    expect(advanceNote('rejected', 40, null)).toBe('Rejected row 40 · that was the last row');
    expect(advanceNote('skipped', 3, undefined)).toMatch(/^Skipped row 3 · staying here/);
  });
});

describe('the auto-advance setting', () => {
  it('is on by default and remembered when turned off', () => {
    const store = new Map<string, string>();
    const ls = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v), removeItem: (k: string) => void store.delete(k) };
    Object.defineProperty(globalThis, 'localStorage', { value: ls, configurable: true });
    try {
      expect(readAutoAdvance()).toBe(true);
      writeAutoAdvance(false);
      expect(readAutoAdvance()).toBe(false);
      writeAutoAdvance(true);
      expect(readAutoAdvance()).toBe(true);
    } finally {
      Reflect.deleteProperty(globalThis, 'localStorage');
    }
  });
});
