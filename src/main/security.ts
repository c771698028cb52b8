// Electron binding for the rules in policy/: every webContents gets the navigation, new-window and webview
// guards, and the default session the permission handlers and the CSP header. Decisions live in policy/.
import { app, session, shell } from 'electron';
import { CSP } from './policy/appFiles';
import { permissionDecision } from './policy/permissions';
import { navigationDecision, windowOpenDecision, type AppUrlCheck } from './policy/urls';
import { webviewAttachDecision } from './policy/webPreferences';

function openExternally(url: string | null): void {
  if (url) void shell.openExternal(url);
}

export function harden(isAppUrl: AppUrlCheck): void {
  app.on('web-contents-created', (_e, contents) => {
    const guard = (event: { preventDefault(): void }, url: string) => {
      const d = navigationDecision(url, isAppUrl);
      if (d.allow) return;
      event.preventDefault();
      openExternally(d.openExternal);
    };
    contents.on('will-navigate', guard);
    contents.on('will-redirect', guard);
    contents.on('will-attach-webview', (event, webPreferences, params) => {
      event.preventDefault();
      console.warn(webviewAttachDecision({ ...webPreferences }, { ...params }).reason);
    });
    contents.setWindowOpenHandler(({ url }) => {
      const d = windowOpenDecision(url);
      openExternally(d.openExternal);
      return { action: d.action };
    });
  });
  void app.whenReady().then(() => {
    const s = session.defaultSession;
    s.setPermissionRequestHandler((_wc, permission, callback, details) =>
      callback(permissionDecision({ permission, requestingUrl: details.requestingUrl, isMainFrame: details.isMainFrame }, isAppUrl)),
    );
    s.setPermissionCheckHandler((_wc, permission, requestingOrigin, details) =>
      permissionDecision({ permission, requestingUrl: details.requestingUrl ?? requestingOrigin, isMainFrame: details.isMainFrame }, isAppUrl),
    );
    s.setDevicePermissionHandler(() => false);
    s.webRequest.onHeadersReceived((details, callback) => {
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
    });
  });
}
