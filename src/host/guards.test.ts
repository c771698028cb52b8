// The host's guards on their own: decoding that never throws, message parsing, and the per-request and
// per-message safety nets (a handler bug is logged with its stack and answered; the server goes on).
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { openTestCore, tempDir } from '../core/testing/testCore';
import { cookieValue, guardRequest, safeDecode } from './httpGuard';
import { startHost } from './server';
import { DEFAULT_SOCKET_LIMITS, nestingExceeds, newHostStats, parseClientMessage, SocketGuard } from './wsGuard';

const servers: Server[] = [];
afterAll(() => {
  for (const s of servers) s.close();
});

function listen(server: Server): Promise<number> {
  servers.push(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('decoding', () => {
  it('malformed percent-encoding gives null, never URIError', () => {
    expect(safeDecode('%E0%A4%A')).toBeNull();
    expect(safeDecode('a%20b')).toBe('a b');
    expect(cookieValue('lamplight_token=%E0', 'lamplight_token')).toBeNull();
    expect(cookieValue('a=%zz; lamplight_token=x%3Dy=z', 'lamplight_token')).toBe('x=y=z');
    expect(cookieValue(' lamplight_token = t ', 'lamplight_token')).toBe('t');
    expect(cookieValue('lamplight_tokenx=t; =; ;', 'lamplight_token')).toBeNull();
    expect(cookieValue(undefined, 'lamplight_token')).toBeNull();
  });

  it('nesting is counted outside strings only, without recursion', () => {
    expect(nestingExceeds('[[1]]', 2)).toBe(false);
    expect(nestingExceeds('[[[1]]]', 2)).toBe(true);
    expect(nestingExceeds('{"a":"[[[[\\"[[[["}', 1)).toBe(false);
    expect(nestingExceeds('['.repeat(1_000_000), 100)).toBe(true);
  });

  it('a message must be an object with a usable id and a string name; the id is kept where it can be', () => {
    const p = (text: string, binary = false) => parseClientMessage(Buffer.from(text), binary, 100);
    expect(p('{"id":1,"name":"app.info","input":{}}')).toEqual({ ok: true, id: 1, name: 'app.info', input: {}, bytes: 37 });
    expect(p('{"id":1,"name":"app.info"}', true)).toMatchObject({ ok: false, id: null, message: expect.stringMatching(/Binary/) });
    expect(p('nope')).toMatchObject({ ok: false, id: null, message: 'Message is not JSON' });
    for (const junk of ['null', '5', '"x"', '[]', 'true']) expect(p(junk)).toMatchObject({ ok: false, id: undefined });
    expect(p(`{"id":"${'x'.repeat(129)}","name":"app.info"}`)).toMatchObject({ ok: false, id: null, message: expect.stringMatching(/^id /) });
    expect(p('{"id":{},"name":"app.info"}')).toMatchObject({ ok: false, id: null });
    expect(p('{"id":7,"name":5}')).toMatchObject({ ok: false, id: 7, message: expect.stringMatching(/^name /) });
    expect(p(`{"id":7,"name":"${'n'.repeat(129)}"}`)).toMatchObject({ ok: false, id: 7 });
  });
});

describe('safety nets', () => {
  it('a request handler that throws is logged with its stack and answered 500; the next request is served', async () => {
    const logged: { error: unknown; where: string }[] = [];
    const handler = guardRequest(
      (req, res) => {
        if (req.url === '/boom') throw new Error('boom from a handler');
        res.end('fine');
      },
      (error, where) => logged.push({ error, where }),
    );
    const port = await listen(createServer(handler));
    expect(await get(port, '/boom')).toEqual({ status: 500, body: 'Internal error\n' });
    expect(await get(port, '/ok')).toEqual({ status: 200, body: 'fine' });
    expect(logged).toHaveLength(1);
    expect(logged[0]?.where).toBe('HTTP GET request');
    expect((logged[0]?.error as Error).stack).toMatch(/boom from a handler\n\s+at /);
  });

  it('a command that throws, rejects, or returns what JSON cannot encode gets an INTERNAL reply and is logged', async () => {
    const logged: string[] = [];
    const guard = new SocketGuard(DEFAULT_SOCKET_LIMITS, newHostStats(), (e, where) => logged.push(`${where}: ${(e as Error).message}`));
    const wss = new WebSocketServer({ noServer: true });
    const server = createServer();
    server.on('upgrade', (req, socket, head) =>
      wss.handleUpgrade(req, socket, head, (ws) =>
        guard.attach(ws, (name) => {
          if (name === 'throws') throw new Error('sync bug');
          if (name === 'rejects') return Promise.reject(new Error('async bug'));
          if (name === 'bigint') return Promise.resolve({ ok: true, value: 1n });
          return Promise.resolve({ ok: true, value: name });
        }),
      ),
    );
    const port = await listen(server);
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
    const replies: { id: number; ok: boolean; value?: unknown; error?: { code: string } }[] = [];
    ws.on('message', (d) => replies.push(JSON.parse(String(d)) as (typeof replies)[number]));
    await new Promise((r) => ws.once('open', r));
    ['throws', 'rejects', 'bigint', 'fine'].forEach((name, id) => ws.send(JSON.stringify({ id, name })));
    while (replies.length < 4) await new Promise((r) => setTimeout(r, 10));
    replies.sort((a, b) => a.id - b.id);
    expect(replies.slice(0, 3).map((r) => r.error?.code)).toEqual(['INTERNAL', 'INTERNAL', 'INTERNAL']);
    expect(replies[3]).toEqual({ id: 3, ok: true, value: 'fine' });
    expect(logged.sort()).toEqual(['command "rejects": async bug', 'command "throws": sync bug', 'the reply to "bigint": Do not know how to serialize a BigInt']);
    ws.close();
    wss.close();
  });

  it('commands in flight are bounded per socket by count and by bytes; past either, BUSY at once', async () => {
    const stats = newHostStats();
    const guard = new SocketGuard({ ...DEFAULT_SOCKET_LIMITS, maxInFlight: 2, maxInFlightBytes: 1000 }, stats, () => undefined);
    const wss = new WebSocketServer({ noServer: true });
    const server = createServer();
    // Commands never finish: what is admitted stays in flight.
    server.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => guard.attach(ws, () => new Promise(() => undefined))));
    const port = await listen(server);
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
    const replies: { id: string; error: { code: string; message: string } }[] = [];
    ws.on('message', (d) => replies.push(JSON.parse(String(d)) as (typeof replies)[number]));
    await new Promise((r) => ws.once('open', r));
    const msg = (id: string, pad: number) => JSON.stringify({ id, name: 'x', input: 'p'.repeat(pad) });
    ws.send(msg('a', 600)); // admitted
    ws.send(msg('b', 600)); // 1,200 bytes in flight would pass 1,000
    ws.send(msg('c', 100)); // admitted: two in flight now
    ws.send(msg('d', 10)); // a third command
    while (replies.length < 2) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 50));
    expect(replies.map((r) => [r.id, r.error.code])).toEqual([['b', 'BUSY'], ['d', 'BUSY']]);
    expect(replies[0]?.error.message).toMatch(/Too much input in flight/);
    expect(replies[1]?.error.message).toMatch(/Too many commands in flight on this connection \(2\)/);
    expect(stats).toMatchObject({ busyRefusals: 2, peakInFlight: 2 });
    ws.terminate();
    wss.close();
  });

  it('a socket whose access ends mid-command gets that reply first, then the close; an idle one closes at once', async () => {
    const guard = new SocketGuard(DEFAULT_SOCKET_LIMITS, newHostStats(), () => undefined);
    const wss = new WebSocketServer({ noServer: true });
    const server = createServer();
    let release: () => void = () => undefined;
    let entered: () => void = () => undefined;
    const running = new Promise<void>((r) => (entered = r));
    const sockets: WebSocket[] = [];
    server.on('upgrade', (req, socket, head) =>
      wss.handleUpgrade(req, socket, head, (ws) => {
        sockets.push(ws);
        guard.attach(ws, (name) => {
          if (name !== 'rotate') return Promise.resolve({ ok: true, value: name });
          // The command ends its own socket's access, then finishes later (after timers and I/O have run).
          guard.closeAfterReplies(ws, 4001, 'access link no longer valid');
          entered();
          return new Promise((resolve) => (release = () => resolve({ ok: true, value: 'new-token' })));
        });
      }),
    );
    const port = await listen(server);
    const open = async () => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
      const seen: string[] = [];
      ws.on('message', (d) => seen.push(`reply ${String((JSON.parse(String(d)) as { value: string }).value)}`));
      const closed = new Promise<void>((r) => ws.once('close', (code) => (seen.push(`close ${code}`), r())));
      await new Promise((r) => ws.once('open', r));
      return { ws, seen, closed };
    };
    const a = await open();
    a.ws.send(JSON.stringify({ id: 1, name: 'rotate' }));
    await running;
    await new Promise((r) => setTimeout(r, 50)); // timers and I/O run meanwhile: the socket must not close
    expect(a.seen).toEqual([]); // still open while its command runs
    release();
    await a.closed;
    expect(a.seen).toEqual(['reply new-token', 'close 4001']);

    const b = await open();
    while (sockets.length < 2) await new Promise((r) => setTimeout(r, 10));
    const ws = sockets[1];
    if (!ws) throw new Error('second socket not seen by the server');
    guard.closeAfterReplies(ws, 4001, 'gone');
    await b.closed;
    expect(b.seen).toEqual(['close 4001']);
    wss.close();
  });

  it('startHost installs no process-wide handler: only `lamplight serve` does', async () => {
    const before = [process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection')];
    const core = openTestCore();
    const host = await startHost({ core, staticDir: tempDir(), port: 0 });
    expect([process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection')]).toEqual(before);
    await host.close();
    await core.close();
  });
});
