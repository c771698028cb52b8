// Lamplight against a real peer: llama.cpp's own llama-server (built from the source node-llama-cpp ships,
// `lamplight engine build-server`; npm test builds it first) serving a generated model on 127.0.0.1. The
// remote client, compare, evaluations and the latency lab run against it, and the official openai client
// is the reference for what a request should return. Text is noise: checks are about requests and counts.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunTarget } from '../../shared/runs.schema';
import type { Core } from '../createCore';
import { savePrompt } from '../evals/testing';
import { ensureFixtureModels } from '../fixtures/ensureFixtures';
import { PromptsRepo } from '../prompts/prompts.repo';
import { PromptsService } from '../prompts/prompts.service';
import { openTestCore } from '../testing/testCore';
import { builtServer } from './buildServer';
import { startLlamaServer, type LlamaServer } from './llamaServerProcess';

let server: LlamaServer;
let core: Core;
let target: RunTarget & { kind: 'remote' };
let modelName: string;

beforeAll(async () => {
  const binary = builtServer('cpu');
  if (!binary) throw new Error('llama-server is not built for this llama.cpp: run `npx lamplight engine build-server` (npm test runs it first; ~5 min once, then cached)');
  const fx = await ensureFixtureModels(undefined, ['tinyQ8_0']);
  // One thread: the test process and the server share 2 cores.
  server = await startLlamaServer({ binary, model: fx.tinyQ8_0, threads: 1, contextSize: 2048, parallel: 4, lifetimeMs: 600_000 });
  core = openTestCore();
  const t = await core.invoke('targets.add', { name: 'llama-server', baseUrls: [server.baseUrl] });
  const check = await core.invoke('targets.check', { targetId: t.id });
  modelName = check.models[0]?.id ?? 'model';
  target = { kind: 'remote', targetId: t.id, model: modelName };
}, 180_000);

afterAll(async () => {
  await core?.close();
  await server?.stop();
});

const greedy = { temperature: 0, seed: 7, maxTokens: 12 };

describe('llama-server as the remote peer', () => {
  it('health check lists the served model with its latency', async () => {
    const check = await core.invoke('targets.check', { targetId: target.targetId });
    expect(check.replicas[0]).toMatchObject({ ok: true });
    expect(check.models.map((m) => m.id)).toContain(modelName);
  });

  it('streams runs with no failures, also after keep-alive sockets sat idle past the server\'s timeout', async () => {
    const outcomes: string[] = [];
    for (let burst = 0; burst < 3; burst++) {
      for (let i = 0; i < 4; i++) {
        const { runId } = await core.invoke('runs.start', { target, userMessage: `Burst ${burst} request ${i}`, params: greedy });
        const r = await core.runs.wait(runId);
        outcomes.push(r.error ? `error: ${r.error}` : String(r.stopReason));
        if (!r.error) expect(r.ttftMs).toBeGreaterThan(0);
      }
      // llama-server closes idle keep-alive connections after 5 s: the next request meets a closed socket.
      if (burst < 2) await new Promise((r) => setTimeout(r, 5_600));
    }
    expect(outcomes.filter((o) => o.startsWith('error'))).toEqual([]);
  }, 120_000);

  it('streams 24 requests back to back with no failures (cpp-httplib ends a keep-alive connection after 5 requests)', async () => {
    const outcomes: string[] = [];
    for (let i = 0; i < 24; i++) {
      const { runId } = await core.invoke('runs.start', { target, userMessage: `Back to back ${i}`, params: { ...greedy, maxTokens: 4 } });
      const r = await core.runs.wait(runId);
      outcomes.push(r.error ? `error: ${r.error}` : String(r.stopReason));
    }
    expect(outcomes.filter((o) => o.startsWith('error'))).toEqual([]);
  }, 120_000);

  it('returns what the official openai client gets for the same greedy request', async () => {
    const client = new OpenAI({ baseURL: server.baseUrl, apiKey: 'unused', maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model: modelName,
      messages: [{ role: 'user', content: 'Name three rivers' }],
      temperature: 0,
      seed: 7,
      max_tokens: 12,
      stream: true,
    });
    let reference = '';
    for await (const chunk of stream) reference += chunk.choices[0]?.delta?.content ?? '';
    const { runId } = await core.invoke('runs.start', { target, userMessage: 'Name three rivers', params: greedy });
    const r = await core.runs.wait(runId);
    expect(r.error).toBeNull();
    expect(r.output).toBe(reference);
  }, 60_000);

  it('compares two columns side by side', async () => {
    const cmp = await core.invoke('compare.start', { userMessage: 'Compare me', params: greedy, columns: [target, target] });
    const runs = await Promise.all(cmp.runIds.map((id) => core.runs.wait(id)));
    expect(runs.map((r) => r.error)).toEqual([null, null]);
    expect(runs[0]?.output).toBe(runs[1]?.output); // greedy, same server: the same text
  }, 60_000);

  it('runs an evaluation over its rows with every cell stored', async () => {
    const prompts = new PromptsService(new PromptsRepo(core.db));
    const v = savePrompt(prompts, 'Peer eval', { messages: [{ role: 'user', content: 'Answer {{q}}' }], params: greedy });
    const ev = await core.invoke('evals.create', {
      name: 'peer',
      promptVersionIds: [v],
      targets: [target],
      rows: [1, 2, 3, 4].map((i) => ({ variables: { q: `question ${i}` }, expected: 'x' })),
      assertions: [{ type: 'maxLatency', ms: 600_000 }],
      concurrency: { remote: 2 },
    });
    await core.invoke('evals.start', { evalId: ev.id });
    const done = await core.evals.wait(ev.id);
    expect(done).toMatchObject({ status: 'done', stored: 4, passed: 4, errors: 0 });
  }, 120_000);

  it('benchmarks it at concurrency 1 and 2 with every request completed', async () => {
    const { benchId } = await core.invoke('bench.start', {
      name: 'peer',
      targets: [{ target }],
      workload: { kind: 'synthetic', inputLen: 32, outputLen: 8 },
      loads: [{ kind: 'concurrency', concurrency: 1 }, { kind: 'concurrency', concurrency: 2 }],
      warmupRequests: 1,
      requests: 6,
    });
    const run = await core.bench.wait(benchId);
    expect(run.state).toBe('done');
    for (const r of run.results) {
      expect(r).toMatchObject({ completed: 6, failed: 0 });
      expect(r.ttftMs.median).toBeGreaterThan(0);
      expect(r.outputThroughput).toBeGreaterThan(0);
    }
  }, 180_000);
});
