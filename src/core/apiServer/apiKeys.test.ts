// Per-profile API keys on the local API server, through real HTTP and real llama.cpp on the tiny model:
// issued once and stored as a hash, acting as their profile, limited per minute, held to a token quota and a
// monthly budget priced from the cost profile, usage per key and target in SQLite, and Prometheus /metrics.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiServerSettings, type ApiBudgetAlert } from '../../shared/apiServer.schema';
import type { ModelInfo } from '../../shared/models.schema';
import type { Core } from '../createCore';
import { ensureFixtureModels } from '../fixtures/ensureFixtures';
import { openTestCore } from '../testing/testCore';

let core: Core;
let model: ModelInfo;
let baseURL: string;
let ownerKey: string;
const alerts: ApiBudgetAlert[] = [];

beforeAll(async () => {
  const fx = await ensureFixtureModels();
  core = openTestCore();
  core.on('apiServer.budgetAlert', (a) => alerts.push(a));
  model = await core.invoke('models.add', { path: fx.tinyQ8_0 });
  await core.models.idle();
  await core.invoke('engine.load', { modelId: model.id, settings: { gpu: 'cpu', contextSize: 512, threads: 1 } });
  const started = await core.apiServer.start(ApiServerSettings.parse({ port: 0, parallel: 1 }));
  baseURL = (started.status.baseUrl as string).replace(/\/v1$/, '');
  ownerKey = started.key;
});
afterAll(async () => {
  await core?.close();
});

async function call(key: string, path = '/v1/chat/completions'): Promise<{ status: number; text: string; headers: Headers }> {
  const chat = path === '/v1/chat/completions';
  const res = await fetch(`${baseURL}${path}`, {
    method: chat ? 'POST' : 'GET',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: chat ? JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], max_tokens: 4 }) : undefined,
  });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

async function newKey(name: string, limits: Record<string, unknown> = {}, scope: 'inference' | 'metrics' = 'inference') {
  const p = await core.invoke('profiles.create', { name, role: 'prompt_engineer' });
  return { profile: p, ...(await core.invoke('apiServer.issueKey', { profileId: p.id, name: `${name} key`, scope, ...limits })) };
}

describe('API keys', () => {
  it('issues a key shown once (hash stored), acts as its profile, records usage and last use, and stops at revocation', async () => {
    const { key, info, profile } = await newKey('Kim');
    expect(info).toMatchObject({ prefix: key.slice(0, 10), profileName: 'Kim', lastUsedAt: null, revokedAt: null });
    const stored = JSON.stringify(core.db.prepare('SELECT * FROM api_keys').all());
    expect(stored).not.toContain(key);

    const r = await call(key);
    expect(r.status).toBe(200);
    const usage = JSON.parse(r.text) as { usage: { prompt_tokens: number; completion_tokens: number } };
    const listed = (await core.invoke('apiServer.listKeys', {})).find((k) => k.id === info.id);
    expect(listed?.lastUsedAt).not.toBeNull();
    expect(listed?.periodTokens).toBe(usage.usage.prompt_tokens + usage.usage.completion_tokens);
    const rows = await core.invoke('apiServer.usage', { since: null });
    expect(rows.find((u) => u.keyId === info.id)).toMatchObject({ targetKey: `local:${model.id}`, requests: 1, promptTokens: usage.usage.prompt_tokens, completionTokens: usage.usage.completion_tokens });
    // The generation is audited under the key's profile, not the owner who started the server.
    const audit = await core.invoke('audit.list', { filter: { kind: 'ai_call' }, limit: 5 });
    expect(audit.records[0]?.profileName).toBe(profile.name);

    await core.invoke('apiServer.revokeKey', { keyId: info.id });
    const after = await call(key);
    expect(after.status).toBe(401);
    expect(after.text).toMatch(/revoked/);
    expect((await call(ownerKey, '/v1/models')).status).toBe(200); // the start key (the owner's) still works
  });

  it('finds a key by its hash and sums its usage through indexes', () => {
    const plan = (sql: string) => JSON.stringify(core.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all('x', 0));
    expect(plan('SELECT sum(prompt_tokens + completion_tokens) FROM api_usage WHERE key_id = ? AND at >= ?')).toContain('api_usage_key_at');
    expect(core.db.prepare("EXPLAIN QUERY PLAN SELECT id FROM api_keys WHERE key_hash = ?").all('x').map((r) => JSON.stringify(r)).join()).toMatch(/USING INDEX/);
  });

  it('limits requests per minute with 429 rate_limit_exceeded and Retry-After', async () => {
    const { key } = await newKey('Rae', { ratePerMinute: 2 });
    expect((await call(key, '/v1/models')).status).toBe(200);
    expect((await call(key, '/v1/models')).status).toBe(200);
    const third = await call(key, '/v1/models');
    expect(third.status).toBe(429);
    expect(JSON.parse(third.text)).toMatchObject({ error: { code: 'rate_limit_exceeded' } });
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('refuses a key past its token quota (429 insufficient_quota)', async () => {
    const { key } = await newKey('Quinn', { tokenQuota: 1, quotaPeriod: 'day' });
    expect((await call(key)).status).toBe(200); // the first request may overshoot: tokens are known afterwards
    const over = await call(key);
    expect(over.status).toBe(429);
    expect(JSON.parse(over.text)).toMatchObject({ error: { code: 'insufficient_quota', message: expect.stringMatching(/quota of 1 tokens this day/) } });
  });

  it('prices usage from the cost profile, alerts once at 80% of the monthly budget, and refuses at 100%', async () => {
    await core.invoke('costs.set', { targetKey: `local:${model.id}`, label: 'tiny', profile: { kind: 'api', currency: '€', inputPer1M: 1_000_000, outputPer1M: 1_000_000 } });
    // One euro per token: one small request spends several euros.
    const { key, info } = await newKey('Bud', { budgetPerMonth: 1 });
    expect((await call(key)).status).toBe(200);
    const mine = alerts.filter((a) => a.keyId === info.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ budget: 1, currency: '€' });
    expect(mine[0]?.fraction).toBeGreaterThanOrEqual(0.8);
    const listed = (await core.invoke('apiServer.listKeys', {})).find((k) => k.id === info.id);
    expect(listed?.monthCost).toBe(mine[0]?.spent);
    const refused = await call(key);
    expect(refused.status).toBe(429);
    expect(refused.text).toMatch(/monthly budget/);
    expect(alerts.filter((a) => a.keyId === info.id)).toHaveLength(1);
  });

  it('serves /metrics in Prometheus text format to the start key or a metrics key, and to no other', async () => {
    const { key: metricsKey } = await newKey('Prom', {}, 'metrics');
    const { key: plain } = await newKey('Plain');
    expect((await call(plain, '/metrics')).status).toBe(403);
    expect((await call(metricsKey, '/v1/models')).status).toBe(403);
    const m = await call(metricsKey, '/metrics');
    expect(m.status).toBe(200);
    expect(m.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const lines = m.text.trim().split('\n');
    // Every line is a comment or `name{labels} value`, as the exposition format requires.
    for (const l of lines) expect(l).toMatch(/^(# (HELP|TYPE) \w+ .+|[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? -?[0-9.e+]+)$/);
    expect(m.text).toMatch(/# TYPE lamplight_api_request_duration_seconds histogram/);
    expect(m.text).toMatch(/lamplight_api_requests_total\{key="[^"]+",status="200"\} [1-9]/);
    expect(m.text).toMatch(/lamplight_api_tokens_total\{key="[^"]+",kind="completion"\} [1-9]/);
    expect(m.text).toMatch(/lamplight_api_queue_depth 0/);
    const count = Number(/lamplight_api_request_duration_seconds_count (\d+)/.exec(m.text)?.[1]);
    const inf = Number(/le="\+Inf"\} (\d+)/.exec(m.text)?.[1]);
    expect(inf).toBe(count);
    expect(count).toBeGreaterThan(0);
    expect((await call(ownerKey, '/metrics')).status).toBe(200);
  });
});
