// API keys in the Electron app: encrypted with the OS keychain (safeStorage) before they touch disk.
// On Linux without a keyring safeStorage falls back to 'basic_text' (a hard-coded password): refuse then.
import { safeStorage } from 'electron';
import { join } from 'node:path';
import { readJsonMap, SecretStoreError, writeJsonMap, type SecretStore } from '../core/secrets/secretStore';

export class SafeStorageSecretStore implements SecretStore {
  readonly description = 'the operating system keychain (Electron safeStorage)';
  private readonly file: string;

  constructor(dataDir: string) {
    this.file = join(dataDir, 'secrets.safestorage.json');
  }

  private usable(): void {
    if (!safeStorage.isEncryptionAvailable()) {
      throw new SecretStoreError('No OS keychain is available to encrypt API keys, so Lamplight will not store them.');
    }
    if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') {
      throw new SecretStoreError(
        'No keyring (GNOME Keyring, KWallet) is running, so Electron would encrypt API keys with a fixed, public password. Lamplight refuses to store keys that way: start a keyring, or use the browser host, which keeps keys in a file only you can read.',
      );
    }
  }

  private read(): Record<string, string> {
    return readJsonMap(this.file);
  }

  private write(all: Record<string, string>): void {
    writeJsonMap(this.file, all);
  }

  get(key: string): string | null {
    const v = this.read()[key];
    if (v === undefined) return null;
    this.usable();
    return safeStorage.decryptString(Buffer.from(v, 'base64'));
  }

  set(key: string, value: string): void {
    this.usable();
    const all = this.read();
    all[key] = safeStorage.encryptString(value).toString('base64');
    this.write(all);
  }

  delete(key: string): void {
    const all = this.read();
    if (!(key in all)) return;
    delete all[key];
    this.write(all);
  }
}
