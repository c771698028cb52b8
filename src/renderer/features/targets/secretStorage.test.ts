import { describe, expect, it } from 'vitest';
import { secretStorageWords } from './secretStorage';

describe('secretStorageWords', () => {
  it('names secrets.json in the data folder for the browser host, not the keychain', () => {
    const w = secretStorageWords({ transport: 'browser-host', dataDir: '/srv/lamplight/' });
    expect(w.where).toContain('/srv/lamplight/secrets.json');
    expect(w.keyHint).toContain('/srv/lamplight/secrets.json');
    expect(w.keyHint).not.toMatch(/keychain/);
  });
  it('names the OS keychain (safeStorage) for the desktop app', () => {
    const w = secretStorageWords({ transport: 'electron', dataDir: '/home/u/.config/lamplight' });
    expect(w.where).toMatch(/OS keychain/);
    expect(w.keyHint).toMatch(/safeStorage/);
  });
  it('claims no place while the host is unknown', () => {
    expect(secretStorageWords(null).keyHint).not.toMatch(/keychain|secrets\.json/);
  });
});
