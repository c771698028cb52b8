// The Electron shell: one window, the core in this process, inference in a utilityProcess. Everything
// else lives in src/core and is shared with the browser host and the CLI.
import { app, BrowserWindow, dialog, ipcMain, type IpcMainInvokeEvent } from 'electron';
import { fileURLToPath } from 'node:url';
import { createCore, type Core } from '../core/createCore';
import { resolveDataDir } from '../core/dataDir';
import { APP_ORIGIN, registerAppScheme, serveAppScheme } from './appProtocol';
import { SafeStorageSecretStore } from './safeStorageSecrets';
import { harden } from './security';
import { spawnUtilityWorker } from './utilityWorker';

const rendererDir = fileURLToPath(new URL('../renderer', import.meta.url));
const devUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;

function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    if (devUrl) return u.origin === new URL(devUrl).origin;
    // WHATWG URL gives custom schemes an opaque origin, so compare scheme and host.
    return `${u.protocol}//${u.host}` === APP_ORIGIN;
  } catch {
    return false;
  }
}

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  if (i >= 0) return process.argv[i + 1];
  return process.argv.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
}

registerAppScheme();
harden(isAppUrl);

let core: Core | null = null;
let win: BrowserWindow | null = null;

/** Only the app's own top-level page may call the core. */
function checkSender(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  return !!frame && frame.parent === null && event.sender === win?.webContents && isAppUrl(frame.url);
}

function createWindow(): void {
  win = new BrowserWindow({
    width: 1400,
    height: 900,
    minWidth: 900,
    minHeight: 600,
    title: 'Lamplight',
    backgroundColor: '#111418',
    show: false,
    webPreferences: {
      preload: fileURLToPath(new URL('../preload/index.cjs', import.meta.url)),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win?.show());
  if (devUrl) void win.loadURL(devUrl);
  else void win.loadURL(`${APP_ORIGIN}/index.html`);
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
      secrets: new SafeStorageSecretStore(dataDir),
    });
  } catch (e) {
    // E.g. a database from a newer Lamplight: say why instead of an app with no window.
    dialog.showErrorBox('Lamplight cannot start', (e as Error).message);
    app.exit(1);
    return;
  }
  const c = core;
  ipcMain.handle('lamplight:invoke', async (event, name: unknown, input: unknown) => {
    if (!checkSender(event)) return { ok: false, error: { code: 'UNAUTHORIZED', message: 'Calls are accepted only from the Lamplight window' } };
    return c.dispatch(name, input);
  });
  c.onAny((name, payload) => {
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
