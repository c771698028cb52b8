// Which URLs are the app's own page, and what happens to every other URL a page tries to reach. Pure (no
// electron import) so the rules are unit-tested without the Electron binary; security.ts applies them.

export const APP_SCHEME = 'lamplight';
export const APP_HOST = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
const MAX_EXTERNAL_URL = 2048;

export type AppUrlCheck = (url: string) => boolean;

function parse(url: unknown): URL | null {
  if (typeof url !== 'string') return null;
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/**
 * The test every guard uses for "is this the app's own page". With devUrl (electron-vite's dev server,
 * only when unpackaged) that server's origin; otherwise lamplight://app. A dev URL that is not http(s) on
 * loopback is refused: a file: or data: one has the opaque origin "null", which every data:/javascript:
 * URL shares, so comparing origins would let them all in.
 */
export function appUrlCheck(devUrl?: string): AppUrlCheck {
  if (devUrl) {
    const dev = parse(devUrl);
    if (!dev) throw new Error(`ELECTRON_RENDERER_URL is not a URL: ${JSON.stringify(devUrl)}`);
    if ((dev.protocol !== 'http:' && dev.protocol !== 'https:') || !LOOPBACK_HOSTS.has(dev.hostname)) {
      throw new Error(`ELECTRON_RENDERER_URL must be an http(s) URL on this machine (127.0.0.1, localhost or [::1]), not ${devUrl}`);
    }
    const origin = dev.origin;
    return (url) => {
      const u = parse(url);
      return !!u && u.origin === origin && !u.username && !u.password;
    };
  }
  // WHATWG URL gives custom schemes an opaque origin, so compare scheme and host (port and userinfo must be absent).
  return (url) => {
    const u = parse(url);
    return !!u && u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && !u.username && !u.password;
  };
}

/**
 * A URL the system browser may open for the user: https with a host and no credentials, else null.
 * shell.openExternal hands a URL to whatever the OS registered for its scheme, so file:, smb:, custom
 * app schemes and javascript: never go there.
 */
export function externalUrlToOpen(url: unknown): string | null {
  if (typeof url !== 'string' || url.length > MAX_EXTERNAL_URL) return null;
  const u = parse(url);
  if (!u || u.protocol !== 'https:' || !u.hostname || u.username || u.password) return null;
  return u.href;
}

export type NavigationDecision = { allow: true } | { allow: false; openExternal: string | null };

/** will-navigate / will-redirect: stay on the app's page; an https link goes to the system browser. */
export function navigationDecision(url: string, isAppUrl: AppUrlCheck): NavigationDecision {
  if (isAppUrl(url)) return { allow: true };
  return { allow: false, openExternal: externalUrlToOpen(url) };
}

/** window.open / target=_blank: Lamplight has one window, so never a new one; https goes to the browser. */
export function windowOpenDecision(url: string): { action: 'deny'; openExternal: string | null } {
  return { action: 'deny', openExternal: externalUrlToOpen(url) };
}
