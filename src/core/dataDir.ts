import { homedir, platform } from 'node:os';
import { join, resolve } from 'node:path';

export const APP_DIR_NAME = 'Lamplight';

/** The same folder Electron uses as userData for productName "Lamplight", so app, host and CLI share one DB. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  switch (platform()) {
    case 'darwin':
      return join(homedir(), 'Library', 'Application Support', APP_DIR_NAME);
    case 'win32':
      return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), APP_DIR_NAME);
    default:
      return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), APP_DIR_NAME);
  }
}

/** --data-dir wins, then LAMPLIGHT_DATA_DIR, then the platform default. */
export function resolveDataDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return resolve(flag);
  if (env.LAMPLIGHT_DATA_DIR) return resolve(env.LAMPLIGHT_DATA_DIR);
  return defaultDataDir(env);
}
