// The browser host: serves the same renderer over HTTP and carries the same contract over a WebSocket,
// on 127.0.0.1 only, with a token required on every request and socket: the random per-launch token acts as
// the owner (admin) profile; each other profile has its own access token, issued by an admin.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Core } from '../core/createCore';
import { contentSecurityPolicy } from '../shared/csp';
import { openFileChannel, type FileLimitsInput } from './files';

export interface HostOptions {
  core: Core;
  staticDir: string;
  port?: number;
  token?: string;
  /** Upload size limits, idle timeout, staging TTL (defaults in files.ts). */
  files?: FileLimitsInput;
}

export interface Host {
  url: string;
  port: number;
  token: string;
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
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === COOKIE) return decodeURIComponent(v.join('='));
  }
  return null;
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
  let port = 0;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);

  /** The profile a token acts as: the owner for the launch token, else the profile it was issued to. */
  function profileOf(t: string | null): string | null {
    if (!t) return null;
    if (sameToken(t, token)) return core.guard.ownerId;
    return t.length <= 200 ? core.guard.profileForToken(t) : null;
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
    createReadStream(file).pipe(res);
  }

  const files = await openFileChannel({ core, limits: opts.files, origins: () => [...allowedHosts()].map((h) => `http://${h}`) });
  const server = createServer((req, res) => {
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
      res.writeHead(405).end();
      return;
    }
    const extra: Record<string, string> = auth.viaQuery
      ? { 'Set-Cookie': `${COOKIE}=${encodeURIComponent(auth.token ?? '')}; HttpOnly; SameSite=Strict; Path=/` }
      : {};
    let pathname: string;
    try {
      pathname = decodeURIComponent(url.pathname);
    } catch {
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
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const sockets = new Set<WebSocket>();
  server.on('upgrade', (req, socket, head) => {
    const url = requestUrl(req);
    const origin = req.headers.origin;
    const originOk = origin === undefined || [...allowedHosts()].some((h) => origin === `http://${h}`);
    const auth = url && url.pathname === '/ws' && originOk ? authorize(req, url) : null;
    if (!auth?.ok) {
      socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
      return;
    }
    const socketToken = auth.token;
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('message', (data) => {
        let msg: { id?: unknown; name?: unknown; input?: unknown };
        try {
          msg = (JSON.parse(String(data)) ?? {}) as typeof msg; // `null` parses too
        } catch {
          ws.send(JSON.stringify({ id: null, ok: false, error: { code: 'BAD_INPUT', message: 'Message is not JSON' } }));
          return;
        }
        // Resolved per message: a re-issued token or a removed profile stops working at once.
        const profileId = profileOf(socketToken);
        const reply = profileId
          ? files.dispatch(msg.name, msg.input, { profileId })
          : Promise.resolve({ ok: false as const, error: { code: 'UNAUTHORIZED' as const, message: 'This access link is no longer valid; ask an admin for a new one.' } });
        void reply.then((result) => {
          if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id: msg.id, ...result }));
        });
      });
    });
  });

  const unsubscribe = core.onAny((event, payload) => {
    const frame = JSON.stringify({ event, payload });
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(frame);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    async close() {
      unsubscribe();
      await files.close();
      for (const ws of sockets) ws.terminate();
      wss.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
