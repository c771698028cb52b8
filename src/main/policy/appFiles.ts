// What lamplight://app/<path> answers: files under the renderer folder only, with their MIME type, the CSP
// and nosniff on every response. Pure of electron (appProtocol.ts turns the answer into a Response), so
// traversal, symlink escapes and hostile encodings are unit-tested on real files.
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { contentSecurityPolicy } from '../../shared/csp';
import { APP_HOST, APP_SCHEME } from './urls';

export const CSP = contentSecurityPolicy();

/** Registered before app 'ready': a standard, secure origin. No bypassCSP, no service workers. */
export const APP_SCHEME_PRIVILEGES = { standard: true, secure: true, supportFetchAPI: true } as const;

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

/** Unknown types are served as opaque bytes; with nosniff the browser will not run them as script. */
export function mimeType(file: string): string {
  return MIME[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

export interface AppResponse {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array | string;
}

function securityHeaders(contentType: string): Record<string, string> {
  return {
    'Content-Type': contentType,
    'Content-Security-Policy': CSP,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-cache',
  };
}

function refuse(status: number, message: string): AppResponse {
  return { status, headers: securityHeaders('text/plain; charset=utf-8'), body: message };
}

export type AppPath = { ok: true; rel: string } | { ok: false; status: number; message: string };

/**
 * The file a URL names, relative to the renderer folder, decided from the URL alone. Decoding happens once,
 * before the checks, so %2e%2e%2f and ..%5c are seen as what they are; '..' anywhere is refused rather than
 * resolved, and so are backslashes and NUL, which no file the build writes contains.
 */
export function appPathOf(requestUrl: string): AppPath {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return { ok: false, status: 400, message: 'Bad request: not a URL' };
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST || url.username || url.password) {
    return { ok: false, status: 404, message: `Not found: only ${APP_SCHEME}://${APP_HOST}/ is served` };
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(url.pathname);
  } catch {
    return { ok: false, status: 400, message: 'Bad request: malformed percent-encoding in the path' };
  }
  if (decoded.includes('\0') || decoded.includes('\\')) {
    return { ok: false, status: 400, message: 'Bad request: NUL or backslash in the path' };
  }
  const segments = decoded.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) return { ok: false, status: 403, message: 'Forbidden: the path leaves the app folder' };
  return { ok: true, rel: segments.join('/') || 'index.html' };
}

function inside(root: string, file: string): boolean {
  return file === root || file.startsWith(root.endsWith(sep) ? root : root + sep);
}

async function fileUnder(root: string, rel: string): Promise<string | 'escape' | null> {
  const file = resolve(root, rel);
  if (!inside(root, file)) return 'escape';
  try {
    const real = await realpath(file);
    // A symlink inside the folder must not lead out of it.
    if (!inside(root, real)) return 'escape';
    return (await stat(real)).isFile() ? real : null;
  } catch {
    return null;
  }
}

/**
 * Answers one request. Paths without an extension that name no file get index.html (client-side views);
 * a missing file with an extension is a 404, so a broken asset is not silently answered with HTML.
 */
export async function serveAppFile(request: { url: string; method: string }, rendererDir: string): Promise<AppResponse> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(405, `Method not allowed: ${request.method}`);
  const path = appPathOf(request.url);
  if (!path.ok) return refuse(path.status, path.message);
  let root: string;
  try {
    root = await realpath(rendererDir);
  } catch {
    return refuse(500, `The app's files are missing (${rendererDir}); rebuild with npm run build`);
  }
  let file = await fileUnder(root, path.rel);
  if (file === 'escape') return refuse(403, 'Forbidden: the path leaves the app folder');
  if (file === null) {
    if (extname(path.rel)) return refuse(404, `Not found: /${path.rel}`);
    file = await fileUnder(root, 'index.html');
    if (typeof file !== 'string') return refuse(500, `The app's index.html is missing from ${rendererDir}; rebuild with npm run build`);
  }
  const body = request.method === 'HEAD' ? '' : await readFile(file);
  return { status: 200, headers: securityHeaders(mimeType(file)), body };
}
