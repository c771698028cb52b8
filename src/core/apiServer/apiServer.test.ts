// The local OpenAI-compatible server driven by the official `openai` client: real HTTP, real worker, real
// llama.cpp on the generated tiny model, real run history.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServerStatus } from '../../shared/apiServer.schema';
import { ApiServerSettings } from '../../shared/apiServer.schema';
import type { ModelInfo } from '../../shared/models.schema';
import type { Core } from '../createCore';
import { ensureFixtureModels, FIXTURE_FILES } from '../fixtures/ensureFixtures';
import { openTestCore } from '../testing/testCore';

let core: Core;
let model: ModelInfo;
let baseURL: string;
let key: string;
let client: OpenAI;
const statuses: ApiServerStatus[] = [];
/** Every generation request the tests make, by run id: all must be in the history with source 'api'. */
const apiRunIds = new Set<string>();
const MODEL = FIXTURE_FILES.tinyQ8_0.replace(/\.gguf$/, '');

const runIdOf = (id: string) => id.replace(/^(chatcmpl|cmpl)-/, '');
const track = <T extends { id: string }>(r: T): T => (apiRunIds.add(runIdOf(r.id)), r);

beforeAll(async () => {
  const fx = await ensureFixtureModels();
  core = openTestCore();
  core.on('apiServer.status', (s) => statuses.push(s));
  model = await core.invoke('models.add', { path: fx.tinyQ8_0 });
  await core.models.idle(); // hashed, so audit records name the file's sha256
  // One thread: on a 2-core machine shared with other work, two spinning llama.cpp threads can slow decode
  // many times over; these tests check behaviour, not speed.
  await core.invoke('engine.load', { modelId: model.id, settings: { gpu: 'cpu', contextSize: 512, threads: 1 } });
  expect(core.engine.status.settings?.sequences).toBe(1);
  const started = await core.apiServer.start(ApiServerSettings.parse({ port: 0, parallel: 2 }));
  baseURL = started.status.baseUrl as string;
  key = started.key;
  client = new OpenAI({ baseURL, apiKey: key, maxRetries: 0 });
});
afterAll(async () => {
  await core?.close();
});

async function raw(path: string, init: RequestInit & { auth?: string | null } = {}): Promise<{ status: number; body: { error?: { message: string; type: string; param: string | null; code: string | null } } }> {
  const auth = init.auth === undefined ? `Bearer ${key}` : init.auth;
  const res = await fetch(`${baseURL}${path}`, {
    ...init,
    headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
  });
  return { status: res.status, body: (await res.json()) as never };
}

describe('starting', () => {
  it('needs a loaded model, reloads it with `parallel` sequences, and returns a generated key once', async () => {
    const bare = openTestCore();
    try {
      await expect(bare.apiServer.start(ApiServerSettings.parse({ port: 0 }))).rejects.toMatchObject({
        code: 'CONFLICT',
        message: expect.stringMatching(/Load a local model/),
      });
    } finally {
      await bare.close();
    }
    expect(core.engine.status.settings).toMatchObject({ sequences: 2, contextSize: 512, threads: 1 });
    expect(baseURL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect(key).toMatch(/^lamplight-[\w-]{32}$/);
    const st = await core.invoke('apiServer.status', {});
    expect(st).toMatchObject({ running: true, baseUrl: baseURL, parallel: 2, modelId: model.id });
    expect(statuses.at(-1)?.running).toBe(true);
    await expect(core.apiServer.start(ApiServerSettings.parse({ port: 0 }))).rejects.toThrow(/already running/);
  });
});

describe('OpenAI endpoints', () => {
  it('lists the loaded model', async () => {
    const list = await client.models.list();
    expect(list.data).toEqual([{ id: MODEL, object: 'model', created: expect.any(Number), owned_by: 'lamplight' }]);
    expect((await client.models.retrieve(MODEL)).id).toBe(MODEL);
    await expect(client.models.retrieve('gpt-4o')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('chat, not streaming: content, usage, finish_reason length at max_tokens, stored as an api run', async () => {
    const r = track(
      await client.chat.completions.create({
        model: MODEL,
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hello' },
        ],
        max_tokens: 8,
        temperature: 0,
        seed: 1,
      }),
    );
    expect(r.object).toBe('chat.completion');
    expect(r.model).toBe(MODEL);
    const choice = r.choices[0];
    expect(choice?.message.role).toBe('assistant');
    expect(choice?.message.content?.length).toBeGreaterThan(0);
    expect(choice?.finish_reason).toBe('length');
    expect(r.usage?.completion_tokens).toBe(8);
    expect(r.usage?.prompt_tokens).toBeGreaterThan(5);
    expect(r.usage?.total_tokens).toBe((r.usage?.prompt_tokens ?? 0) + 8);

    const rec = await core.invoke('runs.get', { runId: runIdOf(r.id) });
    expect(rec).toMatchObject({ source: 'api', target: { kind: 'local', modelId: model.id }, systemPrompt: 'Be brief.', userMessage: 'Hello' });
    expect(rec.output).toBe(choice?.message.content);
    expect(rec.stopReason).toBe('maxTokens');
    expect(rec.params).toMatchObject({ maxTokens: 8, temperature: 0, seed: 1 });
    expect(rec.renderedPrompt).toContain('<|im_start|>system\nBe brief.<|im_end|>');
    expect(rec.promptTokens).toBe(r.usage?.prompt_tokens);
    expect(rec.ttftMs).toBeGreaterThan(0);
    expect(rec.e2eMs).toBeGreaterThanOrEqual(rec.ttftMs as number);

    // Audited like every AI path: as the profile that started the server, with the model file's hash.
    const audit = (await core.invoke('audit.list', { filter: { path: 'api' }, limit: 50 })).records.find((a) => a.runId === rec.id);
    expect(audit).toMatchObject({ kind: 'ai_call', role: 'admin', finishReason: 'maxTokens', completionTokens: 8, target: { kind: 'local', modelId: model.id } });
    expect(audit?.target?.kind === 'local' && audit.target.modelSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('chat, multi-turn: the whole conversation reaches the model and history keeps a transcript', async () => {
    const r = track(
      await client.chat.completions.create({
        model: MODEL,
        messages: [
          { role: 'developer', content: 'Rules.' },
          { role: 'user', content: 'one' },
          { role: 'assistant', content: 'two' },
          { role: 'user', content: [{ type: 'text', text: 'three' }] },
        ],
        max_completion_tokens: 4,
        // Greedy: sampled text from a random-weight model can spell a stop trigger and end early.
        temperature: 0,
      }),
    );
    const rec = await core.invoke('runs.get', { runId: runIdOf(r.id) });
    expect(rec.systemPrompt).toBe('Rules.');
    expect(rec.userMessage).toBe('[user]\none\n\n[assistant]\ntwo\n\n[user]\nthree');
    expect(rec.renderedPrompt).toMatch(/user\none<\|im_end\|>\n<\|im_start\|>assistant\ntwo<\|im_end\|>\n<\|im_start\|>user\nthree/);
    expect(r.usage?.completion_tokens).toBe(4);
  });

  it('chat, streaming with include_usage: role first, deltas that add up to the stored output, then usage and [DONE]', async () => {
    const stream = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'Stream please' }],
      max_tokens: 24,
      temperature: 0,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const ch of stream) chunks.push(ch);
    track(chunks[0] as OpenAI.ChatCompletionChunk);
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    const finish = chunks.filter((c) => c.choices[0]?.finish_reason);
    expect(finish.map((c) => c.choices[0]?.finish_reason)).toEqual(['length']);
    const last = chunks.at(-1) as OpenAI.ChatCompletionChunk;
    expect(last.choices).toEqual([]);
    expect(last.usage).toMatchObject({ completion_tokens: 24, total_tokens: (last.usage?.prompt_tokens ?? 0) + 24 });
    // Content chunks are the worker's batches (first token alone, then ~30 ms batches), never one per token.
    const rec = await core.runs.wait(runIdOf(last.id));
    expect(text).toBe(rec.output);
    expect(rec.completionTokens).toBe(24);
    expect(rec.chunkTimesMs.length).toBeGreaterThan(0);
  });

  it('completions, streaming and not: a raw prompt without the chat template', async () => {
    const r = track(await client.completions.create({ model: MODEL, prompt: 'Once upon a time', max_tokens: 10, temperature: 0 }));
    expect(r.object).toBe('text_completion');
    expect(r.choices[0]?.finish_reason).toBe('length');
    expect(r.choices[0]?.text.length).toBeGreaterThan(0);
    expect(r.usage?.completion_tokens).toBe(10);
    const rec = await core.invoke('runs.get', { runId: runIdOf(r.id) });
    expect(rec.renderedPrompt).toBe('Once upon a time');
    expect(rec.userMessage).toBe('Once upon a time');
    expect(rec.output).toBe(r.choices[0]?.text);

    const stream = await client.completions.create({ model: MODEL, prompt: 'Once upon a time', max_tokens: 10, temperature: 0, stream: true });
    let text = '';
    let id = '';
    const reasons: (string | null)[] = [];
    for await (const ch of stream) {
      id = ch.id;
      text += ch.choices[0]?.text ?? '';
      reasons.push(ch.choices[0]?.finish_reason ?? null);
    }
    apiRunIds.add(runIdOf(id));
    expect(reasons.at(-1)).toBe('length');
    expect(text).toBe(r.choices[0]?.text); // greedy: the same text both ways
  });

  it('response_format json_schema gives parseable JSON that matches the schema', async () => {
    const r = track(
      await client.chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: 'JSON please' }],
        max_tokens: 64,
        temperature: 0,
        response_format: {
          type: 'json_schema',
          json_schema: { name: 'flag', schema: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] } },
        },
      }),
    );
    expect(r.choices[0]?.finish_reason).toBe('stop');
    const value = JSON.parse(r.choices[0]?.message.content as string) as { ok: unknown };
    expect(typeof value.ok).toBe('boolean');
    const rec = await core.invoke('runs.get', { runId: runIdOf(r.id) });
    expect(JSON.parse(rec.jsonSchema as string)).toMatchObject({ required: ['ok'] });
  });

  it('a stop sequence ends with finish_reason stop and leaves the sequence out', async () => {
    const base = { model: MODEL, messages: [{ role: 'user' as const, content: 'Count' }], max_tokens: 12, temperature: 0, seed: 1 };
    const full = track(await client.chat.completions.create(base)).choices[0]?.message.content as string;
    expect(full.length).toBeGreaterThan(4);
    const stop = full.trim().slice(2, 5);
    const r = track(await client.chat.completions.create({ ...base, stop }));
    expect(r.choices[0]?.finish_reason).toBe('stop');
    expect(r.choices[0]?.message.content).not.toContain(stop);
    const rec = await core.invoke('runs.get', { runId: runIdOf(r.id) });
    expect(rec.stopReason).toBe('stopSequence');
  });

  it('embeddings: one vector per input, of the model’s embedding size (floats and base64)', async () => {
    const r = await client.embeddings.create({ model: MODEL, input: ['lamp', 'light'], encoding_format: 'float' });
    expect(r.data.map((d) => d.index)).toEqual([0, 1]);
    for (const d of r.data) {
      expect(d.embedding).toHaveLength(model.metadata.embeddingLength as number);
      expect(d.embedding.every(Number.isFinite)).toBe(true);
    }
    expect(r.data[0]?.embedding).not.toEqual(r.data[1]?.embedding);
    expect(r.usage.prompt_tokens).toBeGreaterThan(0);
    // The client asks for base64 by default and decodes it: the same numbers must come back.
    const b = await client.embeddings.create({ model: MODEL, input: 'lamp' });
    expect(b.data[0]?.embedding.length).toBe(r.data[0]?.embedding.length);
    b.data[0]?.embedding.forEach((x, i) => expect(x).toBeCloseTo(r.data[0]?.embedding[i] as number, 4));
  });
});

describe('errors in OpenAI shape', () => {
  it('a wrong or missing key is 401', async () => {
    const wrong = new OpenAI({ baseURL, apiKey: 'not-the-key', maxRetries: 0 });
    await expect(wrong.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    const missing = await raw('/models', { auth: null });
    expect(missing.status).toBe(401);
    expect(missing.body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_api_key', param: null });
  });

  it('bad bodies are 400 naming the field; unknown routes and models 404; oversized bodies 413', async () => {
    const e = (await client.chat.completions
      .create({ model: MODEL, messages: [{ role: 'user', content: 'x' }], temperature: 'hot' as unknown as number })
      .catch((x: unknown) => x)) as InstanceType<typeof OpenAI.BadRequestError>;
    expect(e).toBeInstanceOf(OpenAI.BadRequestError);
    expect(e.param).toBe('temperature');
    expect(e.message).toMatch(/temperature/);

    const cases: [string, unknown, string | null, RegExp][] = [
      ['/chat/completions', { model: MODEL }, 'messages', /Missing required parameter: 'messages'/],
      ['/chat/completions', { messages: [{ role: 'tool', content: 'x' }] }, 'messages[0].role', /tool messages are not supported/],
      ['/chat/completions', { messages: [{ role: 'user', content: 'x' }, { role: 'assistant', content: 'y' }] }, 'messages', /last message/],
      ['/chat/completions', { messages: [{ role: 'user', content: 'x' }], n: 2 }, 'n', /one choice/],
      ['/chat/completions', { messages: [{ role: 'user', content: 'x' }], max_tokens: 0 }, 'max_tokens', /max_tokens/],
      ['/chat/completions', { messages: [{ role: 'user', content: 'x' }], response_format: { type: 'xml' } }, 'response_format.type', /json_schema/],
      ['/completions', { prompt: [1, 2, 3] }, 'prompt', /token arrays/],
      ['/embeddings', { input: '' }, 'input', /empty string/],
    ];
    for (const [path, body, param, message] of cases) {
      const r = await raw(path, { method: 'POST', body: JSON.stringify(body) });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error?.param, JSON.stringify(body)).toBe(param);
      expect(r.body.error?.message).toMatch(message);
      expect(r.body.error?.type).toBe('invalid_request_error');
    }
    const badJson = await raw('/chat/completions', { method: 'POST', body: '{"messages": [' });
    expect(badJson.status).toBe(400);
    expect(badJson.body.error?.message).toMatch(/could not parse the JSON body/);

    const route = await raw('/nope', { method: 'POST', body: '{}' });
    expect(route.status).toBe(404);
    expect(route.body.error?.message).toBe('Invalid URL (POST /v1/nope)');
    await expect(
      client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toBeInstanceOf(OpenAI.NotFoundError);

    const big = await raw('/chat/completions', { method: 'POST', body: JSON.stringify({ messages: [{ role: 'user', content: 'x'.repeat(9 << 20) }] }) });
    expect(big.status).toBe(413);
    expect(big.body.error?.code).toBe('request_too_large');
  });
});

describe('concurrency and cancellation', () => {
  it('two streams with parallel=2 decode at the same time', async () => {
    const t0 = performance.now();
    const one = async (content: string) => {
      const stream = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content }], max_tokens: 120, temperature: 0, stream: true });
      let first = Infinity;
      let last = 0;
      let id = '';
      let text = '';
      for await (const ch of stream) {
        id = ch.id;
        const delta = ch.choices[0]?.delta.content;
        if (!delta) continue;
        const now = performance.now() - t0;
        first = Math.min(first, now);
        last = now;
        text += delta;
      }
      apiRunIds.add(runIdOf(id));
      return { first, last, id, text };
    };
    const [a, b] = await Promise.all([one('first stream'), one('second stream')]);
    // Each stream's tokens span an interval; queued one after another they would not overlap at all.
    expect(a.first).toBeLessThan(b.last);
    expect(b.first).toBeLessThan(a.last);
    const overlap = Math.min(a.last, b.last) - Math.max(a.first, b.first);
    expect(overlap).toBeGreaterThan(0);
    for (const s of [a, b]) {
      const rec = await core.runs.wait(runIdOf(s.id));
      expect(rec.stopReason).toBe('maxTokens');
      expect(rec.completionTokens).toBe(120);
      expect(rec.output).toBe(s.text);
    }
  });

  it('a client that aborts mid-stream ends its run as abort', async () => {
    const stream = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'Go on forever' }],
      max_tokens: 100_000,
      stream: true,
    });
    let id = '';
    for await (const ch of stream) {
      id = ch.id;
      if (ch.choices[0]?.delta.content) break; // leaving the loop aborts the request
    }
    apiRunIds.add(runIdOf(id));
    const rec = await core.runs.wait(runIdOf(id));
    expect(rec.stopReason).toBe('abort');
    expect(rec.output.length).toBeGreaterThan(0);
    expect(rec.completionTokens).toBeLessThan(100_000);
  });

  it('every generation request is in the run history with source api', async () => {
    const runs = await core.invoke('runs.list', { limit: 1000 });
    const byId = new Map(runs.map((r) => [r.id, r]));
    expect(apiRunIds.size).toBe(11);
    for (const id of apiRunIds) {
      expect(byId.get(id)?.source, id).toBe('api');
      expect(byId.get(id)?.status).toBe('done');
    }
    // Requests refused before reaching the model (400, 401, 404, 413) leave no run behind.
    expect(runs.map((r) => r.id).sort()).toEqual([...apiRunIds].sort());
    expect(core.apiServer.status().requests).toBeGreaterThanOrEqual(apiRunIds.size);
  });
});

describe('stopping', () => {
  it('with no model loaded requests get 503; stop() ends streams in flight and closes the port', async () => {
    const stream = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'long' }], max_tokens: 100_000, stream: true });
    const it1 = stream[Symbol.asyncIterator]();
    const first = (await it1.next()).value as OpenAI.ChatCompletionChunk;
    const stopped = await core.invoke('apiServer.stop', {});
    expect(stopped).toMatchObject({ running: false, baseUrl: null });
    await expect((async () => {
      for (;;) if ((await it1.next()).done) return;
    })()).rejects.toThrow();
    expect((await core.runs.wait(runIdOf(first.id))).stopReason).toBe('abort');
    await expect(fetch(`${baseURL}/models`)).rejects.toThrow();

    // Restarted with the user's own key, then the model goes away.
    const again = await core.apiServer.start(ApiServerSettings.parse({ port: 0, key: 'my-own-key-123', parallel: 2 }));
    expect(again.key).toBe('my-own-key-123');
    const c2 = new OpenAI({ baseURL: again.status.baseUrl as string, apiKey: 'my-own-key-123', maxRetries: 0 });
    await core.invoke('engine.unload', {});
    expect(core.apiServer.status().modelId).toBeNull();
    expect((await c2.models.list()).data).toEqual([]);
    const err = (await c2.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] }).catch((x: unknown) => x)) as InstanceType<
      typeof OpenAI.APIError
    >;
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    expect(err.status).toBe(503);
    expect(err.code).toBe('model_not_loaded');
    await core.apiServer.stop();
  });
});
