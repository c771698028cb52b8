// The renderer is served from lamplight://app/ rather than file://: a real origin, so Monaco's module
// workers load, CSP 'self' means the app's own files, and nothing else on disk is reachable.
import { net, protocol } from 'electron';
import { join, normalize, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CSP } from './security';

export const APP_SCHEME = 'lamplight';
export const APP_ORIGIN = `${APP_SCHEME}://app`;

/** Must run before app 'ready'. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

/** Serves files under rendererDir only; unknown paths fall back to index.html (client-side views). */
export function serveAppScheme(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== 'app') return new Response('Not found', { status: 404 });
    let rel: string;
    try {
      rel = normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, '');
    } catch {
      return new Response('Bad request', { status: 400 });
    }
    const file = join(rendererDir, rel || 'index.html');
    if (!file.startsWith(rendererDir + sep)) return new Response('Forbidden', { status: 403 });
    let res = await net.fetch(pathToFileURL(file).toString()).catch(() => null);
    if (!res || !res.ok) {
      if (/\.[a-z0-9]+$/i.test(rel)) return new Response('Not found', { status: 404 });
      res = await net.fetch(pathToFileURL(join(rendererDir, 'index.html')).toString());
    }
    const headers = new Headers(res.headers);
    headers.set('Content-Security-Policy', CSP);
    headers.set('X-Content-Type-Options', 'nosniff');
    return new Response(res.body, { status: res.status, headers });
  });
}
