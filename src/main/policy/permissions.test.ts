import { describe, expect, it } from 'vitest';
import { permissionDecision } from './permissions';
import { appUrlCheck } from './urls';

const isApp = appUrlCheck();
const app = 'lamplight://app/index.html';

describe('permissionDecision', () => {
  it("grants clipboard writes to the app's own top-level page (the Copy buttons)", () => {
    // Regression: a deny-everything handler made navigator.clipboard.writeText reject in the Electron app.
    expect(permissionDecision({ permission: 'clipboard-sanitized-write', requestingUrl: app, isMainFrame: true }, isApp)).toBe(true);
    // The check handler passes the origin, not a full URL.
    expect(permissionDecision({ permission: 'clipboard-sanitized-write', requestingUrl: 'lamplight://app', isMainFrame: true }, isApp)).toBe(true);
  });

  it.each(['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen', 'hid', 'serial', 'usb', 'fileSystem', 'unknown'])(
    'refuses %s even to the app page',
    (permission) => {
      expect(permissionDecision({ permission, requestingUrl: app, isMainFrame: true }, isApp)).toBe(false);
    },
  );

  it('refuses clipboard writes to any other page or frame', () => {
    const ask = (requestingUrl: string | undefined, isMainFrame: boolean | undefined) =>
      permissionDecision({ permission: 'clipboard-sanitized-write', requestingUrl, isMainFrame }, isApp);
    expect(ask('https://evil.example/', true)).toBe(false);
    expect(ask('file:///tmp/x.html', true)).toBe(false);
    expect(ask('data:text/html,x', true)).toBe(false);
    expect(ask(app, false)).toBe(false);
    expect(ask(app, undefined)).toBe(false);
    expect(ask(undefined, true)).toBe(false);
  });
});
