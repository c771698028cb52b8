// The browser host end to end: a real core, a real HTTP server on 127.0.0.1 and real WebSocket clients.
// Requests go through node:http so the Host header and the raw path are exactly what the test says.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Core } from '../core/createCore';
import { ensureFixtureModels } from '../core/fixtures/ensureFixtures';
import { openTestCore, tempDir } from '../core/testing/testCore';
import { startHost, type Host } from './server';

const INDEX_HTML = '<!doctype html><title>Lamplight test</title><script src="/assets/app.js"></script>\n';
const APP_JS = 'console.log("lamplight test asset");\n';

function makeStaticDir(): string {
  const dir = tempDir('lamplight-static-');
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), INDEX_HTML);
  writeFileSync(join(dir, 'assets', 'app.js'), APP_JS);
  return dir;
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { Host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.setTimeout(5_000, () => req.destroy(new Error(`GET ${path} timed out`)));
    req.end();
  });
}

/** Writes raw bytes to the port and returns the status line of the answer ('' when the socket closed silently). */
function raw(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => s.write(text));
    let buf = '';
    s.setEncoding('utf8');
    s.on('data', (d: string) => (buf += d));
    const done = () => resolve(buf.split('\r\n')[0] ?? '');
    s.on('close', done);
    s.on('error', done);
    s.setTimeout(2_000, () => s.destroy());
  });
}

interface Frame {
  id?: unknown;
  ok?: boolean;
  value?: unknown;
  error?: { code: string; message: string };
  event?: string;
  payload?: unknown;
}

/** Opens a socket; rejects with the HTTP status when the upgrade is refused. */
function openSocket(url: string, options: WebSocket.ClientOptions = {}): Promise<{ ws: WebSocket; frames: Frame[] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { handshakeTimeout: 5_000, ...options });
    const frames: Frame[] = [];
    ws.on('message', (data) => frames.push(JSON.parse(String(data)) as Frame));
    ws.once('open', () => resolve({ ws, frames }));
    ws.once('unexpected-response', (_req, res) => {
      ws.terminate();
      reject(new Error(`upgrade refused: ${res.statusCode}`));
    });
    ws.once('error', reject);
  });
}

async function waitFor<T>(what: string, find: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = find();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

let nextId = 1;
async function call(sock: { ws: WebSocket; frames: Frame[] }, name: unknown, input: unknown): Promise<Frame> {
  const id = nextId++;
  sock.ws.send(JSON.stringify({ id, name, input }));
  return waitFor(`reply ${id} to ${String(name)}`, () => sock.frames.find((f) => f.id === id));
}

let core: Core;
let host: Host;
let staticDir: string;
const sockets: WebSocket[] = [];

beforeAll(async () => {
  staticDir = makeStaticDir();
  core = openTestCore();
  host = await startHost({ core, staticDir, port: 0 });
});
afterAll(async () => {
  for (const ws of sockets) ws.terminate();
  await host?.close();
  await core?.close();
});

describe('HTTP', () => {
  it('listens on 127.0.0.1 and prints a URL that carries the token', () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/?token=${host.token}`);
    expect(host.token.length).toBeGreaterThanOrEqual(24);
  });

  it('needs the token; with it, serves index.html with a CSP and sets an HttpOnly, SameSite=Strict cookie', async () => {
    const bare = await get(host.port, '/');
    expect(bare.status).toBe(401);
    expect(bare.body).not.toContain('Lamplight test');
    expect(bare.headers['set-cookie']).toBeUndefined();

    const ok = await get(host.port, `/?token=${host.token}`);
    expect(ok.status).toBe(200);
    expect(ok.body).toBe(INDEX_HTML);
    expect(ok.headers['content-type']).toMatch(/^text\/html/);
    const csp = ok.headers['content-security-policy'] as string;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`ws://127.0.0.1:${host.port}`);
    expect(ok.headers['x-content-type-options']).toBe('nosniff');
    const cookie = ok.headers['set-cookie']?.[0] ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie.startsWith(`lamplight_token=${encodeURIComponent(host.token)};`)).toBe(true);

    // A follow-up request carries only the cookie, as the browser would.
    const pair = cookie.split(';')[0] as string;
    const js = await get(host.port, '/assets/app.js', { Cookie: pair });
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toMatch(/^text\/javascript/);
    expect(js.body).toBe(APP_JS);
    expect(js.headers['set-cookie']).toBeUndefined();
  });

  it('refuses a wrong token, a wrong cookie, and a foreign Host even with the right token', async () => {
    expect((await get(host.port, '/?token=nope')).status).toBe(401);
    expect((await get(host.port, `/?token=${host.token}x`)).status).toBe(401);
    expect((await get(host.port, '/assets/app.js', { Cookie: 'lamplight_token=nope' })).status).toBe(401);
    // DNS rebinding: a page on evil.example resolved to 127.0.0.1 sends its own name as Host.
    const rebound = await get(host.port, `/?token=${host.token}`, { Host: `evil.example:${host.port}` });
    expect(rebound.status).toBe(401);
    expect(rebound.headers['set-cookie']).toBeUndefined();
    expect((await get(host.port, `/?token=${host.token}`, { Host: `127.0.0.1:${host.port + 1}` })).status).toBe(401);
    // localhost is one of our own names.
    expect((await get(host.port, `/?token=${host.token}`, { Host: `localhost:${host.port}` })).status).toBe(200);
  });

  it('never serves a file outside staticDir', async () => {
    const q = `?token=${host.token}`;
    for (const path of ['/..%2f..%2f..%2f..%2fetc%2fpasswd', '/..%2f..%2fetc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/../../etc/passwd', '/assets/..%2f..%2f..%2fetc%2fhosts']) {
      const r = await get(host.port, path + q);
      expect(r.body, path).not.toMatch(/root:|localhost/);
      // Either refused, or the client-side-route fallback to index.html.
      if (r.status === 200) expect(r.body, path).toBe(INDEX_HTML);
      else expect([400, 403, 404], path).toContain(r.status);
    }
  });

  it('answers 404 for a missing asset, index.html for an extensionless route, 405 for other methods', async () => {
    const missing = await get(host.port, `/assets/nope.js?token=${host.token}`);
    expect(missing.status).toBe(404);
    const route = await get(host.port, `/runs/01ABC?token=${host.token}`);
    expect(route.status).toBe(200);
    expect(route.body).toBe(INDEX_HTML);
    const post = await new Promise<number>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: host.port, method: 'POST', path: `/?token=${host.token}`, headers: { Host: `127.0.0.1:${host.port}` } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end('x');
    });
    expect(post).toBe(405);
  });
});

describe('WebSocket', () => {
  const wsUrl = (q = '') => `ws://127.0.0.1:${host.port}/ws${q}`;

  it('refuses a socket without the token, with a wrong one, from a foreign Origin, or on another path', async () => {
    await expect(openSocket(wsUrl())).rejects.toThrow(/401/);
    await expect(openSocket(wsUrl('?token=nope'))).rejects.toThrow(/401/);
    await expect(openSocket(wsUrl(`?token=${host.token}`), { origin: 'http://evil.example' })).rejects.toThrow(/401/);
    await expect(openSocket(wsUrl(`?token=${host.token}`), { origin: `http://evil.example:${host.port}` })).rejects.toThrow(/401/);
    await expect(openSocket(wsUrl(`?token=${host.token}`), { headers: { Host: `evil.example:${host.port}` } })).rejects.toThrow(/401/);
    await expect(openSocket(`ws://127.0.0.1:${host.port}/other?token=${host.token}`)).rejects.toThrow(/401/);
  });

  it('carries commands with the token (query or cookie) and errors as data', async () => {
    const sock = await openSocket(wsUrl(`?token=${host.token}`), { origin: `http://127.0.0.1:${host.port}` });
    sockets.push(sock.ws);
    const info = await call(sock, 'app.info', {});
    expect(info.ok).toBe(true);
    expect(info.value).toMatchObject({ transport: 'browser-host', version: '0.0.0-test', dataDir: core.dataDir });
    expect((info.value as { supportedGpu: string[] }).supportedGpu).toContain('cpu');

    const bad = await call(sock, 'models.add', { path: 5 });
    expect(bad).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    expect(bad.error?.message).toMatch(/\bpath\b/);

    const unknown = await call(sock, 'models.destroyEverything', {});
    expect(unknown).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    expect(unknown.error?.message).toContain('models.destroyEverything');
    expect(await call(sock, '__proto__', {})).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });

    const notFound = await call(sock, 'runs.get', { runId: 'nope' });
    expect(notFound.ok).toBe(false);

    sock.ws.send('not json');
    const garbled = await waitFor('the reply to a non-JSON message', () => sock.frames.find((f) => f.id === null));
    expect(garbled).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    // JSON that is not an object (`null` used to throw inside the socket handler and end the process).
    for (const junk of ['null', '5', '"app.info"', '[]']) sock.ws.send(junk);
    const junkReplies = await waitFor('replies to non-object messages', () => {
      const r = sock.frames.filter((f) => !('id' in f) && !('event' in f));
      return r.length >= 4 ? r : undefined;
    });
    for (const r of junkReplies) expect(r).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    expect((await call(sock, 'engine.status', {})).ok).toBe(true);

    // The browser sends the cookie it got from the page instead of the query token.
    const viaCookie = await openSocket(wsUrl(), { headers: { Cookie: `lamplight_token=${encodeURIComponent(host.token)}` } });
    sockets.push(viaCookie.ws);
    expect((await call(viaCookie, 'engine.status', {})).ok).toBe(true);
  });

  it('pushes events: models.changed arrives when the added model is hashed', async () => {
    const { tinyQ8_0 } = await ensureFixtureModels(undefined, ['tinyQ8_0']);
    const expected = createHash('sha256').update(readFileSync(tinyQ8_0)).digest('hex');
    const sock = await openSocket(wsUrl(`?token=${host.token}`));
    sockets.push(sock.ws);
    const added = await call(sock, 'models.add', { path: tinyQ8_0 });
    expect(added.ok).toBe(true);
    const model = added.value as { id: string; path: string; metadata: { architecture: string } };
    expect(model.path).toBe(tinyQ8_0);
    expect(model.metadata.architecture).toBe('llama');
    const changed = await waitFor('models.changed', () =>
      sock.frames.find((f) => f.event === 'models.changed' && (f.payload as { id: string }).id === model.id),
    );
    expect(changed.payload).toMatchObject({ id: model.id, hashStatus: 'done', sha256: expected });
  });

  it("acts as the profile whose access token opened it; a re-issued token ends the old one's access", async () => {
    const owner = await openSocket(wsUrl(`?token=${host.token}`));
    sockets.push(owner.ws);
    expect((await call(owner, 'session.whoami', {})).value).toMatchObject({ role: 'admin' });
    const lena = (await call(owner, 'profiles.create', { name: 'Lena host', role: 'labeler' })).value as { id: string };
    const { token } = (await call(owner, 'profiles.issueToken', { profileId: lena.id })).value as { token: string };
    expect(token).not.toBe(host.token);

    expect((await get(host.port, `/?token=${token}`)).status).toBe(200);
    const sock = await openSocket(wsUrl(`?token=${token}`));
    sockets.push(sock.ws);
    expect((await call(sock, 'session.whoami', {})).value).toMatchObject({ profileId: lena.id, role: 'labeler' });
    const refused = await call(sock, 'targets.add', { name: 'x', baseUrls: ['http://127.0.0.1:9/v1'] });
    expect(refused.error).toMatchObject({ code: 'FORBIDDEN' });

    // A re-issued link closes the old one's socket at once, and its token gets 401 from then on.
    const closed = new Promise<number>((resolve) => sock.ws.once('close', (code) => resolve(code)));
    await call(owner, 'profiles.issueToken', { profileId: lena.id });
    expect(await closed).toBe(4001);
    expect((await get(host.port, `/?token=${token}`)).status).toBe(401);
  });
});

// Malformed requests must not take the host (and the core with it) down. These run against a host in a
// child process, since today they do crash it: see the report on src/host/server.ts.
describe('robustness (host in a child process)', () => {
  const script = fileURLToPath(new URL('./testing/hostProcess.ts', import.meta.url));
  const children: ChildProcess[] = [];

  async function spawnHost(): Promise<{ child: ChildProcess; port: number; token: string; exited: Promise<number | null> }> {
    const child = spawn(process.execPath, ['--import', 'tsx', script, tempDir(), makeStaticDir()], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const line = await new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('host process did not start within 20 s')), 20_000);
      createInterface({ input: child.stdout as NonNullable<ChildProcess['stdout']> }).once('line', (l) => {
        clearTimeout(t);
        resolve(l);
      });
      child.once('exit', (code) => reject(new Error(`host process exited early (${code})`)));
    });
    const { port, token } = JSON.parse(line) as { port: number; token: string };
    return { child, port, token, exited };
  }

  async function stillServes(h: { port: number; token: string }): Promise<void> {
    const r = await get(h.port, `/?token=${h.token}`);
    expect(r.status).toBe(200);
  }

  afterAll(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });

  it('survives well-formed junk and stops cleanly on SIGTERM', async () => {
    const h = await spawnHost();
    expect(await raw(h.port, 'GET / HTTP/1.1\r\n\r\n')).toMatch(/^HTTP\/1\.1 4\d\d/);
    expect(await raw(h.port, 'NONSENSE\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    await stillServes(h);
    h.child.kill('SIGTERM');
    expect(await h.exited).toBe(0);
  });

  // Known bug: `new URL(req.url, 'http://' + req.headers.host)` throws on `Host: [` (or an unparsable
  // absolute-form target) before any token check, in both the request and the upgrade handler, and the
  // uncaught TypeError ends the process.
  it('an unauthenticated request with a malformed Host header or target does not crash the host', async () => {
    const h = await spawnHost();
    const upgrade = 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n';
    await raw(h.port, 'GET / HTTP/1.1\r\nHost: [\r\n\r\n');
    await raw(h.port, `GET /ws HTTP/1.1\r\nHost: [\r\n${upgrade}\r\n`);
    await raw(h.port, `GET http://[/ HTTP/1.1\r\nHost: 127.0.0.1:${h.port}\r\n\r\n`);
    await stillServes(h);
  });

  // Known bug: decodeURIComponent('/%E0%A4%A') throws URIError inside the request handler.
  it('an authorized request with a malformed percent-escape does not crash the host', async () => {
    const h = await spawnHost();
    await get(h.port, `/%E0%A4%A?token=${h.token}`).catch(() => undefined);
    await stillServes(h);
  });
});
