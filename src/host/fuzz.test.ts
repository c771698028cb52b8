// Fuzzes the browser host with a real core on a temp data folder: thousands of mutated raw HTTP requests
// over node:net and thousands of hostile WebSocket messages, seeded, bounded in count and time. Afterwards
// the host must still serve, must have logged no unexpected error, and the database must be intact.
// Scale with LAMPLIGHT_FUZZ_HTTP, LAMPLIGHT_FUZZ_WS, LAMPLIGHT_FUZZ_SEED, LAMPLIGHT_FUZZ_MS.
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Core } from '../core/createCore';
import { openTestCore, tempDir } from '../core/testing/testCore';
import { startHost, type Host } from './server';
import { Gen, httpCase, type HttpCase } from './testing/fuzzInputs';
import { wsCase } from './testing/fuzzMessages';

const SEED = Number(process.env.LAMPLIGHT_FUZZ_SEED ?? 20261207);
const HTTP_COUNT = Number(process.env.LAMPLIGHT_FUZZ_HTTP ?? 3000);
const WS_COUNT = Number(process.env.LAMPLIGHT_FUZZ_WS ?? 4000);
/** Each phase stops sending after this much time, whatever its count (the machine may be loaded). */
const PHASE_MS = Number(process.env.LAMPLIGHT_FUZZ_MS ?? 22_000);
const CONCURRENCY = 24;

const INDEX_HTML = '<!doctype html><title>Lamplight fuzz</title>\n';
const errors: string[] = [];
let core: Core;
let host: Host;
const startDir = process.cwd();

beforeAll(async () => {
  // Mutated commands carry random relative paths, and export commands resolve those against the process's
  // working folder: run where nothing matters (a run here once wrote a backup archive into the repository).
  process.chdir(tempDir('lamplight-fuzz-cwd-'));
  const staticDir = tempDir('lamplight-static-');
  mkdirSync(join(staticDir, 'assets'));
  writeFileSync(join(staticDir, 'index.html'), INDEX_HTML);
  writeFileSync(join(staticDir, 'assets', 'app.js'), 'void 0;\n');
  core = openTestCore();
  host = await startHost({
    core,
    staticDir,
    port: 0,
    onError: (e, where) => errors.push(`${where}: ${e instanceof Error ? e.stack : String(e)}`),
    // Short request timeouts, so truncated requests run into them during the fuzz.
    httpLimits: { headersTimeoutMs: 800, requestTimeoutMs: 1_500, keepAliveTimeoutMs: 500, checkIntervalMs: 200 },
    // Mutated tokens are the point here; the per-address limit on them has its own test (team.test.ts).
    tokenFailures: { maxFailures: Number.MAX_SAFE_INTEGER },
  });
});
afterAll(async () => {
  await host?.close();
  await core?.close();
  process.chdir(startDir);
});

/** Sends one raw request; resolves with the status line ('' when none) once the connection is gone. */
function sendRaw(c: HttpCase): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(host.port, '127.0.0.1');
    let first = '';
    const done = () => resolve(first);
    s.on('error', () => undefined);
    s.on('close', done);
    s.setTimeout(2_500, () => s.destroy());
    s.on('data', (d: Buffer) => {
      if (first) return;
      first = d.toString('latin1').split('\r\n')[0] ?? '';
      if (first.startsWith('HTTP/1.1 101')) {
        s.write(c.frames); // upgraded: send frames no client should
        setTimeout(() => s.end(), 20);
      } else s.end();
    });
    s.once('connect', () => {
      if (c.mode === 'end') s.end(c.bytes);
      else s.write(c.bytes);
      if (c.mode === 'reset') setImmediate(() => s.resetAndDestroy());
    });
  });
}

interface Client {
  ws: WebSocket;
  replies: number;
  closed: Promise<void>;
}

async function openClient(): Promise<Client> {
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws?token=${host.token}`, { handshakeTimeout: 10_000 });
  const c: Client = { ws, replies: 0, closed: new Promise((r) => ws.once('close', () => r())) };
  ws.on('error', () => undefined); // writing the rest of an oversize frame after the host closed
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data)) as { ok?: boolean; event?: string };
    if (frame.event === undefined) {
      expect(typeof frame.ok).toBe('boolean');
      c.replies++;
    }
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return c;
}

async function until(what: string, ok: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

it('survives thousands of mutated HTTP requests and WebSocket messages, and still serves', async () => {
  const g = new Gen(SEED);
  const statuses = new Map<string, number>();

  // HTTP: CONCURRENCY connections at a time over raw TCP; cases drawn up front, so a seed is one sequence.
  const cases = Array.from({ length: HTTP_COUNT }, () => httpCase(g, host));
  let sent = 0;
  const httpEnd = Date.now() + PHASE_MS;
  const worker = async () => {
    while (sent < HTTP_COUNT && Date.now() < httpEnd) {
      sent++;
      const line = await sendRaw(cases[sent - 1] as HttpCase);
      const key = /^HTTP\/1\.[01] (\d{3})/.exec(line)?.[1] ?? (line ? 'other' : 'closed');
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const httpSent = sent;
  const httpMs = PHASE_MS - (httpEnd - Date.now());

  // WebSocket: batches on one socket; a message that closes the socket is sent alone, then we reconnect.
  const kinds = new Map<string, number>();
  let client = await openClient();
  let expected = 0;
  let messages = 0;
  let reconnects = 0;
  const wsEnd = Date.now() + PHASE_MS;
  while (messages < WS_COUNT && Date.now() < wsEnd) {
    const c = wsCase(g);
    if (!c) continue;
    messages++;
    kinds.set(c.kind, (kinds.get(c.kind) ?? 0) + 1);
    if (c.replies) {
      client.ws.send(c.data, { binary: c.binary });
      expected++;
      if (expected - client.replies >= 100) await until('replies to a batch', () => client.replies >= expected);
      continue;
    }
    await until('replies before a closing frame', () => client.replies >= expected);
    client.ws.send(c.data, { binary: c.binary });
    await client.closed;
    client = await openClient();
    expected = 0;
    reconnects++;
  }
  await until('the last replies', () => client.replies >= expected);
  const wsMs = PHASE_MS - (wsEnd - Date.now());
  // Every frame got exactly one answer: none more arrive.
  await new Promise((r) => setTimeout(r, 100));
  expect(client.replies).toBe(expected);

  const summary = {
    seed: SEED,
    httpRequests: httpSent,
    httpMs,
    httpStatuses: Object.fromEntries([...statuses].sort()),
    wsMessages: messages,
    wsMs,
    wsKinds: Object.fromEntries([...kinds].sort()),
    wsReconnects: reconnects,
    hostStats: host.stats,
    crashes: errors.length,
  };
  console.log(`host fuzz: ${JSON.stringify(summary)}`);

  // Still serving, over HTTP and WebSocket, with nothing logged by the safety net.
  const page = await fetch(`http://127.0.0.1:${host.port}/?token=${host.token}`);
  expect(page.status).toBe(200);
  expect(await page.text()).toBe(INDEX_HTML);
  const info = await new Promise<{ id: number; ok: boolean }>((resolve) => {
    client.ws.on('message', (d) => {
      const frame = JSON.parse(String(d)) as { id: number; ok: boolean };
      if (frame.id === 424242) resolve(frame);
    });
    client.ws.send(JSON.stringify({ id: 424242, name: 'app.info', input: {} }));
  });
  expect(info).toMatchObject({ id: 424242, ok: true });
  client.ws.close();
  expect(errors).toEqual([]);
  expect(host.stats.handlerErrors).toBe(0);
  expect(httpSent).toBeGreaterThanOrEqual(Math.min(HTTP_COUNT, 300));
  expect(messages).toBeGreaterThanOrEqual(Math.min(WS_COUNT, 300));
  expect(core.db.pragma('integrity_check', { simple: true })).toBe('ok');
  expect((await core.dispatch('audit.verify', {})).ok).toBe(true);
}, 120_000);
