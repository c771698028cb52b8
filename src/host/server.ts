// The browser host: serves the same renderer over HTTP(S) and carries the same contract over a WebSocket,
// with a token required on every request and socket: the launch token acts as the owner (admin) profile;
// each other profile has its own access link, issued by an admin. Plain HTTP is loopback only; a team server
// on the network needs TLS (tls.ts), answers only to its public names, and limits failed tokens per address.
import { randomBytes, X509Certificate } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Core } from '../core/createCore';
import { contentSecurityPolicy } from '../shared/csp';
import { openFileChannel, type FileLimitsInput } from './files';
import { applyLimits, cookieValue, DEFAULT_HTTP_LIMITS, guardRequest, guardUpgrade, hostErrorLogger, safeDecode, serverOptions, type HostErrorLogger, type HttpLimits } from './httpGuard';
import { DEFAULT_TOKEN_FAILURE_LIMITS, FailedTokenLimiter, publicNames, type TokenFailureLimits } from './access';
import { isLoopback, type TlsFiles } from '../core/tls/tls';
import { DEFAULT_SOCKET_LIMITS, newHostStats, SocketGuard, type HostStats, type SocketLimits } from './wsGuard';

export interface HostOptions {
  core: Core;
  staticDir: string;
  port?: number;
  /** Address to listen on (default 127.0.0.1); any other than loopback needs `tls`. */
  listen?: string;
  /** Certificate and key (PEM): the host serves HTTPS and WSS, and its cookie is Secure. */
  tls?: TlsFiles;
  /** Origins users reach the host at (https://name:port), accepted by the Host and Origin checks. */
  publicUrls?: readonly string[];
  token?: string;
  /** Keeps a rotated launch token (profiles.rotateLaunchToken) for the next start. */
  persistToken?: (token: string) => void;
  tokenFailures?: Partial<TokenFailureLimits>;
  /** How often open sockets are checked for an expired link (default 15 s). */
  expirySweepMs?: number;
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
  /** SHA-256 fingerprint of the certificate served (null without TLS). */
  fingerprint: string | null;
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

/** How often open sockets are checked for an expired link (revocation closes them at once). */
const EXPIRY_SWEEP_MS = 15_000;
/** A network-facing server ends a request still unfinished after this (uploads included). */
const NETWORK_REQUEST_TIMEOUT_MS = 30 * 60_000;

export class HostStartError extends Error {}

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
  const listenHost = opts.listen ?? '127.0.0.1';
  const secure = opts.tls !== undefined;
  if (!secure && !isLoopback(listenHost)) {
    throw new HostStartError(`Refusing to serve plain HTTP on ${listenHost}: access tokens would cross the network unencrypted. Use --tls self-signed, or --tls-cert FILE --tls-key FILE, or listen on 127.0.0.1.`);
  }
  if (!isLoopback(listenHost) && (listenHost === '0.0.0.0' || listenHost === '::') && !opts.publicUrls?.length) {
    throw new HostStartError(`Listening on all addresses (${listenHost}) needs --public-url https://NAME:PORT: the name users type, which the Host and Origin checks accept.`);
  }
  const httpLimits = { ...DEFAULT_HTTP_LIMITS, ...(isLoopback(listenHost) ? {} : { requestTimeoutMs: NETWORK_REQUEST_TIMEOUT_MS }), ...opts.httpLimits };
  core.profiles.setLaunchToken(token, opts.persistToken);
  const limiter = new FailedTokenLimiter({ ...DEFAULT_TOKEN_FAILURE_LIMITS, ...opts.tokenFailures });
  const stats = newHostStats();
  const log = opts.onError ?? hostErrorLogger();
  const report: HostErrorLogger = (e, where) => {
    stats.handlerErrors++;
    log(e, where);
  };
  const guard = new SocketGuard({ ...DEFAULT_SOCKET_LIMITS, ...opts.socketLimits }, stats, report);
  let port = 0;
  let names = publicNames(0, secure, listenHost, opts.publicUrls ?? []);
  const scheme = secure ? 'https' : 'http';
  const csp = () => contentSecurityPolicy([...names.hosts].map((h) => `${secure ? 'wss' : 'ws'}://${h}`));

  /** The profile a token acts as: the owner for the launch token, else the profile its (unexpired) link names. */
  function profileOf(t: string | null): string | null {
    if (!t || t.length > 200) return null;
    return core.profiles.profileForToken(t);
  }

  type Auth = { ok: true; viaQuery: boolean; token: string; profileId: string } | { ok: false; status: 401 | 429; retryAfterS?: number };
  /**
   * Rejects requests whose Host header is not ours (DNS rebinding) or that lack a valid token. A token that
   * does not work counts against the address; too many in a minute and the address gets 429 for a while.
   */
  function authorize(req: IncomingMessage, url: URL): Auth {
    if (!names.hosts.has(req.headers.host ?? '')) return { ok: false, status: 401 };
    const from = req.socket.remoteAddress ?? 'unknown';
    const now = Date.now();
    const wait = limiter.blockedFor(from, now);
    if (wait > 0) return { ok: false, status: 429, retryAfterS: Math.ceil(wait / 1000) };
    const q = url.searchParams.get('token');
    const c = cookieToken(req);
    for (const [t, viaQuery] of [[q, true], [c, false]] as const) {
      const profileId = profileOf(t);
      if (t && profileId) {
        core.profiles.noteSignIn(profileId, from);
        return { ok: true, viaQuery, token: t, profileId };
      }
    }
    if (q || c) {
      const blockedNow = limiter.fail(from, now);
      core.profiles.auditRefusedToken(from, blockedNow ? 'too many invalid access tokens; address blocked for a while' : 'invalid, expired or revoked access token');
    }
    return { ok: false, status: 401 };
  }

  function refuse(res: ServerResponse, auth: Auth & { ok: false }): void {
    if (auth.status === 429) {
      res.writeHead(429, { 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': String(auth.retryAfterS ?? 60) });
      res.end('Lamplight: too many invalid access tokens from this address; try again later.\n');
      return;
    }
    res.writeHead(401, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('Lamplight: this address needs a valid access link. Open the URL that `lamplight serve` printed, or ask an admin for a new link.\n');
  }

  function serveFile(res: ServerResponse, file: string, extraHeaders: Record<string, string>): void {
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    res.writeHead(200, {
      'Content-Type': type,
      'Content-Security-Policy': csp(),
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

  const files = await openFileChannel({ core, limits: opts.files, origins: () => [...names.origins] });
  function handleRequest(req: IncomingMessage, res: ServerResponse): void {
    const url = requestUrl(req);
    if (!url) {
      res.writeHead(400).end();
      return;
    }
    const auth = authorize(req, url);
    if (!auth.ok) return refuse(res, auth);
    if (url.pathname.startsWith('/files/')) {
      files.handle(req, res, url, auth.profileId);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      // Any body is left unread: close, so it does not hold the connection.
      res.writeHead(405, { Allow: 'GET, HEAD', Connection: 'close' }).end();
      return;
    }
    const extra: Record<string, string> = auth.viaQuery
      ? { 'Set-Cookie': `${COOKIE}=${encodeURIComponent(auth.token)}; HttpOnly; SameSite=Strict; Path=/${secure ? '; Secure' : ''}` }
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
  const onRequest = guardRequest(handleRequest, report);
  const server: Server = opts.tls
    ? createTlsServer({ ...serverOptions(httpLimits), cert: opts.tls.cert, key: opts.tls.key, minVersion: 'TLSv1.2' }, onRequest)
    : createServer(serverOptions(httpLimits), onRequest);
  applyLimits(server, httpLimits, report);

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const sockets = new Set<WebSocket>();
  /** The token and profile each socket opened with: a revoked, re-issued or expired link closes it. */
  const socketAuth = new Map<WebSocket, { token: string; profileId: string }>();
  const recheckSockets = () => {
    for (const [ws, a] of socketAuth) if (profileOf(a.token) !== a.profileId) guard.closeAfterReplies(ws, 4001, 'access link no longer valid');
  };
  // Closed after the socket's running commands reply: an owner rotating the launch token still receives the new one.
  const stopAccessWatch = core.profiles.onAccessChange(recheckSockets);
  const sweep = setInterval(recheckSockets, opts.expirySweepMs ?? EXPIRY_SWEEP_MS);
  sweep.unref();
  function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = requestUrl(req);
    const origin = req.headers.origin;
    const originOk = origin === undefined || names.origins.has(origin);
    const auth = url && url.pathname === '/ws' && originOk ? authorize(req, url) : null;
    if (!auth?.ok) {
      socket.end(auth?.status === 429 ? `HTTP/1.1 429 Too Many Requests\r\nRetry-After: ${auth.retryAfterS ?? 60}\r\n\r\n` : 'HTTP/1.1 401 Unauthorized\r\n\r\n');
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
      const profileAtOpen = auth.profileId;
      socketAuth.set(ws, { token: socketToken, profileId: profileAtOpen });
      const unsubscribe = profileAtOpen
        ? core.onEventFor(profileAtOpen, (event, payload) => {
            if (ws.readyState !== ws.OPEN) return;
            // A re-issued token or a removed profile ends the link for events too.
            if (profileOf(socketToken) !== profileAtOpen) guard.closeAfterReplies(ws, 4001, 'access link no longer valid');
            else guard.send(ws, JSON.stringify({ event, payload }));
          })
        : () => undefined;
      ws.on('close', () => {
        sockets.delete(ws);
        socketAuth.delete(ws);
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
    server.listen(opts.port ?? 0, listenHost, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  names = publicNames(port, secure, listenHost, opts.publicUrls ?? []);
  const base = opts.publicUrls?.[0] ?? `${scheme}://127.0.0.1:${port}`;

  return {
    url: `${base}/?token=${token}`,
    port,
    token,
    fingerprint: opts.tls ? new X509Certificate(opts.tls.cert).fingerprint256 : null,
    stats,
    async close() {
      guard.stop();
      clearInterval(sweep);
      stopAccessWatch();
      await files.close();
      for (const ws of sockets) ws.terminate();
      wss.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
