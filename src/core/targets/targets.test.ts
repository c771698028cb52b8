// Remote targets through the real core: secrets kept out of SQLite and events, runs streamed and measured,
// failures kept readable, replicas failed over, and compare across a local and a remote model.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EventName } from '../../shared/contract';
import type { Core } from '../createCore';
import { ensureFixtureModels, FIXTURE_FILES } from '../fixtures/ensureFixtures';
import { deadBaseUrl, jsonResponse, sseStream, stall, startFaultServer, type FaultServer } from '../remote/testing/faultServer';
import { nextEvent, openTestCore, tempDir } from '../testing/testCore';
import { closeAfterEach } from '../testing/closeAfterEach';

const opened = closeAfterEach();

function core(dataDir = tempDir()): Core {
  const c = openTestCore({ dataDir });
  opened.core(c);
  return c;
}
async function server(...script: Parameters<typeof startFaultServer>[0]): Promise<FaultServer> {
  const s = await startFaultServer(script);
  opened.server(s);
  return s;
}

const SECRET_KEY = 'sk-lamplight-test-SECRET-4242';
const SECRET_HEADER = 'hdr-lamplight-SECRET-7777';
const tokens = ['Tides', ' rise', ' and', ' fall', '.'];

function filesContaining(dir: string, needle: string): string[] {
  const hits: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isFile() && readFileSync(p).includes(needle)) hits.push(name);
  }
  return hits;
}

describe('remote targets', () => {
  it('keeps the API key and header values out of SQLite, events, runs and errors, and sends them', async () => {
    const dataDir = tempDir();
    const c = core(dataDir);
    const events: string[] = [];
    c.onAny((name: EventName, payload: unknown) => events.push(`${name} ${JSON.stringify(payload)}`));
    const s = await server(
      jsonResponse(200, { object: 'list', data: [{ id: 'qwen', object: 'model', owned_by: 'vllm' }, { id: 'qwen-lora', object: 'model', parent: 'qwen', root: 'qwen' }] }),
      sseStream({ tokens }),
      jsonResponse(401, { error: { message: `bad key ${SECRET_KEY}` } }),
    );
    const t = await c.invoke('targets.add', { name: 'gpu box', baseUrls: [s.baseUrl + '/'], apiKey: SECRET_KEY, headers: { 'X-Tenant': SECRET_HEADER } });
    expect(t.baseUrls).toEqual([s.baseUrl]);
    expect(t.hasApiKey).toBe(true);
    expect(t.headerNames).toEqual(['X-Tenant']);
    expect(JSON.stringify(t)).not.toContain(SECRET_KEY);

    const check = await c.invoke('targets.check', { targetId: t.id });
    expect(check.replicas[0]?.ok).toBe(true);
    expect(check.models.map((m) => m.id)).toEqual(['qwen', 'qwen-lora']);
    expect(check.models[1]?.parent).toBe('qwen');

    const { runId } = await c.invoke('runs.start', { target: { kind: 'remote', targetId: t.id, model: 'qwen' }, userMessage: 'Tell me about tides' });
    const rec = await c.runs.wait(runId);
    expect(rec.output).toBe(tokens.join(''));
    expect(s.requests[1]?.headers.authorization).toBe(`Bearer ${SECRET_KEY}`);
    expect(s.requests[1]?.headers['x-tenant']).toBe(SECRET_HEADER);

    const failed = await c.runs.wait((await c.invoke('runs.start', { target: { kind: 'remote', targetId: t.id, model: 'qwen' }, userMessage: 'again' })).runId);
    expect(failed.stopReason).toBe('error');
    expect(failed.error).toMatch(/401|API key/i);
    expect(failed.error).not.toContain(SECRET_KEY);

    c.db.pragma('wal_checkpoint(TRUNCATE)');
    expect(filesContaining(dataDir, SECRET_KEY)).toEqual(['secrets.json']);
    expect(filesContaining(dataDir, SECRET_HEADER)).toEqual(['secrets.json']);
    expect(statSync(join(dataDir, 'secrets.json')).mode & 0o777).toBe(0o600);
    expect(events.join('\n')).not.toContain(SECRET_KEY);
    expect(events.join('\n')).not.toContain(SECRET_HEADER);

    // Removing the target forgets its secrets; its runs stay in history.
    await c.invoke('targets.remove', { targetId: t.id });
    expect(filesContaining(dataDir, SECRET_KEY)).toEqual([]);
    expect((await c.invoke('runs.get', { runId })).output).toBe(tokens.join(''));
  });

  it('stores raw chunk times and vLLM-style latency metrics that match injected delays', async () => {
    const c = core();
    const s = await server(sseStream({ tokens, firstAtMs: 150, everyMs: 40 }));
    const t = await c.invoke('targets.add', { name: 'slow', baseUrls: [s.baseUrl] });
    const chunks: string[] = [];
    const off = c.on('runs.chunk', (ch) => chunks.push(ch.text));
    const rec = await c.runs.wait((await c.invoke('runs.start', { target: { kind: 'remote', targetId: t.id, model: 'm' }, userMessage: 'x', params: { maxTokens: 5 } })).runId);
    off();
    expect(chunks.join('')).toBe(rec.output);
    expect(rec.target).toEqual({ kind: 'remote', targetId: t.id, model: 'm' });
    expect(rec.modelName).toBe('slow · m');
    // vLLM's convention: every chunk with choices counts — the role chunk (sent with the first token),
    // five tokens 40 ms apart, and the finish chunk — so ITL is [~0, 40, 40, 40, 40, ~0].
    expect(rec.chunkTimesMs).toHaveLength(7);
    expect(rec.ttftMs).toBeGreaterThanOrEqual(148);
    expect(rec.ttftMs).toBeLessThan(200);
    expect(rec.itlMeanMs).toBeGreaterThan(160 / 6 - 5);
    expect(rec.itlMeanMs).toBeLessThan(160 / 6 + 5);
    // TPOT = (E2E − TTFT) / (tokens − 1) = 160 / 4
    expect(rec.tpotMs).toBeGreaterThan(35);
    expect(rec.tpotMs).toBeLessThan(48);
    expect(rec.e2eMs).toBeGreaterThanOrEqual(rec.ttftMs as number);
    expect(rec.completionTokens).toBe(5); // from the usage chunk
    expect(rec.attempts).toBe(1);
  });

  it('Stop aborts the HTTP request and keeps what arrived; a stalled server times out readably', async () => {
    const c = core();
    const s = await server(sseStream({ tokens: Array.from({ length: 200 }, (_, i) => ` w${i}`), firstAtMs: 10, everyMs: 20 }), stall());
    const t = await c.invoke('targets.add', { name: 'x', baseUrls: [s.baseUrl], timeouts: { connectMs: 2000, firstTokenMs: 600, idleMs: 600 }, maxRetries: 0 });
    const { runId } = await c.invoke('runs.start', { target: { kind: 'remote', targetId: t.id, model: 'm' }, userMessage: 'go' });
    await nextEvent(c, 'runs.chunk', (ch) => ch.runId === runId);
    await c.invoke('runs.cancel', { runId });
    const rec = await c.runs.wait(runId);
    expect(rec.stopReason).toBe('abort');
    expect(rec.output).toMatch(/^ w0/);
    expect(rec.output.length).toBeLessThan(200 * 4);

    const stalled = await c.runs.wait((await c.invoke('runs.start', { target: { kind: 'remote', targetId: t.id, model: 'm' }, userMessage: 'go' })).runId);
    expect(stalled.stopReason).toBe('error');
    expect(stalled.error).toMatch(/first token|timed out|timeout/i);
    expect(stalled.error).toContain('127.0.0.1');
  });

  it('fails over from a dead replica to a live one and marks the dead one unhealthy', async () => {
    const c = core();
    const dead = await deadBaseUrl();
    const s = await server(sseStream({ tokens }));
    const t = await c.invoke('targets.add', { name: 'pool', baseUrls: [dead, s.baseUrl] });
    const rec = await c.runs.wait((await c.invoke('runs.start', { target: { kind: 'remote', targetId: t.id, model: 'm' }, userMessage: 'x' })).runId);
    expect(rec.output).toBe(tokens.join(''));
    const [d, live] = (await c.invoke('targets.list', {}))[0]?.replicas ?? [];
    expect(d?.healthy).toBe(false);
    expect(d?.lastError).toBeTruthy();
    expect(live?.healthy).toBe(true);
  });

  it('rejects bad target input with the field named', async () => {
    const c = core();
    await expect(c.invoke('targets.add', { name: 'x', baseUrls: ['ftp://nope'] })).rejects.toThrow(/baseUrls\.0/);
    await expect(c.invoke('targets.add', { name: 'x', baseUrls: ['http://user:pw@host/v1'] })).rejects.toThrow(/without credentials/);
    await expect(c.invoke('targets.add', { name: '', baseUrls: ['http://h/v1'] })).rejects.toThrow(/name/);
    await expect(c.invoke('targets.add', { name: 'x', baseUrls: ['http://h/v1'], headers: { 'x-tenant': 'a\nb' } })).rejects.toThrow(/headers\.x-tenant.*line breaks/);
    await expect(c.invoke('runs.start', { target: { kind: 'remote', targetId: 'nope', model: 'm' }, userMessage: 'x' })).rejects.toThrow(/No remote target/);
  });
});

describe('against Lamplight\'s own API server (a real OpenAI-compatible peer)', () => {
  it('checks, lists and streams from a second Lamplight over HTTP, and both sides store the run', async () => {
    const fx = await ensureFixtureModels(undefined, ['tinyQ8_0']);
    const server = core();
    const m = await server.invoke('models.add', { path: fx.tinyQ8_0 });
    await server.invoke('engine.load', { modelId: m.id, settings: { gpu: 'cpu', contextSize: 512, threads: 1 } });
    const { status, key } = await server.invoke('apiServer.start', { port: 0, parallel: 1 });
    expect(status.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);

    const client = core();
    const t = await client.invoke('targets.add', { name: 'peer', baseUrls: [status.baseUrl as string], apiKey: key });
    const check = await client.invoke('targets.check', { targetId: t.id });
    const modelId = FIXTURE_FILES.tinyQ8_0.replace(/\.gguf$/, '');
    expect(check.models.map((x) => x.id)).toEqual([modelId]);
    const rec = await client.runs.wait(
      (await client.invoke('runs.start', { target: { kind: 'remote', targetId: t.id, model: modelId }, userMessage: 'Hello', params: { maxTokens: 12, temperature: 0 } })).runId,
    );
    expect(rec.stopReason).toBe('maxTokens');
    expect(rec.completionTokens).toBe(12);
    expect(rec.ttftMs).toBeGreaterThan(0);
    const served = (await server.invoke('runs.list', {})).find((r) => r.source === 'api');
    expect(served).toBeDefined();
    expect((await server.invoke('runs.get', { runId: served?.id as string })).output).toBe(rec.output);

    const wrongKey = await client.invoke('targets.add', { name: 'peer, wrong key', baseUrls: [status.baseUrl as string], apiKey: 'nope-nope-nope' });
    const denied = await client.runs.wait((await client.invoke('runs.start', { target: { kind: 'remote', targetId: wrongKey.id, model: 'x' }, userMessage: 'Hello' })).runId);
    expect(denied.error).toMatch(/401|API key/i);
  });
});

describe('compare', () => {
  it('runs one prompt on the local model and a remote target side by side and stores the comparison', async () => {
    const fx = await ensureFixtureModels(undefined, ['tinyQ8_0']);
    const c = core();
    const m = await c.invoke('models.add', { path: fx.tinyQ8_0 });
    await c.invoke('engine.load', { modelId: m.id, settings: { gpu: 'cpu', contextSize: 512 } });
    const s = await server(sseStream({ tokens, firstAtMs: 20, everyMs: 10 }));
    const t = await c.invoke('targets.add', { name: 'remote', baseUrls: [s.baseUrl] });
    const { comparisonId, runIds } = await c.invoke('compare.start', {
      userMessage: 'Describe {{thing}}',
      variables: { thing: 'tides' },
      params: { maxTokens: 8, temperature: 0 },
      columns: [
        { kind: 'local', modelId: m.id },
        { kind: 'remote', targetId: t.id, model: 'qwen' },
      ],
    });
    expect(runIds).toHaveLength(2);
    const [local, remote] = await Promise.all(runIds.map((id) => c.runs.wait(id)));
    expect(local?.completionTokens).toBe(8);
    expect(remote?.output).toBe(tokens.join(''));
    expect((s.requests[0]?.body as { messages: { content: string }[] }).messages.at(-1)?.content).toBe('Describe tides');
    const stored = await c.invoke('compare.get', { comparisonId });
    expect(stored.comparison.runIds).toEqual(runIds);
    expect(stored.runs.map((r) => r.source)).toEqual(['compare', 'compare']);
    const list = await c.invoke('compare.list', {});
    expect(list[0]?.columns.map((col) => col.target.kind)).toEqual(['local', 'remote']);
  });

  it('a column that cannot start stops the whole comparison with a clear error', async () => {
    const fx = await ensureFixtureModels(undefined, ['tinyQ8_0']);
    const c = core();
    const m = await c.invoke('models.add', { path: fx.tinyQ8_0 });
    await expect(
      c.invoke('compare.start', { userMessage: 'x', columns: [{ kind: 'local', modelId: m.id }] }),
    ).rejects.toThrow(/not loaded/);
    expect(await c.invoke('compare.list', {})).toEqual([]);
  });
});
