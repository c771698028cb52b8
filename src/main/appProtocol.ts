// Electron binding for lamplight://app/: the renderer is served from a real origin rather than file://, so
// Monaco's module workers load, CSP 'self' means the app's own files, and nothing else on disk is
// reachable. What each URL answers is decided in policy/appFiles.ts.
import { protocol } from 'electron';
import { APP_SCHEME_PRIVILEGES, serveAppFile } from './policy/appFiles';
import { APP_SCHEME } from './policy/urls';

/** Must run before app 'ready'. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { ...APP_SCHEME_PRIVILEGES } }]);
}

export function serveAppScheme(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const r = await serveAppFile({ url: request.url, method: request.method }, rendererDir);
    return new Response(request.method === 'HEAD' ? null : r.body, { status: r.status, headers: r.headers });
  });
}
