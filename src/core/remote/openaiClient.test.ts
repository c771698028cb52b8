// The client against a real loopback HTTP server that misbehaves on script: every failure a vLLM server,
// a proxy or the network can produce, and the timings of a stream with known delays.
import { afterEach, describe, expect, it } from 'vitest';
import { latencyMetrics, summarize } from '../../shared/latency';
import { listModels, streamChat, type StreamChatRequest } from './openaiClient';
import { RemoteError } from './remoteError';
import {
  chunkJson,
  deadBaseUrl,
  frame,
  jsonResponse,
  rawStream,
  splitStream,
  sseStream,
  stall,
  startFaultServer,
  type FaultServer,
  type ScriptedResponse,
} from './testing/faultServer';

const API_KEY = 'sk-test-0123456789abcdef';
let servers: FaultServer[] = [];

async function serve(...script: ScriptedResponse[]): Promise<FaultServer> {
  const s = await startFaultServer(script);
  servers.push(s);
  return s;
}

afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

function chatReq(baseUrl: string, extra: Partial<StreamChatRequest> = {}): StreamChatRequest {
  return {
    baseUrl,
    apiKey: API_KEY,
    model: 'test-model',
    messages: [{ role: 'user', content: 'Say hi' }],
    timeouts: { connectMs: 2_000, firstTokenMs: 3_000, idleMs: 2_000 },
    maxRetries: 2,
    retry: { baseDelayMs: 20, maxDelayMs: 40 },
    ...extra,
  };
}

async function failure(p: Promise<unknown>): Promise<RemoteError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(RemoteError);
    const err = e as RemoteError;
    expect(err.message).not.toContain(API_KEY);
    return err;
  }
  throw new Error('expected the request to fail');
}

describe('listModels', () => {
  it('returns the models, LoRA modules with their parent and root, and the latency', async () => {
    const s = await serve(
      jsonResponse(200, {
        object: 'list',
        data: [
          { id: 'meta-llama/Llama-3.1-8B-Instruct', object: 'model', owned_by: 'vllm', root: 'meta-llama/Llama-3.1-8B-Instruct', parent: null, max_model_len: 8192 },
          { id: 'sql-lora', object: 'model', owned_by: 'vllm', root: '/adapters/sql', parent: 'meta-llama/Llama-3.1-8B-Instruct', max_model_len: null },
          { object: 'model' },
        ],
      }),
    );
    const r = await listModels({ baseUrl: s.baseUrl, apiKey: API_KEY, headers: { 'X-Tenant': 'lab' }, timeoutMs: 2_000 });
    expect(r.status).toBe(200);
    expect(r.latencyMs).toBeGreaterThan(0);
    expect(r.models).toEqual([
      { id: 'meta-llama/Llama-3.1-8B-Instruct', ownedBy: 'vllm', root: 'meta-llama/Llama-3.1-8B-Instruct', parent: null, maxModelLen: 8192 },
      { id: 'sql-lora', ownedBy: 'vllm', root: '/adapters/sql', parent: 'meta-llama/Llama-3.1-8B-Instruct', maxModelLen: null },
    ]);
    expect(s.requests[0]).toMatchObject({ method: 'GET', path: '/v1/models' });
    expect(s.requests[0]!.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(s.requests[0]!.headers['x-tenant']).toBe('lab');
  });

  it('says to check the API key on 401, without showing it even when the server echoes it', async () => {
    const s = await serve(jsonResponse(401, { error: { message: `Incorrect API key provided: ${API_KEY}`, type: 'invalid_request_error' } }));
    const e = await failure(listModels({ baseUrl: s.baseUrl, apiKey: API_KEY }));
    expect(e.kind).toBe('auth');
    expect(e.status).toBe(401);
    expect(e.message).toContain(`GET ${s.baseUrl}/models`);
    expect(e.message).toContain('check the API key');
    expect(e.message).toContain('Incorrect API key provided: ***');
    expect(e.serverMessage).not.toContain(API_KEY);
  });

  it('reports a connection refused as connect, and a silent server as a connect timeout', async () => {
    const dead = await deadBaseUrl();
    expect((await failure(listModels({ baseUrl: dead }))).kind).toBe('connect');
    const s = await serve({ headersAtMs: 'never' });
    const t0 = performance.now();
    const e = await failure(listModels({ baseUrl: s.baseUrl, timeoutMs: 150 }));
    expect(e.kind).toBe('connect_timeout');
    expect(performance.now() - t0).toBeLessThan(1_000);
  });

  it('refuses a base URL with credentials in it, without echoing them', async () => {
    const e = await failure(listModels({ baseUrl: 'http://user:hunter2-secret@127.0.0.1:9/v1' }));
    expect(e.kind).toBe('config');
    expect(e.message).not.toContain('hunter2-secret');
  });
});

describe('streamChat: a normal stream', () => {
  it('streams the text, usage and timings and sends the OpenAI/vLLM request body', async () => {
    const s = await serve(sseStream({ tokens: ['Hel', 'lo', ' wor', 'ld'], firstAtMs: 10, everyMs: 5 }));
    const deltas: string[] = [];
    const r = await streamChat(
      chatReq(s.baseUrl, {
        params: {
          maxTokens: 64,
          temperature: 0.2,
          topP: 0.9,
          topK: 20,
          minP: null,
          repetitionPenalty: 1,
          seed: 7,
          stop: ['\n\n'],
          jsonSchema: { type: 'object', properties: { a: { type: 'string' } } },
        },
      }),
      (d) => deltas.push(d),
    );
    expect(r.text).toBe('Hello world');
    expect(deltas).toEqual(['Hel', 'lo', ' wor', 'ld']);
    expect(r.finishReason).toBe('stop');
    expect(r.usage).toEqual({ promptTokens: 7, completionTokens: 4 });
    expect(r.model).toBe('test-model');
    expect(r).toMatchObject({ status: 200, attempts: 1 });
    // Content chunks only; the role chunk, the finish chunk and the usage chunk are raw chunks.
    expect(r.chunkTimesMs).toHaveLength(4);
    expect(r.rawChunkTimesMs).toHaveLength(7);
    expect(r.chunkTimesMs[0]!).toBeGreaterThanOrEqual(r.startMs);
    expect(r.endMs).toBeGreaterThanOrEqual(r.chunkTimesMs[3]!);

    const req = s.requests[0]!;
    expect(req).toMatchObject({ method: 'POST', path: '/v1/chat/completions' });
    expect(req.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(req.body).toEqual({
      model: 'test-model',
      messages: [{ role: 'user', content: 'Say hi' }],
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 64,
      temperature: 0.2,
      top_p: 0.9,
      top_k: 20,
      seed: 7,
      stop: ['\n\n'],
      response_format: { type: 'json_schema', json_schema: { name: 'output', schema: { type: 'object', properties: { a: { type: 'string' } } } } },
    });
  });

  it('reassembles frames split across reads inside "\\r\\n", inside "data:" and inside UTF-8 characters', async () => {
    const tokens = ['héllo', ' 🌍', ' 日本', '語!'];
    const text =
      frame(chunkJson({ role: 'assistant', content: '' }), '\r\n') +
      ': ping\r\n\r\n' +
      tokens.map((t) => frame(chunkJson({ content: t }), '\r\n')).join('') +
      frame(chunkJson({ content: '', finishReason: 'stop' }), '\r\n') +
      'data:[DONE]\r\n\r\n';
    const bytes = new TextEncoder().encode(text);
    const at = (needle: string, plus: number) => Buffer.from(bytes).indexOf(Buffer.from(needle)) + plus;
    const cuts = [
      at('\r\n', 1), // between \r and \n
      at('data', 2), // inside "data:"
      at('é', 1), // inside a 2-byte char
      at('🌍', 2), // inside a 4-byte char
      at('日', 1), // inside a 3-byte char
      at('語', 2),
      at('[DONE]', 3),
    ];
    const s = await serve(splitStream(bytes, cuts, 15));
    const deltas: string[] = [];
    const r = await streamChat(chatReq(s.baseUrl), (d) => deltas.push(d));
    expect(deltas).toEqual(tokens);
    expect(r.text).toBe(tokens.join(''));
    expect(r.finishReason).toBe('stop');
  });
});

describe('streamChat: timings match a server with known delays', () => {
  it('measures TTFT ≈ 120 ms and ITL ≈ 40 ms (first chunk after 120 ms, then one every 40 ms, 10 chunks)', async () => {
    const X = 120;
    const Y = 40;
    const N = 10;
    const RUNS = 5;
    const tokens = Array.from({ length: N }, (_, i) => `t${i} `);
    // One warm-up run: the first fetch in a process loads undici, which is not the server's latency.
    const s = await serve(sseStream({ tokens: ['warm'] }), ...Array.from({ length: RUNS }, () => sseStream({ tokens, firstAtMs: X, everyMs: Y })));
    await streamChat(chatReq(s.baseUrl));
    const ttfts: number[] = [];
    const itlMeans: number[] = [];
    const tpots: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const r = await streamChat(chatReq(s.baseUrl));
      expect(r.chunkTimesMs).toHaveLength(N);
      const m = latencyMetrics({ startMs: r.startMs, chunkTimesMs: r.chunkTimesMs, outputTokens: r.usage!.completionTokens, endMs: r.endMs });
      ttfts.push(m.ttftMs!);
      itlMeans.push(summarize(m.itlMs).mean!);
      tpots.push(m.tpotMs!);
    }
    const ttft = summarize(ttfts);
    const itl = summarize(itlMeans);
    const tpot = summarize(tpots);
    console.log(
      `[latency] injected TTFT ${X} ms, ITL ${Y} ms × ${N} chunks; measured over ${RUNS} runs: ` +
        `TTFT median ${ttft.median!.toFixed(2)} ms (${ttfts.map((v) => v.toFixed(1)).join(', ')}), ` +
        `ITL mean ${itl.mean!.toFixed(2)} ms, TPOT mean ${tpot.mean!.toFixed(2)} ms`,
    );
    expect(Math.abs(ttft.median! - X)).toBeLessThanOrEqual(8);
    expect(Math.abs(itl.mean! - Y)).toBeLessThanOrEqual(5);
    expect(Math.abs(tpot.mean! - Y)).toBeLessThanOrEqual(5);
  });
});

describe('streamChat: timeouts', () => {
  it('gives up with first_token_timeout when headers come but no token does', async () => {
    const s = await serve(stall());
    const t0 = performance.now();
    const e = await failure(streamChat(chatReq(s.baseUrl, { timeouts: { connectMs: 2_000, firstTokenMs: 250, idleMs: 5_000 } })));
    expect(e.kind).toBe('first_token_timeout');
    expect(e.message).toContain('250 ms');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(240);
    expect(performance.now() - t0).toBeLessThan(1_500);
    expect(s.requests).toHaveLength(1);
  });

  it('gives up with idle_timeout when the stream goes silent, keeping the text and not retrying', async () => {
    const s = await serve(sseStream({ tokens: ['one', ' two'], everyMs: 10, then: 'hang', done: false }));
    const e = await failure(streamChat(chatReq(s.baseUrl, { timeouts: { connectMs: 2_000, firstTokenMs: 5_000, idleMs: 200 } })));
    expect(e.kind).toBe('idle_timeout');
    expect(e.partialText).toBe('one two');
    expect(e.firstTokenReceived).toBe(true);
    expect(s.requests).toHaveLength(1);
    await expect.poll(() => s.requests[0]!.closedByClient, { timeout: 1_000 }).toBe(true);
  });

  it('retries a connect timeout (no headers) and reports it when every attempt times out', async () => {
    const s = await serve({ headersAtMs: 'never' }, { headersAtMs: 'never' });
    const e = await failure(streamChat(chatReq(s.baseUrl, { maxRetries: 1, timeouts: { connectMs: 150, firstTokenMs: 5_000, idleMs: 5_000 } })));
    expect(e.kind).toBe('connect_timeout');
    expect(e.attempts).toBe(2);
    expect(e.message).toContain('after 2 attempts');
    expect(s.requests).toHaveLength(2);
  });
});

describe('streamChat: server errors', () => {
  it('401: auth, not retried, says to check the API key', async () => {
    const s = await serve(jsonResponse(401, { error: 'Unauthorized' }));
    const e = await failure(streamChat(chatReq(s.baseUrl)));
    expect(e).toMatchObject({ kind: 'auth', status: 401, attempts: 1, partialText: '' });
    expect(e.message).toContain(`POST ${s.baseUrl}/chat/completions: 401`);
    expect(e.message).toContain('check the API key');
    expect(s.requests).toHaveLength(1);
  });

  it('404 with a JSON body: not_found carrying the server message', async () => {
    const s = await serve(jsonResponse(404, { object: 'error', message: 'The model `nope` does not exist.', type: 'NotFoundError', param: null, code: 404 }));
    const e = await failure(streamChat(chatReq(s.baseUrl, { model: 'nope' })));
    expect(e).toMatchObject({ kind: 'not_found', status: 404, serverMessage: 'The model `nope` does not exist.' });
    expect(e.message).toContain('The model `nope` does not exist.');
    expect(s.requests).toHaveLength(1);
  });

  it('400: bad_request with the server message', async () => {
    const s = await serve(jsonResponse(400, { error: { message: "This model's maximum context length is 8192 tokens.", type: 'BadRequestError', code: 400 } }));
    const e = await failure(streamChat(chatReq(s.baseUrl)));
    expect(e.kind).toBe('bad_request');
    expect(e.message).toContain('maximum context length is 8192 tokens');
  });

  it('400 to a request with a JSON schema: the message says the schema was likely refused (llama-server words it as a sampler failure)', async () => {
    const body = { error: { code: 400, message: 'Failed to initialize samplers', type: 'invalid_request_error' } };
    const schema = { type: 'object', properties: { total: { type: 'number' } } };
    const withSchema = await serve(jsonResponse(400, body));
    const e = await failure(streamChat(chatReq(withSchema.baseUrl, { params: { jsonSchema: schema } })));
    expect(e.kind).toBe('bad_request');
    expect(e.message).toMatch(/Failed to initialize samplers\. The request asked for output in a JSON schema/);
    const without = await serve(jsonResponse(400, body));
    const plain = await failure(streamChat(chatReq(without.baseUrl)));
    expect(plain.message).not.toMatch(/JSON schema/);
  });

  it('429 with retry-after: 1 then success: retried once, after waiting about a second', async () => {
    const s = await serve(jsonResponse(429, { error: { message: 'slow down' } }, { 'retry-after': '1' }), sseStream({ tokens: ['ok'] }));
    const r = await streamChat(chatReq(s.baseUrl));
    expect(r.text).toBe('ok');
    expect(r.attempts).toBe(2);
    expect(s.requests).toHaveLength(2);
    expect(s.requests[1]!.receivedAt - s.requests[0]!.receivedAt).toBeGreaterThanOrEqual(980);
  });

  it('503 then success: retried with backoff', async () => {
    const s = await serve(jsonResponse(503, { error: { message: 'overloaded' } }), sseStream({ tokens: ['fine'] }));
    const r = await streamChat(chatReq(s.baseUrl));
    expect(r).toMatchObject({ text: 'fine', attempts: 2 });
  });

  it('503 on every attempt: server error after maxRetries + 1 attempts', async () => {
    const s = await serve(...[1, 2, 3].map(() => jsonResponse(503, { detail: 'warming up' })));
    const e = await failure(streamChat(chatReq(s.baseUrl, { maxRetries: 2 })));
    expect(e).toMatchObject({ kind: 'server', status: 503, attempts: 3 });
    expect(e.message).toContain('warming up');
    expect(s.requests).toHaveLength(3);
  });

  it('500 is not retried; an HTML error page is quoted briefly', async () => {
    const s = await serve({ status: 500, headers: { 'content-type': 'text/html' }, writes: [{ atMs: 0, data: '<html><body><h1>Internal error</h1></body></html>' }] });
    const e = await failure(streamChat(chatReq(s.baseUrl)));
    expect(e).toMatchObject({ kind: 'server', status: 500, attempts: 1 });
    expect(e.message).toContain('Internal error');
  });

  it('caps what it reads of a huge error body', async () => {
    const s = await serve({ status: 502, headers: { 'content-type': 'text/plain' }, writes: [{ atMs: 0, data: 'x'.repeat(1024 * 1024) }], then: 'hang' });
    const e = await failure(streamChat(chatReq(s.baseUrl, { maxRetries: 0 })));
    expect(e).toMatchObject({ kind: 'server', status: 502 });
    expect(e.message.length).toBeLessThan(400);
  });

  it('connection refused: connect error, retried, then reported', async () => {
    const e = await failure(streamChat(chatReq(await deadBaseUrl(), { maxRetries: 1 })));
    expect(e).toMatchObject({ kind: 'connect', attempts: 2 });
    expect(e.message).toMatch(/ECONNREFUSED/);
  });
});

describe('streamChat: broken streams', () => {
  it('a data: {"error": …} frame inside a 200 stream: stream_error with the server message and the text so far', async () => {
    const s = await serve(
      rawStream(frame(chunkJson({ content: 'par' })) + frame(chunkJson({ content: 'tial' })) + frame(JSON.stringify({ error: { message: 'CUDA out of memory', type: 'InternalServerError', code: 500 } }))),
    );
    const e = await failure(streamChat(chatReq(s.baseUrl)));
    expect(e).toMatchObject({ kind: 'stream_error', partialText: 'partial', serverMessage: 'CUDA out of memory', firstTokenReceived: true });
    expect(s.requests).toHaveLength(1);
  });

  it('finish_reason "abort": aborted_by_server', async () => {
    const s = await serve(sseStream({ tokens: ['a', 'b'], finishReason: 'abort' }));
    const e = await failure(streamChat(chatReq(s.baseUrl)));
    expect(e).toMatchObject({ kind: 'aborted_by_server', partialText: 'ab' });
  });

  it('a stream that ends cleanly without [DONE] finishes with what came; one with no text or finish_reason is incomplete', async () => {
    const s = await serve(sseStream({ tokens: ['x', 'y'], done: false }), rawStream(''), rawStream(frame(chunkJson({ role: 'assistant', content: '' }))));
    const r = await streamChat(chatReq(s.baseUrl));
    expect(r).toMatchObject({ text: 'xy', finishReason: 'stop', ending: 'eof', usage: { promptTokens: 7, completionTokens: 2 } });
    for (let i = 0; i < 2; i++) {
      const e = await failure(streamChat(chatReq(s.baseUrl, { maxRetries: 0 })));
      expect(e).toMatchObject({ kind: 'incomplete', partialText: '' });
      expect(e.message).toContain('the stream ended before any text or finish_reason, without [DONE]');
    }
  });

  it('non-JSON in a data frame: protocol, quoting it', async () => {
    const s = await serve(rawStream(frame(chunkJson({ content: 'ok' })) + 'data: <<garbage here>>\n\n'));
    const e = await failure(streamChat(chatReq(s.baseUrl)));
    expect(e).toMatchObject({ kind: 'protocol', partialText: 'ok' });
    expect(e.message).toContain('"<<garbage here>>"');
  });

  it('a 200 that is not an event stream at all: protocol, naming what came instead', async () => {
    const s = await serve(rawStream('<!DOCTYPE html><html>Proxy login</html>\n', 'end', { 'content-type': 'text/html' }));
    const e = await failure(streamChat(chatReq(s.baseUrl)));
    expect(e.kind).toBe('protocol');
    expect(e.message).toContain('content-type text/html');
    expect(e.message).toContain('<!DOCTYPE html>');
  });

  it('connection dropped after some tokens: connection_lost with the text, never retried', async () => {
    const s = await serve(sseStream({ tokens: ['to', 'kens'], everyMs: 10, done: false, usage: false, then: 'destroy' }), sseStream({ tokens: ['never'] }));
    const e = await failure(streamChat(chatReq(s.baseUrl, { maxRetries: 2 })));
    expect(e).toMatchObject({ kind: 'connection_lost', partialText: 'tokens', firstTokenReceived: true, attempts: 1 });
    expect(s.requests).toHaveLength(1);
  });
});

describe('streamChat: cancel', () => {
  it('aborting the signal mid-stream drops the request and keeps the partial text', async () => {
    const s = await serve(sseStream({ tokens: ['a', 'b', 'c', 'd', 'e', 'f'], firstAtMs: 5, everyMs: 30 }));
    const ac = new AbortController();
    const seen: string[] = [];
    const e = await failure(
      streamChat(chatReq(s.baseUrl, { signal: ac.signal }), (d) => {
        seen.push(d);
        if (seen.length === 2) ac.abort();
      }),
    );
    expect(e).toMatchObject({ kind: 'cancelled', partialText: 'ab', firstTokenReceived: true });
    // The server sees the connection close before it finished the answer.
    await expect.poll(() => s.requests[0]!.closedByClient, { timeout: 1_000 }).toBe(true);
  });

  it('aborting while waiting to retry ends at once as cancelled', async () => {
    const s = await serve(jsonResponse(429, {}, { 'retry-after': '30' }));
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const t0 = performance.now();
    const e = await failure(streamChat(chatReq(s.baseUrl, { signal: ac.signal })));
    expect(e.kind).toBe('cancelled');
    expect(performance.now() - t0).toBeLessThan(1_000);
  });

  it('an already-aborted signal sends nothing', async () => {
    const s = await serve(sseStream({ tokens: ['x'] }));
    const e = await failure(streamChat(chatReq(s.baseUrl, { signal: AbortSignal.abort() })));
    expect(e.kind).toBe('cancelled');
    expect(s.requests).toHaveLength(0);
  });
});
