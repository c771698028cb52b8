// The remote fault matrix: every way a server, a proxy or the network can misbehave, played by a loopback
// server against streamChatWithReplicas (what TargetsService.run, and so every remote run, goes through).
// Each fault must end in a recovery or a typed error that names the URL, what happened and what to check;
// and Stop must end a run stuck in that fault, both there and through the core (runs.start / runs.cancel).
// The matrix is printed as a markdown table for the closing note.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../createCore';
import { openTestCore } from '../testing/testCore';
import { RemoteError, hintFor, type RemoteErrorKind } from './remoteError';
import { ReplicaPool, streamChatWithReplicas, type ReplicaChatRequest, type ReplicaChatResult } from './replicas';
import {
  chunkJson,
  endlessStream,
  frame,
  gzipResponse,
  htmlError,
  jsonResponse,
  neverAnswers,
  rawStream,
  resetAfterHeaders,
  resetBeforeHeaders,
  splitInsideCharacters,
  sseStream,
  stall,
  startFaultServer,
  tokenThenHang,
  type FaultServer,
  type ScriptedResponse,
} from './testing/faultServer';

const SSE = { 'content-type': 'text/event-stream' };
const RESET_HINT = "the server may have crashed or restarted, or a proxy in between dropped the request; check the server's log";
/** Longer than any run here may take: a run that ends before it ended because of Stop, not of the fault. */
const STALL_END_MS = 20_000;
const LONG = { connectMs: STALL_END_MS, firstTokenMs: STALL_END_MS, idleMs: STALL_END_MS };

const ok = (tokens = ['Tides', ' rise']) => sseStream({ tokens });
const times = (n: number, r: ScriptedResponse) => Array.from({ length: n }, () => r);
const UTF8_TEXT = ['长江', '后浪', '推前浪', ' 🌊🚀', ' 👩‍💻 done'];
const TEN_MB = 10 * 1024 * 1024;
let bigFrame: string | null = null;
const tenMbEvent = () => (bigFrame ??= frame(chunkJson({ content: 'x'.repeat(TEN_MB) })));

/** Stop is pressed `delayMs` after the server received request number `request`, or after the first delta. */
type StopAt = { request: number; delayMs: number } | { firstDelta: true; delayMs: number };

interface Row {
  fault: string;
  script: () => ScriptedResponse[];
  req?: Partial<ReplicaChatRequest>;
  /** Runs one request to completion first, so the measured one goes out on a reused keep-alive socket. */
  warm?: boolean;
  /** A recovery: the text it ends with; or an error: its kind and what its message must say. */
  text?: string;
  kind?: RemoteErrorKind;
  says?: RegExp;
  /** What the message tells the user to check, where it is not the kind's usual hint. */
  hint?: string;
  attempts: number;
  check?: (s: FaultServer, r: ReplicaChatResult | RemoteError) => void | Promise<void>;
  /** The same fault, made to last: Stop must end it. */
  stop: { script: () => ScriptedResponse[]; at: StopAt; req?: Partial<ReplicaChatRequest> };
}

const rows: Row[] = [
  {
    fault: '429 with Retry-After: 1 (seconds), then 200',
    script: () => [jsonResponse(429, { error: { message: 'slow down' } }, { 'retry-after': '1' }), ok()],
    text: 'Tides rise',
    attempts: 2,
    check: (s) => expect(s.requests[1]!.receivedAt - s.requests[0]!.receivedAt).toBeGreaterThanOrEqual(950),
    stop: { script: () => [jsonResponse(429, {}, { 'retry-after': '30' })], at: { request: 1, delayMs: 100 } },
  },
  {
    fault: '429 with Retry-After as an HTTP date (+2 s), then 200',
    script: () => [jsonResponse(429, { error: 'busy' }, { 'retry-after': new Date(Date.now() + 2_000).toUTCString() }), ok()],
    text: 'Tides rise',
    attempts: 2,
    // The date has whole seconds: the wait is between 1 and 2 s.
    check: (s) => expect(s.requests[1]!.receivedAt - s.requests[0]!.receivedAt).toBeGreaterThanOrEqual(900),
    stop: { script: () => [jsonResponse(429, {}, { 'retry-after': new Date(Date.now() + 60_000).toUTCString() })], at: { request: 1, delayMs: 100 } },
  },
  {
    fault: '429 without Retry-After, on every attempt',
    script: () => times(3, jsonResponse(429, { error: { message: 'Too many concurrent requests' } })),
    kind: 'rate_limited',
    says: /429 Too Many Requests — the server is rate-limiting requests\. Server said: Too many concurrent requests/,
    attempts: 3,
    stop: { script: () => [jsonResponse(429, {}), neverAnswers()], at: { request: 2, delayMs: 100 } },
  },
  {
    fault: '500 with a JSON error body, on every attempt',
    script: () => times(3, jsonResponse(500, { error: { message: 'CUDA error: out of memory', type: 'InternalServerError' } })),
    kind: 'server',
    says: /500 Internal Server Error — the server failed\. Server said: CUDA error: out of memory/,
    attempts: 3,
    stop: { script: () => [jsonResponse(500, {}), neverAnswers()], at: { request: 2, delayMs: 100 } },
  },
  {
    fault: '500 with an HTML page, on every attempt',
    script: () => times(3, htmlError(500, 'Internal Server Error', 'The server encountered an internal error.')),
    kind: 'server',
    says: /Server said: Internal Server Error Internal Server Error The server encountered an internal error\./,
    attempts: 3,
    check: (_s, e) => expect((e as RemoteError).message).not.toMatch(/font-family|console\.log/),
    stop: { script: () => [htmlError(500, 'Error', 'x'), neverAnswers()], at: { request: 2, delayMs: 100 } },
  },
  {
    fault: '502 with an HTML page (proxy), then 200',
    script: () => [htmlError(502, '502 Bad Gateway', 'nginx'), ok()],
    text: 'Tides rise',
    attempts: 2,
    stop: { script: () => [htmlError(502, '502 Bad Gateway', 'nginx'), neverAnswers()], at: { request: 2, delayMs: 100 } },
  },
  {
    fault: '502 with an HTML page (proxy), on every attempt',
    script: () => times(3, htmlError(502, '502 Bad Gateway', 'nginx/1.24.0')),
    kind: 'server',
    says: /502 Bad Gateway — the server failed \(a proxy in front of the model server may be answering for it\)\. Server said: 502 Bad Gateway/,
    attempts: 3,
    stop: { script: () => [htmlError(502, 'x', 'y'), neverAnswers()], at: { request: 2, delayMs: 100 } },
  },
  {
    fault: '503 with a JSON body, then 200',
    script: () => [jsonResponse(503, { object: 'error', message: 'The server is loading the model' }), ok()],
    text: 'Tides rise',
    attempts: 2,
    stop: { script: () => [jsonResponse(503, {}), stall()], at: { request: 2, delayMs: 100 } },
  },
  {
    fault: '503 with an HTML page, on every attempt',
    script: () => times(3, htmlError(503, '503 Service Unavailable', 'No server is available to handle this request.')),
    kind: 'server',
    says: /503 Service Unavailable — the server failed\. Server said: 503 Service Unavailable 503 Service Unavailable No server is available/,
    attempts: 3,
    stop: { script: () => [htmlError(503, 'x', 'y'), stall()], at: { request: 2, delayMs: 100 } },
  },
  {
    fault: 'connection reset before the headers, then 200',
    script: () => [resetBeforeHeaders(), ok()],
    text: 'Tides rise',
    attempts: 2,
    stop: { script: () => [resetBeforeHeaders(), neverAnswers()], at: { request: 2, delayMs: 100 } },
  },
  {
    fault: 'connection reset before the headers, on every attempt',
    script: () => times(3, resetBeforeHeaders()),
    kind: 'connect',
    says: /the server closed the connection without answering \(ECONNRESET: socket hang up\)/,
    hint: RESET_HINT,
    attempts: 3,
    stop: { script: () => [resetBeforeHeaders(), neverAnswers()], at: { request: 2, delayMs: 100 } },
  },
  {
    fault: 'connection reset after the headers, before any token, then 200',
    script: () => [resetAfterHeaders(), ok()],
    text: 'Tides rise',
    attempts: 2,
    stop: { script: () => [resetAfterHeaders(), stall()], at: { request: 2, delayMs: 100 } },
  },
  {
    fault: 'connection reset mid-stream (after 2 tokens)',
    script: () => [sseStream({ tokens: ['to', 'kens'], everyMs: 10, done: false, usage: false, then: 'destroy' }), ok()],
    kind: 'connection_lost',
    says: /the connection broke after 6 characters \(ECONNRESET/,
    attempts: 1,
    // Never retried after a token: the second answer is not asked for.
    check: (s, e) => {
      expect(s.requests).toHaveLength(1);
      expect((e as RemoteError).partialText).toBe('tokens');
    },
    stop: { script: () => [sseStream({ tokens: ['to', 'kens'], everyMs: 10, done: false, usage: false, then: 'hang' })], at: { firstDelta: true, delayMs: 100 } },
  },
  {
    fault: 'stall before the first byte (no headers)',
    script: () => times(3, neverAnswers()),
    req: { timeouts: { connectMs: 300, firstTokenMs: STALL_END_MS, idleMs: STALL_END_MS } },
    kind: 'connect_timeout',
    says: /no response within 300 ms \(connect timeout\)/,
    attempts: 3,
    stop: { script: () => [neverAnswers()], at: { request: 1, delayMs: 100 } },
  },
  {
    fault: 'stall after the headers, before the first token',
    script: () => times(3, stall()),
    req: { timeouts: { connectMs: STALL_END_MS, firstTokenMs: 400, idleMs: STALL_END_MS } },
    kind: 'first_token_timeout',
    says: /no token within 400 ms of sending the request \(first-token timeout\)/,
    attempts: 3,
    stop: { script: () => [stall()], at: { request: 1, delayMs: 100 } },
  },
  {
    fault: 'stall mid-stream (after 2 tokens)',
    script: () => [sseStream({ tokens: ['one', ' two'], everyMs: 10, done: false, then: 'hang' })],
    req: { timeouts: { connectMs: STALL_END_MS, firstTokenMs: STALL_END_MS, idleMs: 400 } },
    kind: 'idle_timeout',
    says: /the server sent nothing for 400 ms after 7 characters \(idle timeout\)/,
    attempts: 1,
    check: (_s, e) => expect((e as RemoteError).partialText).toBe('one two'),
    stop: { script: () => [sseStream({ tokens: ['one', ' two'], everyMs: 10, done: false, then: 'hang' })], at: { firstDelta: true, delayMs: 100 } },
  },
  {
    fault: 'malformed SSE: bad JSON in a data line',
    script: () => [rawStream(frame(chunkJson({ content: 'ok' })) + 'data: {"choices":[{"delta":{"content":"x"}\n\n')],
    kind: 'protocol',
    says: /a data frame is not JSON: "\{"choices":\[\{"delta":\{"content":"x"\}"/,
    attempts: 1,
    stop: { script: () => [tokenThenHang('data: {"choices":[{"del')], at: { firstDelta: true, delayMs: 100 } },
  },
  {
    fault: 'malformed SSE: JSON lines without the "data:" prefix',
    script: () => [rawStream(`${chunkJson({ content: 'x' })}\n\n`)],
    kind: 'protocol',
    says: /the response is not an OpenAI event stream: "\{"id":"chatcmpl-test"/,
    attempts: 1,
    stop: { script: () => [tokenThenHang(`${chunkJson({ content: 'x' }).slice(0, 20)}`)], at: { firstDelta: true, delayMs: 100 } },
  },
  {
    fault: 'SSE with comment lines, CRLF line endings and event: lines',
    script: () => [
      rawStream(
        ': keep-alive\r\n\r\n' +
          'event: message\r\n' +
          `data: ${chunkJson({ content: 'Tides' })}\r\n\r\n` +
          ': ping\r\n' +
          'event: ping\r\ndata: {}\r\n\r\n' +
          `id: 7\r\nevent: message\r\ndata: ${chunkJson({ content: ' rise', finishReason: 'stop' })}\r\n\r\n` +
          'data: [DONE]\r\n\r\n',
      ),
    ],
    text: 'Tides rise',
    attempts: 1,
    stop: { script: () => [tokenThenHang(': ping\r\n\r\nevent: message\r\n')], at: { firstDelta: true, delayMs: 100 } },
  },
  {
    fault: 'no [DONE]: the stream ends cleanly without it',
    script: () => [sseStream({ tokens: ['Tides', ' rise'], done: false })],
    text: 'Tides rise',
    attempts: 1,
    check: (_s, r) => expect(r).toMatchObject({ ending: 'eof', finishReason: 'stop', usage: { completionTokens: 2 } }),
    stop: { script: () => [tokenThenHang(frame(chunkJson({ content: '', finishReason: 'stop' })))], at: { firstDelta: true, delayMs: 100 } },
  },
  {
    fault: 'UTF-8 characters split across reads (Chinese, emoji)',
    script: () => [splitInsideCharacters(UTF8_TEXT)],
    text: UTF8_TEXT.join(''),
    attempts: 1,
    stop: { script: () => [tokenThenHang(`data: ${chunkJson({ content: '长' }).slice(0, 80)}`)], at: { firstDelta: true, delayMs: 100 } },
  },
  {
    fault: 'one 10 MB SSE event',
    script: () => [{ status: 200, headers: SSE, writes: [{ atMs: 0, data: frame(chunkJson({ content: 'ok' })) }, { atMs: 1, data: tenMbEvent() }, { atMs: 2, data: frame('[DONE]') }] }],
    kind: 'protocol',
    says: /one stream event is larger than 4,194,304 characters \(chunk too large\) after 2 characters/,
    hint: 'check the server, or a proxy in between that may merge events',
    attempts: 1,
    check: (_s, e) => expect((e as RemoteError).partialText).toBe('ok'),
    stop: { script: () => [tokenThenHang(tenMbEvent().slice(0, 1024 * 1024))], at: { firstDelta: true, delayMs: 100 } },
  },
  {
    fault: 'gzip-encoded event stream (Content-Encoding: gzip, streamed)',
    script: () => [{ ...sseStream({ tokens: ['Tides', ' rise'], everyMs: 5 }), gzip: true }],
    text: 'Tides rise',
    attempts: 1,
    // Stop waits for the first token of a gzip stream that never ends: it only comes if decoding streams.
    stop: { script: () => [{ ...tokenThenHang(': ping\n\n'), gzip: true }], at: { firstDelta: true, delayMs: 100 } },
  },
  {
    fault: 'gzip-encoded JSON error body (not streamed, Content-Length)',
    script: () => [gzipResponse(400, JSON.stringify({ error: { message: "This model's maximum context length is 4096 tokens" } }), 'application/json')],
    kind: 'bad_request',
    says: /400 Bad Request — This model's maximum context length is 4096 tokens/,
    attempts: 1,
    stop: { script: () => [{ status: 400, headers: { 'content-type': 'application/json' }, writes: [{ atMs: 0, data: '{"err' }], then: 'hang', gzip: true }], at: { request: 1, delayMs: 100 } },
  },
  {
    fault: 'Content-Encoding the client cannot decode (zstd)',
    script: () => [{ ...ok(), headers: { ...SSE, 'content-encoding': 'zstd' } }],
    kind: 'protocol',
    says: /the response uses content-encoding "zstd", which Lamplight cannot decode/,
    hint: 'a proxy in between may be compressing the stream; check its settings',
    attempts: 1,
    stop: { script: () => [{ ...stall(), headers: { ...SSE, 'content-encoding': 'zstd' }, headersAtMs: 'never' }], at: { request: 1, delayMs: 100 } },
  },
  {
    fault: 'endless stream, max_tokens 20 (server ignores it)',
    script: () => [endlessStream('tok ', 2)],
    req: { params: { maxTokens: 20 } },
    text: 'tok '.repeat(20),
    attempts: 1,
    check: async (s, r) => {
      expect(r).toMatchObject({ ending: 'max_tokens', finishReason: 'length' });
      await expect.poll(() => s.requests[0]!.closedByClient, { timeout: 2_000 }).toBe(true);
    },
    stop: { script: () => [endlessStream('tok ', 10)], at: { firstDelta: true, delayMs: 100 }, req: { params: {} } },
  },
  {
    fault: 'endless stream, no max_tokens: 64 KiB total limit',
    script: () => [endlessStream('words '.repeat(40), 1)],
    req: { maxStreamBytes: 64 * 1024 },
    kind: 'protocol',
    says: /the stream passed 65,536 bytes without ending after \d+ characters \(the limit for one answer\)/,
    hint: 'set Max tokens, and check that the server honours max_tokens',
    attempts: 1,
    stop: { script: () => [endlessStream('words ', 10)], at: { firstDelta: true, delayMs: 100 } },
  },
  {
    fault: 'keep-alive socket closed by the server while idle (reset on reuse, before any byte)',
    warm: true,
    script: () => [ok(['warm']), resetBeforeHeaders(), ok()],
    req: { maxRetries: 0 },
    text: 'Tides rise',
    attempts: 2,
    // Sent again on a new socket by the I/O thread itself: no retry was allowed here.
    check: (s) => expect(s.requests.map((r) => r.reusedSocket)).toEqual([false, true, false]),
    stop: { script: () => [ok(['warm']), resetBeforeHeaders(), neverAnswers()], at: { request: 3, delayMs: 100 }, req: { maxRetries: 0 } },
  },
  {
    fault: 'keep-alive reset on reuse, and the new socket is reset too',
    warm: true,
    script: () => [ok(['warm']), resetBeforeHeaders(), resetBeforeHeaders()],
    req: { maxRetries: 0 },
    kind: 'connect',
    says: /the server closed the connection without answering \(ECONNRESET: socket hang up; it was sent again on a new connection, which failed too\)/,
    hint: RESET_HINT,
    attempts: 2,
    check: (s) => expect(s.requests.map((r) => r.reusedSocket)).toEqual([false, true, false]),
    stop: { script: () => [ok(['warm']), resetBeforeHeaders(), neverAnswers()], at: { request: 3, delayMs: 100 }, req: { maxRetries: 0 } },
  },
  {
    fault: 'keep-alive socket reset after the headers came (not resent)',
    warm: true,
    script: () => [ok(['warm']), resetAfterHeaders(), ok()],
    req: { maxRetries: 0 },
    kind: 'connection_lost',
    says: /the connection broke before the first token \(ECONNRESET/,
    attempts: 1,
    check: (s) => expect(s.requests.map((r) => r.reusedSocket)).toEqual([false, true]),
    stop: { script: () => [ok(['warm']), stall()], at: { request: 2, delayMs: 100 }, req: { maxRetries: 0 } },
  },
];

const BASE: ReplicaChatRequest = {
  model: 'test-model',
  messages: [{ role: 'user', content: 'Tell me about tides' }],
  timeouts: { connectMs: 10_000, firstTokenMs: 10_000, idleMs: 10_000 },
  maxRetries: 2,
  retry: { baseDelayMs: 20, maxDelayMs: 40 },
};

let servers: FaultServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function serve(row: Row, script: ScriptedResponse[]): Promise<FaultServer> {
  const s = await startFaultServer(script, row.warm ? { keepAliveTimeoutMs: 5_000 } : {});
  servers.push(s);
  return s;
}

async function run(row: Row, s: FaultServer, extra: Partial<ReplicaChatRequest>, signal?: AbortSignal, onDelta?: (d: string) => void): Promise<unknown> {
  const pool = new ReplicaPool([s.baseUrl], { cooldownMs: 0 });
  const req = { ...BASE, ...row.req, ...extra, signal };
  if (row.warm) {
    await streamChatWithReplicas(pool, { ...req, signal: undefined });
    // The warm-up's connection is back in the pool once its answer ended on the server.
    await expect.poll(() => s.requests[0]?.finished).toBe(true);
  }
  return streamChatWithReplicas(pool, req, onDelta).catch((e: unknown) => e);
}

interface Outcome {
  outcome: string;
  requests: number;
  said: string;
  stopMs?: number;
  coreStopMs?: number;
}
const matrix = new Map<string, Outcome>();
const cell = (t: string) => t.replace(/\|/g, '\\|').replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT');

describe('remote fault matrix (streamChatWithReplicas)', () => {
  it.each(rows)('$fault', async (row) => {
    // 1. The fault as it happens: a recovery, or a typed error naming the URL, what happened and what to check.
    const s = await serve(row, row.script());
    const out = await run(row, s, {});
    const url = `POST ${s.baseUrl}/chat/completions`;
    if (row.kind) {
      expect(out).toBeInstanceOf(RemoteError);
      const e = out as RemoteError;
      expect({ kind: e.kind, attempts: e.attempts }).toEqual({ kind: row.kind, attempts: row.attempts });
      expect(e.message.startsWith(`${url}: `)).toBe(true);
      expect(e.message).toMatch(row.says!);
      // What to check: the kind's hint, or one more specific to the fault.
      const hint = row.hint ?? hintFor(e.kind);
      if (hint) expect(e.message.toLowerCase()).toContain(hint.toLowerCase());
      const outcome = `error \`${e.kind}\` (${e.code}${e.status ? `, HTTP ${e.status}` : ''})`;
      matrix.set(row.fault, { outcome, requests: e.attempts, said: cell(e.message) });
    } else {
      if (out instanceof Error) throw out;
      const r = out as ReplicaChatResult;
      expect({ text: r.text, attempts: r.attempts }).toEqual({ text: row.text, attempts: row.attempts });
      const outcome = `recovered (${r.ending === 'done' ? '[DONE]' : r.ending === 'eof' ? 'end of body' : 'cut at max_tokens'})`;
      matrix.set(row.fault, { outcome, requests: r.attempts, said: `text "${cell(r.text.length > 40 ? `${r.text.slice(0, 40)}…` : r.text)}"` });
    }
    await row.check?.(s, out as ReplicaChatResult | RemoteError);

    // 2. The same fault, made to last: Stop ends it, well before the server or a timer would.
    const ac = new AbortController();
    let stoppedAt = 0;
    const stop = () => {
      stoppedAt = performance.now();
      ac.abort();
    };
    const at = row.stop.at;
    let firstDelta = false;
    const onDelta = () => {
      if ('firstDelta' in at && !firstDelta) setTimeout(stop, at.delayMs);
      firstDelta = true;
    };
    const s2 = await serve(row, row.stop.script());
    const stopRun = run(row, s2, { ...LONG, ...row.stop.req }, ac.signal, onDelta);
    if ('request' in at) {
      await expect.poll(() => s2.requests.length, { timeout: 10_000, interval: 5 }).toBeGreaterThanOrEqual(at.request);
      setTimeout(stop, at.delayMs);
    }
    const stopped = await stopRun;
    const stopMs = performance.now() - stoppedAt;
    expect(stoppedAt).toBeGreaterThan(0);
    expect(stopped).toBeInstanceOf(RemoteError);
    expect((stopped as RemoteError).kind).toBe('cancelled');
    expect(stopMs).toBeLessThan(STALL_END_MS / 2);
    matrix.get(row.fault)!.stopMs = stopMs;
  });
});

describe('the same faults through the core: runs.start on a remote target, Stop = runs.cancel', () => {
  let c: Core;
  // Subscribed once, before any run starts: when each run's first chunk and its end were seen.
  const firstChunkAt = new Map<string, number>();
  const finishedAt = new Map<string, number>();
  beforeAll(() => {
    c = openTestCore();
    c.on('runs.chunk', (p) => void (firstChunkAt.has(p.runId) || firstChunkAt.set(p.runId, performance.now())));
    c.on('runs.finished', (p) => void finishedAt.set(p.id, performance.now()));
  });
  afterAll(() => c.close());

  const remoteRun = async (row: Row, s: FaultServer, maxRetries: number) => {
    const t = await c.invoke('targets.add', { name: 'fault matrix', baseUrls: [s.baseUrl], timeouts: LONG, maxRetries });
    const start = async (userMessage: string) => (await c.invoke('runs.start', { target: { kind: 'remote', targetId: t.id, model: 'test-model' }, userMessage })).runId;
    if (row.warm) {
      await c.runs.wait(await start('warm up'));
      await expect.poll(() => s.requests[0]?.finished).toBe(true);
    }
    return start('Tell me about tides');
  };

  it.each(rows)('$fault: a run stuck in it is stopped', async (row) => {
    const s = await serve(row, row.stop.script());
    const runId = await remoteRun(row, s, row.stop.req?.maxRetries ?? row.req?.maxRetries ?? 2);
    const at = row.stop.at;
    if ('request' in at) await expect.poll(() => s.requests.length, { timeout: 10_000, interval: 5 }).toBeGreaterThanOrEqual(at.request);
    else await expect.poll(() => firstChunkAt.has(runId), { timeout: 10_000, interval: 5 }).toBe(true);
    await new Promise((r) => setTimeout(r, at.delayMs));
    const t0 = performance.now();
    await c.invoke('runs.cancel', { runId });
    const rec = await c.runs.wait(runId);
    const ms = finishedAt.get(runId)! - t0;
    expect({ stopReason: rec.stopReason, error: rec.error }).toEqual({ stopReason: 'abort', error: null });
    // Stop keeps what streamed before it, and drops the request so the server stops generating.
    if ('firstDelta' in at) expect(rec.output.length).toBeGreaterThan(0);
    expect(ms).toBeLessThan(STALL_END_MS / 2);
    const last = s.requests.at(-1)!;
    if (!last.finished) await expect.poll(() => last.closedByClient, { timeout: 5_000 }).toBe(true);
    matrix.get(row.fault)!.coreStopMs = ms;
  });

  it('stores the keep-alive recovery (2 requests) and a typed error with the URL, as the user sees them', async () => {
    const keep = rows.find((r) => r.warm && r.text)!;
    const s = await serve(keep, keep.script());
    const ok = await c.runs.wait(await remoteRun(keep, s, 0));
    expect(ok).toMatchObject({ output: 'Tides rise', stopReason: 'eos', attempts: 2, error: null });
    const bad = await serve(keep, [htmlError(503, '503 Service Unavailable', 'No server is available to handle this request.')]);
    const failed = await c.runs.wait(await remoteRun({ ...keep, warm: false }, bad, 0));
    expect(failed.stopReason).toBe('error');
    expect(failed.error).toBe(
      `POST ${bad.baseUrl}/chat/completions: 503 Service Unavailable — the server failed. ` +
        "Server said: 503 Service Unavailable 503 Service Unavailable No server is available to handle this request. Check the server's log.",
    );
  });
});

afterAll(() => {
  const ms = (v?: number) => (v === undefined ? '–' : `${v.toFixed(1)} ms`);
  const lines = [...matrix].map(([fault, o]) => `| ${cell(fault)} | ${o.outcome} | ${o.requests} | ${o.said} | ${ms(o.stopMs)} | ${ms(o.coreStopMs)} |`);
  const header = '| fault | outcome | requests | error message / result | Stop → cancelled (client) | Stop → run ended (runs.cancel) |';
  console.log(['', header, '|---|---|---|---|---|---|', ...lines].join('\n'));
});
