// Where API keys and header values really go, said per host: the Electron app encrypts them with the OS
// keychain (safeStorage), the browser host writes them to an owner-only secrets.json. Pure.
import type { AppInfo } from '../../../shared/app.schema';

export interface SecretStorageWords {
  /** For the empty-state paragraph: "…are stored <where> and never shown again." */
  where: string;
  /** For the API key field's hint. */
  keyHint: string;
}

export function secretStorageWords(info: Pick<AppInfo, 'transport' | 'dataDir'> | null): SecretStorageWords {
  if (!info) return { where: 'outside the database (never in SQLite, logs or events)', keyHint: 'Sent as Authorization: Bearer; stored outside the database, never shown again.' };
  if (info.transport === 'browser-host') {
    const file = `${info.dataDir.replace(/[\\/]+$/, '')}/secrets.json`;
    return {
      where: `on the server in ${file}, a file only the account running Lamplight can read (not the OS keychain)`,
      keyHint: `Sent as Authorization: Bearer; stored in ${file} (readable only by the account running Lamplight), never shown again.`,
    };
  }
  return {
    where: 'encrypted with the OS keychain (Electron safeStorage); where no keychain is available, keys are refused rather than stored in plain text',
    keyHint: 'Sent as Authorization: Bearer; encrypted with the OS keychain (safeStorage), never shown again.',
  };
}
