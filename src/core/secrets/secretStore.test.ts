import { chmodSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { FileSecretStore, SecretStoreError } from './secretStore';

const tempDir = () => mkdtempSync(join(tmpdir(), 'lamplight-secrets-'));

describe('FileSecretStore', () => {
  it('keeps keys in a file only the owner can read, and forgets deleted ones', () => {
    const dir = tempDir();
    const store = new FileSecretStore(dir);
    store.set('a', 'sk-one');
    store.set('b', 'sk-two');
    expect(statSync(join(dir, 'secrets.json')).mode & 0o777).toBe(0o600);
    expect(new FileSecretStore(dir).get('a')).toBe('sk-one');
    store.delete('a');
    expect(store.get('a')).toBeNull();
    expect(store.get('b')).toBe('sk-two');
  });

  it('tightens a file someone made readable by others before reading it', () => {
    const dir = tempDir();
    const store = new FileSecretStore(dir);
    store.set('a', 'x');
    chmodSync(join(dir, 'secrets.json'), 0o644);
    expect(store.get('a')).toBe('x');
    expect(statSync(join(dir, 'secrets.json')).mode & 0o777).toBe(0o600);
  });

  it('a corrupt file is a clear error, not an empty store that would overwrite it', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'secrets.json'), '{oops', { mode: 0o600 });
    const store = new FileSecretStore(dir);
    expect(() => store.get('a')).toThrow(SecretStoreError);
    expect(() => store.set('a', 'b')).toThrow(/not valid JSON/);
  });
});
