// API keys in the Electron app: encrypted with the OS keychain (safeStorage) before they touch disk. No
// electron import: index.ts passes Electron's safeStorage in, so the refusal rules are unit-tested.
// There is no plain-text fallback: without a usable keychain, keys are refused with a message saying
// where they can be kept instead (the browser host's owner-only secrets.json).
import { join } from 'node:path';
import { readJsonMap, SecretStoreError, writeJsonMap, type SecretStore } from '../core/secrets/secretStore';

/** The part of Electron's safeStorage this store uses. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  /** Linux only: which keyring encrypts ('basic_text' means a fixed, public password). */
  getSelectedStorageBackend?(): string;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

/** Why keys cannot be kept safely here, or null when they can. */
export function safeStorageRefusal(safeStorage: SafeStorageLike, platform: NodeJS.Platform): string | null {
  if (!safeStorage.isEncryptionAvailable()) {
    return 'No OS keychain is available to encrypt API keys, so Lamplight will not store them. Use the browser host (npm run serve), which keeps keys in a file only you can read.';
  }
  if (platform === 'linux') {
    const backend = safeStorage.getSelectedStorageBackend?.() ?? 'unknown';
    if (backend === 'basic_text' || backend === 'unknown') {
      return `No keyring (GNOME Keyring, KWallet) is running (safeStorage backend: ${backend}), so Electron would encrypt API keys with a fixed, public password. Lamplight refuses to store keys that way: start a keyring, or use the browser host, which keeps keys in a file only you can read.`;
    }
  }
  return null;
}

export class SafeStorageSecretStore implements SecretStore {
  readonly description = 'the operating system keychain (Electron safeStorage)';
  private readonly file: string;

  constructor(
    dataDir: string,
    private readonly safeStorage: SafeStorageLike,
    private readonly platform: NodeJS.Platform = process.platform,
  ) {
    this.file = join(dataDir, 'secrets.safestorage.json');
  }

  private usable(): void {
    const refusal = safeStorageRefusal(this.safeStorage, this.platform);
    if (refusal) throw new SecretStoreError(refusal);
  }

  get(key: string): string | null {
    const v = readJsonMap(this.file)[key];
    if (v === undefined) return null;
    this.usable();
    if (typeof v !== 'string') throw new SecretStoreError(`${this.file}: the entry for ${key} is not encrypted text; remove it and enter the key again`);
    try {
      return this.safeStorage.decryptString(Buffer.from(v, 'base64'));
    } catch (e) {
      throw new SecretStoreError(
        `${this.file}: the key for ${key} cannot be decrypted with this keychain (${(e as Error).message}); was it copied from another user or machine? Enter the key again.`,
      );
    }
  }

  set(key: string, value: string): void {
    this.usable();
    const all = readJsonMap(this.file);
    all[key] = this.safeStorage.encryptString(value).toString('base64');
    writeJsonMap(this.file, all);
  }

  /** Works without a keychain: removing ciphertext reveals nothing. */
  delete(key: string): void {
    const all = readJsonMap(this.file);
    if (!(key in all)) return;
    delete all[key];
    writeJsonMap(this.file, all);
  }
}
