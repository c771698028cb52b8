// Where API keys and credential headers live: never in SQLite, never in logs or events. The browser host
// and CLI use a file only the user can read (0600); the Electron shell plugs in its safeStorage store.
import { chmodSync, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreError } from '../coreError';

export interface SecretStore {
  /** Shown to the user: where their keys are kept. */
  readonly description: string;
  get(key: string): string | null;
  set(key: string, value: string): void;
  delete(key: string): void;
}

/** The key store cannot be read or written as it is; crosses transports as CONFLICT. */
export class SecretStoreError extends CoreError {
  constructor(message: string) {
    super('CONFLICT', message);
    this.name = 'SecretStoreError';
  }
}

/** A small string map kept as JSON in a file only the owner can read or write; replaced atomically. */
export function readJsonMap(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) {
    // Someone loosened it: tighten before reading, so keys are never left readable by others.
    chmodSync(file, 0o600);
  }
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  } catch {
    throw new SecretStoreError(`${file} is not valid JSON; fix or remove it (stored keys are in it)`);
  }
}

export function writeJsonMap(file: string, all: Record<string, string>): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(all, null, 2), { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

/** A JSON file readable and writable by the owner only; written atomically. */
export class FileSecretStore implements SecretStore {
  readonly description: string;
  private readonly file: string;

  constructor(dataDir: string) {
    this.file = join(dataDir, 'secrets.json');
    this.description = `${this.file} (readable only by you)`;
  }

  private read(): Record<string, string> {
    return readJsonMap(this.file);
  }

  private write(all: Record<string, string>): void {
    writeJsonMap(this.file, all);
  }

  get(key: string): string | null {
    return this.read()[key] ?? null;
  }

  set(key: string, value: string): void {
    const all = this.read();
    all[key] = value;
    this.write(all);
  }

  delete(key: string): void {
    const all = this.read();
    if (!(key in all)) return;
    delete all[key];
    this.write(all);
  }
}
