// The host against clients that misbehave on purpose: inputs that used to end the process (run against a
// host in a child process, so a regression shows as a dead host, not a dead test runner), floods, clients
// that never read, dead peers, slow headers and other methods. Real core, real sockets on 127.0.0.1.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Core } from '../core/createCore';
import { openTestCore, tempDir } from '../core/testing/testCore';
import { DEFAULT_HTTP_LIMITS } from './httpGuard';
import { startHost, type Host, type HostOptions } from './server';
import { DEFAULT_SOCKET_LIMITS } from './wsGuard';

function makeStaticDir(): string {
  const dir = tempDir('lamplight-static-');
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>hardening</title>\n');
  return dir;
}

function status(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; allow?: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { Host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, allow: res.headers.allow });
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens a socket to the host; resolves once connected. */
function rawSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.on('error', reject);
  });
}

function openWs(port: number, token: string, options: WebSocket.ClientOptions = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${token}`, { handshakeTimeout: 10_000, ...options });
    ws.on('error', reject); // once open, later errors (the host closing on a bad frame) change nothing
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_q, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
  });
}

function closed(ws: WebSocket): Promise<void> {
  return ws.readyState === ws.CLOSED ? Promise.resolve() : new Promise((r) => ws.once('close', () => r()));
}

describe('inputs that used to end the host process', () => {
  const script = fileURLToPath(new URL('./testing/hostProcess.ts', import.meta.url));
  let child: ChildProcess;
  let port: number;
  let token: string;
  let stderr = '';

  // A host of its own per test, so each regression fails on its own.
  beforeEach(async () => {
    stderr = '';
    child = spawn(process.execPath, ['--import', 'tsx', script, tempDir(), makeStaticDir()], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout as NonNullable<ChildProcess['stdout']> }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`host process exited early (${code}): ${stderr}`)));
    });
    ({ port, token } = JSON.parse(line) as { port: number; token: string });
  });
  afterEach(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

  async function stillServes(): Promise<void> {
    await new Promise((r) => setTimeout(r, 200)); // a crash takes a moment to show as an exit
    expect(child.exitCode, stderr).toBeNull();
    expect((await status(port, `/?token=${token}`)).status, stderr).toBe(200);
    expect(stderr).not.toMatch(/unexpected error/);
  }

  it('a cookie with malformed percent-encoding is no token (it threw URIError and ended `lamplight serve`)', async () => {
    for (const cookie of ['lamplight_token=%E0', 'lamplight_token=%', `a=%zz; lamplight_token=%E0%A4%A`]) {
      expect((await status(port, '/', { Cookie: cookie })).status, cookie).toBe(401);
    }
    const ws = openWs(port, '', { headers: { Cookie: 'lamplight_token=%E0' } });
    await expect(ws).rejects.toThrow(/401/);
    // A valid cookie next to a malformed one still works.
    expect((await status(port, '/', { Cookie: `x=%E0; lamplight_token=${encodeURIComponent(token)}` })).status).toBe(200);
    await stillServes();
  });

  it('a frame the WebSocket protocol forbids closes that socket only (the unhandled ws error ended the process)', async () => {
    const frames = [
      [0x83, 0x80, 1, 2, 3, 4], // reserved opcode
      [0x81, 0xff, 0, 0, 0, 0, 0x01, 0x10, 0, 0, 1, 2, 3, 4], // declares 17 MiB, over the limit
      [0x81, 0x05, 104, 101, 108, 108, 111], // unmasked
    ];
    for (const frame of frames) {
      const ws = await openWs(port, token);
      (ws as unknown as { _socket: Socket })._socket.write(Buffer.from(frame));
      await closed(ws);
    }
    await stillServes();
  });

  it('a message nested 200,000 deep is refused (serializing its id overflowed the stack, an unhandled rejection)', async () => {
    const ws = await openWs(port, token);
    const replies: { id?: unknown; ok: boolean; error?: { code: string; message: string } }[] = [];
    // Replies only: events (a service's status at start, e.g. vision.status) may arrive on the same socket.
    ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as (typeof replies)[number] & { event?: string };
      if (m.event === undefined) replies.push(m);
    });
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    ws.send(`{"id":${deep},"name":"app.info"}`);
    ws.send(`{"id":1,"name":${deep}}`);
    ws.send(`{"id":2,"name":"app.info","input":${deep}}`);
    await new Promise<void>((resolve, reject) => {
      const t = setInterval(() => replies.length >= 3 && (clearInterval(t), resolve()), 10);
      ws.once('close', () => reject(new Error('the host closed the socket')));
    });
    for (const r of replies) expect(r).toMatchObject({ ok: false, error: { code: 'BAD_INPUT', message: expect.stringMatching(/nests deeper than/) } });
    ws.close();
    await stillServes();
  });

  it('a client that resets the connection during a refused upgrade does not end the host', async () => {
    const upgrade = 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n';
    for (let i = 0; i < 30; i++) {
      const s = await rawSocket(port);
      s.on('error', () => undefined);
      s.write(`GET /ws?token=nope HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${upgrade}\r\n`);
      if (i % 2) setImmediate(() => s.resetAndDestroy());
      else s.resetAndDestroy();
    }
    await stillServes();
  });
});

describe('bounds', () => {
  const hosts: Host[] = [];
  const errors: unknown[] = [];
  let core: Core;
  const start = async (extra: Partial<HostOptions> = {}) => {
    const h = await startHost({ core, staticDir: makeStaticDir(), port: 0, onError: (e) => errors.push(e), ...extra });
    hosts.push(h);
    return h;
  };

  beforeAll(() => {
    core = openTestCore();
  });
  afterAll(async () => {
    for (const h of hosts) await h.close();
    await core.close();
    expect(errors).toEqual([]);
  });

  it('defaults: request headers within 10 s, keep-alive 5 s, at most 64 commands in flight, 8 MiB unsent, ping every 30 s', () => {
    // No whole-request limit: uploads may take minutes (the file channel ends stalled ones itself).
    expect(DEFAULT_HTTP_LIMITS).toMatchObject({ headersTimeoutMs: 10_000, requestTimeoutMs: 0, keepAliveTimeoutMs: 5_000 });
    expect(DEFAULT_SOCKET_LIMITS).toMatchObject({ maxInFlight: 64, maxInFlightBytes: 32 << 20, maxBufferedBytes: 8 << 20, heartbeatMs: 30_000, maxSockets: 512 });
  });

  it('a flood of 10,000 messages gets 10,000 replies; past 64 in flight they are refused BUSY, and the socket still works', async () => {
    const h = await start();
    const ws = await openWs(h.port, h.token);
    const replies = new Map<number, { ok: boolean; error?: { code: string } }>();
    ws.on('message', (d) => {
      const f = JSON.parse(String(d)) as { id?: number; ok: boolean; error?: { code: string } };
      if (typeof f.id === 'number') replies.set(f.id, f);
    });
    for (let id = 0; id < 10_000; id++) ws.send(JSON.stringify({ id, name: 'engine.status', input: {} }));
    const until = Date.now() + 45_000;
    while (replies.size < 10_000 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(replies.size).toBe(10_000);
    const busy = [...replies.values()].filter((r) => !r.ok);
    expect(busy.length).toBeGreaterThan(0);
    for (const r of busy) expect(r.error?.code).toBe('BUSY');
    expect(h.stats.busyRefusals).toBe(busy.length);
    expect(h.stats.peakInFlight).toBeLessThanOrEqual(64);
    ws.send(JSON.stringify({ id: 10_001, name: 'app.info', input: {} }));
    while (!replies.has(10_001) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(replies.get(10_001)?.ok).toBe(true);
    ws.close();
  }, 60_000);

  it('a client that never reads is cut off once its unsent replies pass the bound; the host goes on', async () => {
    const h = await start({ socketLimits: { maxBufferedBytes: 256 << 10 } });
    const ws = await openWs(h.port, h.token);
    (ws as unknown as { _socket: Socket })._socket.pause(); // stop reading
    // Each reply names all ~20,000 unknown keys: about 250 KB.
    const input = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`unknown_key_${i}`, 1]));
    const message = JSON.stringify({ id: 1, name: 'app.info', input });
    const until = Date.now() + 30_000;
    let sent = 0;
    while (h.stats.slowClosed === 0 && Date.now() < until && ws.readyState === ws.OPEN) {
      ws.send(message);
      sent++;
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(h.stats.slowClosed, `after ${sent} messages`).toBe(1);
    (ws as unknown as { _socket: Socket })._socket.resume();
    await closed(ws);
    const other = await openWs(h.port, h.token);
    other.close();
  }, 60_000);

  it('a peer that stops answering pings is terminated; one that answers stays', async () => {
    const h = await start({ socketLimits: { heartbeatMs: 100 } });
    const dead = await openWs(h.port, h.token, { autoPong: false });
    const live = await openWs(h.port, h.token);
    await closed(dead);
    expect(h.stats.deadTerminated).toBe(1);
    await new Promise((r) => setTimeout(r, 400)); // several more heartbeats
    expect(live.readyState).toBe(live.OPEN);
    live.close();
  });

  it('slow headers and idle keep-alive connections are closed by the server', async () => {
    const h = await start({ httpLimits: { headersTimeoutMs: 300, requestTimeoutMs: 600, keepAliveTimeoutMs: 200, checkIntervalMs: 50 } });
    const slow = await rawSocket(h.port);
    let answer = '';
    slow.on('data', (d: Buffer) => (answer += d.toString()));
    slow.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${h.port}\r\n`);
    const drip = setInterval(() => slow.writable && slow.write('X-Drip: 1\r\n'), 50);
    const t0 = Date.now();
    await new Promise((r) => slow.once('close', r));
    clearInterval(drip);
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);

    const idle = await rawSocket(h.port);
    idle.write(`GET /?token=${h.token} HTTP/1.1\r\nHost: 127.0.0.1:${h.port}\r\n\r\n`);
    idle.resume();
    const t1 = Date.now();
    await new Promise((r) => idle.once('close', r));
    expect(Date.now() - t1).toBeLessThan(5_000);
  });

  it('past the socket limit an upgrade is answered 503; once one closes there is room again', async () => {
    const h = await start({ socketLimits: { maxSockets: 2 } });
    const [a, b] = [await openWs(h.port, h.token), await openWs(h.port, h.token)];
    await expect(openWs(h.port, h.token)).rejects.toThrow(/503/);
    a.close();
    await closed(a);
    // The host may see the close a moment after the client does: retry while it still answers 503.
    let c: WebSocket | null = null;
    for (let i = 0; i < 100 && !c; i++) c = await openWs(h.port, h.token).catch(() => new Promise<null>((r) => setTimeout(() => r(null), 50)));
    expect(c).not.toBeNull();
    b.close();
    c?.close();
  });

  it('methods other than GET and HEAD are answered 405 with Allow (after the token check)', async () => {
    const h = await start();
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE']) {
      expect((await status(h.port, '/', {}, method)).status, method).toBe(401);
      const r = await status(h.port, `/?token=${h.token}`, {}, method);
      expect(r, method).toEqual({ status: 405, allow: 'GET, HEAD' });
    }
    expect((await status(h.port, `/?token=${h.token}`, {}, 'HEAD')).status).toBe(200);
  });
});
