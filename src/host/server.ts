// The browser host: serves the same renderer over HTTP and carries the same contract over a WebSocket,
// on 127.0.0.1 only, with a token required on every request and socket: the random per-launch token acts as
// the owner (admin) profile; each other profile has its own access token, issued by an admin.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Core } from '../core/createCore';
import { contentSecurityPolicy } from '../shared/csp';
import { openFileChannel, type FileLimitsInput } from './files';
import { applyLimits, cookieValue, DEFAULT_HTTP_LIMITS, guardRequest, guardUpgrade, hostErrorLogger, safeDecode, serverOptions, type HostErrorLogger, type HttpLimits } from './httpGuard';
import { DEFAULT_SOCKET_LIMITS, newHostStats, SocketGuard, type HostStats, type SocketLimits } from './wsGuard';

export interface HostOptions {
  core: Core;
  staticDir: string;
  port?: number;
  token?: string;
  /** Unexpected errors in a request or message handler (bugs): logged here, and the host keeps serving. Default: stderr. */
  onError?: HostErrorLogger;
  httpLimits?: Partial<HttpLimits>;
  socketLimits?: Partial<SocketLimits>;
  /** Upload size limits, idle timeout, staging TTL (defaults in files.ts). */
  files?: FileLimitsInput;
}

export interface Host {
  url: string;
  port: number;
  token: string;
  /** Live counters: refused, closed and failed requests and messages. */
  readonly stats: HostStats;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ttf': 'font/ttf',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

const COOKIE = 'lamplight_token';
const MAX_MESSAGE_BYTES = 16 << 20;

function csp(port: number): string {
  return contentSecurityPolicy([`ws://127.0.0.1:${port}`, `ws://localhost:${port}`]);
}

function sameToken(a: string | null | undefined, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieToken(req: IncomingMessage): string | null {
  return cookieValue(req.headers.cookie, COOKIE); // malformed %-encoding: no token (it used to throw URIError)
}

/** The request target as a URL, or null when it is malformed (any local process can send anything). */
function requestUrl(req: IncomingMessage): URL | null {
  try {
    return new URL(req.url ?? '/', 'http://127.0.0.1');
  } catch {
    return null;
  }
}

export async function startHost(opts: HostOptions): Promise<Host> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const { core, staticDir } = opts;
  const httpLimits = { ...DEFAULT_HTTP_LIMITS, ...opts.httpLimits };
  const stats = newHostStats();
  const log = opts.onError ?? hostErrorLogger();
  const report: HostErrorLogger = (e, where) => {
    stats.handlerErrors++;
    log(e, where);
  };
  const guard = new SocketGuard({ ...DEFAULT_SOCKET_LIMITS, ...opts.socketLimits }, stats, report);
  let port = 0;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);

  /** The profile a token acts as: the owner for the launch token, else the profile it was issued to. */
  function profileOf(t: string | null): string | null {
    if (!t) return null;
    if (sameToken(t, token)) return core.profiles.ownerId;
    return t.length <= 200 ? core.profiles.profileForToken(t) : null;
  }

  /** Rejects requests whose Host header is not ours (DNS rebinding) or that lack a valid token. */
  function authorize(req: IncomingMessage, url: URL): { ok: boolean; viaQuery: boolean; token: string | null } {
    if (!allowedHosts().has(req.headers.host ?? '')) return { ok: false, viaQuery: false, token: null };
    const q = url.searchParams.get('token');
    if (profileOf(q) !== null) return { ok: true, viaQuery: true, token: q };
    const c = cookieToken(req);
    return { ok: profileOf(c) !== null, viaQuery: false, token: c };
  }

  function serveFile(res: ServerResponse, file: string, extraHeaders: Record<string, string>): void {
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    res.writeHead(200, {
      'Content-Type': type,
      'Content-Security-Policy': csp(port),
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cache-Control': file.endsWith('.html') ? 'no-store' : 'private, max-age=3600',
      ...extraHeaders,
    });
    createReadStream(file)
      .on('error', (e) => {
        report(e, `reading ${file}`);
        res.destroy();
      })
      .pipe(res);
  }

  const files = await openFileChannel({ core, limits: opts.files, origins: () => [...allowedHosts()].map((h) => `http://${h}`) });
  function handleRequest(req: IncomingMessage, res: ServerResponse): void {
    const url = requestUrl(req);
    if (!url) {
      res.writeHead(400).end();
      return;
    }
    const auth = authorize(req, url);
    if (!auth.ok) {
      res.writeHead(401, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Lamplight: this address needs the launch token. Open the URL that `lamplight serve` printed.\n');
      return;
    }
    if (url.pathname.startsWith('/files/')) {
      files.handle(req, res, url, profileOf(auth.token) ?? '');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      // Any body is left unread: close, so it does not hold the connection.
      res.writeHead(405, { Allow: 'GET, HEAD', Connection: 'close' }).end();
      return;
    }
    const extra: Record<string, string> = auth.viaQuery
      ? { 'Set-Cookie': `${COOKIE}=${encodeURIComponent(auth.token ?? '')}; HttpOnly; SameSite=Strict; Path=/` }
      : {};
    const pathname = safeDecode(url.pathname);
    if (pathname === null) {
      res.writeHead(400).end();
      return;
    }
    const rel = normalize(pathname).replace(/^([/\\])+/, '');
    let file = join(staticDir, rel);
    if (!file.startsWith(staticDir + sep) && file !== staticDir) {
      res.writeHead(403).end();
      return;
    }
    if (!existsSync(file) || statSync(file).isDirectory()) {
      if (extname(rel) !== '') {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found\n');
        return;
      }
      file = join(staticDir, 'index.html'); // client-side routes
    }
    serveFile(res, file, extra);
  }
  const server = createServer(serverOptions(httpLimits), guardRequest(handleRequest, report));
  applyLimits(server, httpLimits, report);

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const sockets = new Set<WebSocket>();
  function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = requestUrl(req);
    const origin = req.headers.origin;
    const originOk = origin === undefined || [...allowedHosts()].some((h) => origin === `http://${h}`);
    const auth = url && url.pathname === '/ws' && originOk ? authorize(req, url) : null;
    if (!auth?.ok) {
      socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
      return;
    }
    if (guard.full(sockets.size)) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\n\r\n');
      return;
    }
    const socketToken = auth.token;
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      // Each socket hears only what its profile may see, decided per event (a role change applies at once).
      const profileAtOpen = profileOf(socketToken);
      const unsubscribe = profileAtOpen
        ? core.onEventFor(profileAtOpen, (event, payload) => {
            if (ws.readyState !== ws.OPEN) return;
            // A re-issued token or a removed profile ends the link for events too.
            if (profileOf(socketToken) !== profileAtOpen) ws.close(4001, 'access link no longer valid');
            else guard.send(ws, JSON.stringify({ event, payload }));
          })
        : () => undefined;
      ws.on('close', () => {
        sockets.delete(ws);
        unsubscribe();
      });
      guard.attach(ws, (name, input) => {
        // Resolved per message: a re-issued token or a removed profile stops working at once.
        const profileId = profileOf(socketToken);
        return profileId
          ? files.dispatch(name, input, { profileId })
          : Promise.resolve({ ok: false as const, error: { code: 'UNAUTHORIZED' as const, message: 'This access link is no longer valid; ask an admin for a new one.' } });
      });
    });
  }
  server.on('upgrade', guardUpgrade(handleUpgrade, report));
  guard.startHeartbeat(sockets);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    stats,
    async close() {
      guard.stop();
      await files.close();
      for (const ws of sockets) ws.terminate();
      wss.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
