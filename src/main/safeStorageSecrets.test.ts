// Electron's safeStorage cannot load here (no binary), so the keychain is stood in for by AES-256-GCM with
// a key held in memory: real encryption, so "nothing readable on disk" is a real assertion.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SecretStoreError } from '../core/secrets/secretStore';
import { SafeStorageSecretStore, safeStorageRefusal, type SafeStorageLike } from './safeStorageSecrets';

function keychain(opts: { available?: boolean; backend?: string } = {}): SafeStorageLike & { encrypted: number } {
  const key = randomBytes(32);
  const kc = {
    encrypted: 0,
    isEncryptionAvailable: () => opts.available ?? true,
    getSelectedStorageBackend: () => opts.backend ?? 'gnome_libsecret',
    encryptString(plain: string): Buffer {
      kc.encrypted++;
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return Buffer.concat([iv, c.getAuthTag(), body]);
    },
    decryptString(buf: Buffer): string {
      const d = createDecipheriv('aes-256-gcm', key, buf.subarray(0, 12));
      d.setAuthTag(buf.subarray(12, 28));
      return Buffer.concat([d.update(buf.subarray(28)), d.final()]).toString('utf8');
    },
  };
  return kc;
}

const dir = () => mkdtempSync(join(tmpdir(), 'lamplight-safestorage-'));
const SECRET = 'sk-live-0123456789abcdef';

describe('SafeStorageSecretStore', () => {
  it('round-trips a key, and the file on disk holds neither the key nor its base64', () => {
    const d = dir();
    const kc = keychain();
    const store = new SafeStorageSecretStore(d, kc, 'linux');
    store.set('target:1:apiKey', SECRET);
    expect(store.get('target:1:apiKey')).toBe(SECRET);
    const file = join(d, 'secrets.safestorage.json');
    const raw = readFileSync(file, 'utf8');
    expect(raw).not.toContain(SECRET);
    expect(raw).not.toContain(Buffer.from(SECRET).toString('base64'));
    expect(raw).not.toContain('0123456789abcdef');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(kc.encrypted).toBe(1);
  });

  it('refuses to store when encryption is not available, and writes nothing', () => {
    const d = dir();
    const store = new SafeStorageSecretStore(d, keychain({ available: false }), 'darwin');
    expect(() => store.set('k', SECRET)).toThrow(SecretStoreError);
    expect(() => store.set('k', SECRET)).toThrow(/No OS keychain.*browser host/);
    expect(existsSync(join(d, 'secrets.safestorage.json'))).toBe(false);
  });

  it.each(['basic_text', 'unknown'])('on Linux refuses the %s backend (a fixed, public password), and writes nothing', (backend) => {
    const d = dir();
    const kc = keychain({ backend });
    const store = new SafeStorageSecretStore(d, kc, 'linux');
    expect(() => store.set('k', SECRET)).toThrow(new RegExp(`No keyring.*${backend}.*fixed, public password`));
    expect(kc.encrypted).toBe(0);
    expect(existsSync(join(d, 'secrets.safestorage.json'))).toBe(false);
  });

  it('the backend only matters on Linux', () => {
    expect(safeStorageRefusal(keychain({ backend: 'basic_text' }), 'win32')).toBeNull();
    expect(safeStorageRefusal(keychain({ backend: 'kwallet6' }), 'linux')).toBeNull();
  });

  it('reading a stored key when the keychain went away is a clear error, not the ciphertext', () => {
    const d = dir();
    const kc = keychain();
    new SafeStorageSecretStore(d, kc, 'linux').set('k', SECRET);
    const later = new SafeStorageSecretStore(d, { ...kc, isEncryptionAvailable: () => false }, 'linux');
    expect(() => later.get('k')).toThrow(/No OS keychain/);
    expect(later.get('other')).toBeNull();
  });

  it('a key encrypted by another keychain says so and names the key', () => {
    const d = dir();
    new SafeStorageSecretStore(d, keychain(), 'linux').set('target:7:apiKey', SECRET);
    expect(() => new SafeStorageSecretStore(d, keychain(), 'linux').get('target:7:apiKey')).toThrow(/target:7:apiKey cannot be decrypted/);
  });

  it('a tampered entry is refused, not returned', () => {
    const d = dir();
    writeFileSync(join(d, 'secrets.safestorage.json'), JSON.stringify({ k: 42 }), { mode: 0o600 });
    expect(() => new SafeStorageSecretStore(d, keychain(), 'linux').get('k')).toThrow(/not encrypted text/);
  });

  it('delete works without a keychain', () => {
    const d = dir();
    const kc = keychain();
    new SafeStorageSecretStore(d, kc, 'linux').set('k', SECRET);
    const noKeychain = new SafeStorageSecretStore(d, keychain({ available: false }), 'linux');
    noKeychain.delete('k');
    expect(noKeychain.get('k')).toBeNull();
  });
});
