import { afterEach, describe, expect, it } from 'vitest';
import { RemoteError } from './remoteError';
import { ReplicaPool, streamChatWithReplicas, type ReplicaChatRequest } from './replicas';
import { deadBaseUrl, jsonResponse, sseStream, stall, startFaultServer, type FaultServer, type ScriptedResponse } from './testing/faultServer';

describe('ReplicaPool', () => {
  const clock = () => {
    const c = { t: 1_000, now: () => c.t };
    return c;
  };

  it('goes round-robin over healthy replicas', () => {
    const pool = new ReplicaPool(['a', 'b', 'c'], { cooldownMs: 100 });
    expect(Array.from({ length: 6 }, () => pool.next())).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
  });

  it('skips a failed replica until its cooldown passes, then tries it again', () => {
    const c = clock();
    const pool = new ReplicaPool(['a', 'b', 'c'], { cooldownMs: 100, now: c.now });
    pool.markFailed('b', new Error('ECONNREFUSED'));
    expect(Array.from({ length: 4 }, () => pool.next())).toEqual(['a', 'c', 'a', 'c']);
    c.t += 100;
    expect(Array.from({ length: 3 }, () => pool.next())).toEqual(['a', 'b', 'c']);
    // Eligible again, but still shown as unhealthy until it succeeds.
    expect(pool.snapshot().find((r) => r.url === 'b')).toMatchObject({ healthy: false, lastError: 'ECONNREFUSED', lastCheckedAt: 1_000 });
    pool.markOk('b', 42);
    expect(pool.snapshot().find((r) => r.url === 'b')).toEqual({ url: 'b', healthy: true, lastError: null, lastCheckedAt: 1_100, latencyMs: 42 });
  });

  it('when every replica is cooling down, returns the one whose cooldown ends first, at once', () => {
    const c = clock();
    const pool = new ReplicaPool(['a', 'b', 'c'], { cooldownMs: 100, now: c.now });
    pool.markFailed('a', 'x', 300);
    pool.markFailed('b', 'y', 50);
    pool.markFailed('c', 'z', 200);
    expect([pool.next(), pool.next()]).toEqual(['b', 'b']);
    c.t += 60;
    expect(pool.next()).toBe('b');
    expect(pool.snapshot().map((r) => r.healthy)).toEqual([false, false, false]);
  });

  it('ignores unknown URLs, refuses an empty list, and reports replicas in the given order', () => {
    const pool = new ReplicaPool(['http://a/v1', 'http://b/v1'], { cooldownMs: 10 });
    pool.markFailed('http://nope/v1', 'x');
    pool.markOk('http://nope/v1');
    expect(pool.snapshot().map((r) => [r.url, r.healthy, r.lastCheckedAt])).toEqual([
      ['http://a/v1', true, null],
      ['http://b/v1', true, null],
    ]);
    expect(pool.urls).toEqual(['http://a/v1', 'http://b/v1']);
    expect(() => new ReplicaPool([], { cooldownMs: 10 })).toThrow(/at least one/);
  });
});

describe('streamChatWithReplicas', () => {
  let servers: FaultServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.map((s) => s.close()));
    servers = [];
  });
  const serve = async (...script: ScriptedResponse[]) => {
    const s = await startFaultServer(script);
    servers.push(s);
    return s;
  };
  const req: ReplicaChatRequest = {
    model: 'm',
    messages: [{ role: 'user', content: 'hi' }],
    timeouts: { connectMs: 1_000, firstTokenMs: 300, idleMs: 1_000 },
    maxRetries: 1,
    retry: { baseDelayMs: 10, maxDelayMs: 20 },
  };

  it('one dead URL and one good: the request succeeds and the dead one is marked unhealthy', async () => {
    const dead = await deadBaseUrl();
    const good = await serve(sseStream({ tokens: ['hi', '!'] }));
    const pool = new ReplicaPool([dead, good.baseUrl], { cooldownMs: 30_000 });
    const deltas: string[] = [];
    const r = await streamChatWithReplicas(pool, req, (d) => deltas.push(d));
    expect(r).toMatchObject({ text: 'hi!', baseUrl: good.baseUrl, attempts: 2 });
    expect(deltas).toEqual(['hi', '!']);
    const [d, g] = pool.snapshot();
    expect(d).toMatchObject({ url: dead, healthy: false });
    expect(d!.lastError).toMatch(/ECONNREFUSED/);
    expect(g).toMatchObject({ url: good.baseUrl, healthy: true, lastError: null });
    expect(g!.latencyMs).toBeGreaterThan(0);
    // The dead replica is now skipped.
    expect(pool.next()).toBe(good.baseUrl);
  });

  it('fails over on 503 and on a first-token timeout', async () => {
    const busy = await serve(jsonResponse(503, { error: { message: 'busy' } }));
    const stuck = await serve(stall());
    const good = await serve(sseStream({ tokens: ['ok'] }));
    const pool = new ReplicaPool([busy.baseUrl, stuck.baseUrl, good.baseUrl], { cooldownMs: 30_000 });
    const r = await streamChatWithReplicas(pool, req);
    expect(r).toMatchObject({ text: 'ok', baseUrl: good.baseUrl, attempts: 3 });
    expect(pool.snapshot().map((s) => s.healthy)).toEqual([false, false, true]);
    expect(pool.snapshot()[1]!.lastError).toMatch(/first-token timeout/);
  });

  it('does not fail over on 401: the key is wrong everywhere, and the replica is up', async () => {
    const a = await serve(jsonResponse(401, { error: 'Unauthorized' }));
    const b = await serve(sseStream({ tokens: ['never'] }));
    const pool = new ReplicaPool([a.baseUrl, b.baseUrl], { cooldownMs: 30_000 });
    const e = (await streamChatWithReplicas(pool, req).catch((x: unknown) => x)) as RemoteError;
    expect(e).toBeInstanceOf(RemoteError);
    expect(e.kind).toBe('auth');
    expect(b.requests).toHaveLength(0);
    expect(pool.snapshot()[0]!.healthy).toBe(true);
  });

  it('never fails over once a token arrived', async () => {
    const a = await serve(sseStream({ tokens: ['par', 'tial'], everyMs: 10, done: false, usage: false, then: 'destroy' }));
    const b = await serve(sseStream({ tokens: ['never'] }));
    const pool = new ReplicaPool([a.baseUrl, b.baseUrl], { cooldownMs: 30_000 });
    const e = (await streamChatWithReplicas(pool, req).catch((x: unknown) => x)) as RemoteError;
    expect(e).toMatchObject({ kind: 'connection_lost', partialText: 'partial', attempts: 1 });
    expect(b.requests).toHaveLength(0);
    expect(pool.snapshot()[0]!.healthy).toBe(false);
  });

  it('stops after replicas + maxRetries attempts, backing off when a replica comes round again', async () => {
    const a = await serve(...[1, 2].map(() => jsonResponse(502, {})));
    const b = await serve(...[1, 2].map(() => jsonResponse(502, {})));
    const pool = new ReplicaPool([a.baseUrl, b.baseUrl], { cooldownMs: 30_000 });
    const e = (await streamChatWithReplicas(pool, { ...req, maxRetries: 1 }).catch((x: unknown) => x)) as RemoteError;
    expect(e).toMatchObject({ kind: 'server', status: 502, attempts: 3 });
    expect(e.message).toContain('after 3 attempts on 2 of 2 replicas');
    expect(a.requests.length + b.requests.length).toBe(3);
  });
});
