// The Electron shell: one window, the core in this process, inference in a utilityProcess. Everything
// else lives in src/core and is shared with the browser host and the CLI; the security rules this file
// wires up are pure functions in ./policy (unit-tested without the Electron binary).
import { app, BrowserWindow, dialog, ipcMain, safeStorage, type IpcMainInvokeEvent } from 'electron';
import { fileURLToPath } from 'node:url';
import { createCore, type Core } from '../core/createCore';
import { resolveDataDir } from '../core/dataDir';
import { registerAppScheme, serveAppScheme } from './appProtocol';
import { checkIpcSender } from './policy/ipcSender';
import { APP_ENTRY_URL, appUrlCheck } from './policy/urls';
import { appWebPreferences, assertSecureWebPreferences } from './policy/webPreferences';
import { SafeStorageSecretStore } from './safeStorageSecrets';
import { harden } from './security';
import { spawnUtilityWorker } from './utilityWorker';

const rendererDir = fileURLToPath(new URL('../renderer', import.meta.url));
const devUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
const isAppUrl = appUrlCheck(devUrl);

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  if (i >= 0) return process.argv[i + 1];
  return process.argv.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
}

registerAppScheme();
harden(isAppUrl);

let core: Core | null = null;
let win: BrowserWindow | null = null;

function senderVerdict(event: IpcMainInvokeEvent) {
  const frame = event.senderFrame;
  return checkIpcSender(
    { frameUrl: frame?.url ?? null, isMainFrame: frame?.parent === null, fromAppWindow: !!win && event.sender === win.webContents },
    isAppUrl,
  );
}

function createWindow(): void {
  const webPreferences = appWebPreferences(fileURLToPath(new URL('../preload/index.cjs', import.meta.url)), { devTools: !app.isPackaged });
  assertSecureWebPreferences({ ...webPreferences });
  win = new BrowserWindow({
    width: 1400,
    height: 900,
    minWidth: 900,
    minHeight: 600,
    title: 'Lamplight',
    backgroundColor: '#111418',
    show: false,
    webPreferences,
  });
  win.once('ready-to-show', () => win?.show());
  void win.loadURL(devUrl ?? APP_ENTRY_URL);
  win.on('closed', () => (win = null));
}

app.whenReady().then(() => {
  if (!devUrl) serveAppScheme(rendererDir);
  const explicit = flag('--data-dir') ?? process.env.LAMPLIGHT_DATA_DIR;
  const dataDir = explicit ? resolveDataDir(explicit) : app.getPath('userData');
  try {
    core = createCore({
      dataDir,
      version: app.getVersion(),
      transport: 'electron',
      spawnWorker: spawnUtilityWorker,
      secrets: new SafeStorageSecretStore(dataDir, safeStorage),
    });
  } catch (e) {
    // E.g. a database from a newer Lamplight: say why instead of an app with no window.
    dialog.showErrorBox('Lamplight cannot start', (e as Error).message);
    app.exit(1);
    return;
  }
  const c = core;
  ipcMain.handle('lamplight:invoke', async (event, name: unknown, input: unknown) => {
    const verdict = senderVerdict(event);
    if (!verdict.ok) return { ok: false, error: { code: 'UNAUTHORIZED', message: `Refused: ${verdict.reason}` } };
    return c.dispatch(name, input);
  });
  // The window acts as the owner; events still pass the same per-profile filter as the browser host's.
  c.onEventFor(c.profiles.ownerId, (name, payload) => {
    if (win && !win.isDestroyed()) win.webContents.send(`lamplight:event:${name}`, payload);
  });
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

let closing = false;
app.on('before-quit', (event) => {
  if (!core || closing) return;
  closing = true;
  event.preventDefault();
  void core.close().finally(() => app.exit(0));
});
