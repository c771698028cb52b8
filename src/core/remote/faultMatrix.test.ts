// The remote fault matrix: every way a server, a proxy or the network can misbehave, played by a loopback
// server against streamChatWithReplicas (what TargetsService.run, and so every remote run, goes through).
// Each fault must end in a recovery or a typed error that names the URL, what happened and what to check;
// and Stop must end a run that is stuck in that fault. The matrix is printed for the closing note.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { RemoteError, hintFor, type RemoteErrorKind } from './remoteError';
import { ReplicaPool, streamChatWithReplicas, type ReplicaChatRequest, type ReplicaChatResult } from './replicas';
import {
  chunkJson,
  frame,
  gzipResponse,
  jsonResponse,
  rawStream,
  splitStream,
  sseStream,
  stall,
  startFaultServer,
  type FaultServer,
  type ScriptedResponse,
} from './testing/faultServer';

const SSE = { 'content-type': 'text/event-stream' };
const RESET_HINT = "the server may have crashed or restarted, or a proxy in between dropped the request; check the server's log";
/** Longer than any run here may take: a run that ends before it ended because of Stop, not of the fault. */
const STALL_END_MS = 20_000;
const LONG = { connectMs: STALL_END_MS, firstTokenMs: STALL_END_MS, idleMs: STALL_END_MS };

const html = (title: string, text: string) =>
  `<html><head><title>${title}</title><style>body{font-family:Tahoma,Verdana,Arial,sans-serif;width:35em;margin:0 auto}</style></head>` +
  `<body><h1>${title}</h1><p>${text}</p><script>console.log("x")</script></body></html>`;
const htmlError = (status: number, title: string, text: string): ScriptedResponse => ({
  status,
  headers: { 'content-type': 'text/html' },
  writes: [{ atMs: 0, data: html(title, text) }],
});
const ok = (tokens = ['Tides', ' rise']) => sseStream({ tokens });
const times = (n: number, r: ScriptedResponse) => Array.from({ length: n }, () => r);
const neverAnswers: ScriptedResponse = { headersAtMs: 'never' };
const resetBeforeHeaders: ScriptedResponse = { headersAtMs: 'never', resetAtMs: 0 };
const resetAfterHeaders: ScriptedResponse = { status: 200, headers: SSE, headersAtMs: 0, resetAtMs: 30, then: 'hang' };
/** A token, then the given bytes, then silence: Stop has to end it. */
const tokenThen = (data: string): ScriptedResponse => ({ status: 200, headers: SSE, writes: [{ atMs: 0, data: frame(chunkJson({ content: 'par' })) }, { atMs: 5, data }], then: 'hang' });
const endless = (content: string, everyMs: number): ScriptedResponse => ({
  status: 200,
  headers: SSE,
  writes: [{ atMs: 0, data: frame(chunkJson({ role: 'assistant', content: '' })) }],
  endless: { everyMs, data: frame(chunkJson({ content })) },
});

const UTF8_TEXT = ['长江', '后浪', '推前浪', ' 🌊🚀', ' 👩‍💻 done'];
function utf8Split(): ScriptedResponse {
  const text = UTF8_TEXT.map((t) => frame(chunkJson({ content: t }))).join('') + frame('[DONE]');
  const bytes = new TextEncoder().encode(text);
  // A cut after the first byte of every multi-byte character: each arrives in two reads.
  const cuts: number[] = [];
  bytes.forEach((b, i) => {
    if (b >= 0xc0) cuts.push(i + 1);
  });
  return splitStream(bytes, cuts, 1);
}

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
    stop: { script: () => [jsonResponse(429, {}), neverAnswers], at: { request: 2, delayMs: 100 } },
  },
  {
    fault: '500 with a JSON error body, on every attempt',
    script: () => times(3, jsonResponse(500, { error: { message: 'CUDA error: out of memory', type: 'InternalServerError' } })),
    kind: 'server',
    says: /500 Internal Server Error — the server failed\. Server said: CUDA error: out of memory/,
    attempts: 3,
    stop: { script: () => [jsonResponse(500, {}), neverAnswers], at: { request: 2, delayMs: 100 } },
  },
  {
    fault: '500 with an HTML page, on every attempt',
    script: () => times(3, htmlError(500, 'Internal Server Error', 'The server encountered an internal error.')),
    kind: 'server',
    says: /Server said: Internal Server Error Internal Server Error The server encountered an internal error\./,
    attempts: 3,
    check: (_s, e) => expect((e as RemoteError).message).not.toMatch(/font-family|console\.log/),
    stop: { script: () => [htmlError(500, 'Error', 'x'), neverAnswers], at: { request: 2, delayMs: 100 } },
  },
  {
    fault: '502 with an HTML page (proxy), then 200',
    script: () => [htmlError(502, '502 Bad Gateway', 'nginx'), ok()],
    text: 'Tides rise',
    attempts: 2,
    stop: { script: () => [htmlError(502, '502 Bad Gateway', 'nginx'), neverAnswers], at: { request: 2, delayMs: 100 } },
  },
  {
    fault: '502 with an HTML page (proxy), on every attempt',
    script: () => times(3, htmlError(502, '502 Bad Gateway', 'nginx/1.24.0')),
    kind: 'server',
    says: /502 Bad Gateway — the server failed \(a proxy in front of the model server may be answering for it\)\. Server said: 502 Bad Gateway/,
    attempts: 3,
    stop: { script: () => [htmlError(502, 'x', 'y'), neverAnswers], at: { request: 2, delayMs: 100 } },
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
    script: () => [resetBeforeHeaders, ok()],
    text: 'Tides rise',
    attempts: 2,
    stop: { script: () => [resetBeforeHeaders, neverAnswers], at: { request: 2, delayMs: 100 } },
  },
  {
    fault: 'connection reset before the headers, on every attempt',
    script: () => times(3, resetBeforeHeaders),
    kind: 'connect',
    says: /the server closed the connection without answering \(ECONNRESET: socket hang up\)/,
    hint: RESET_HINT,
    attempts: 3,
    stop: { script: () => [resetBeforeHeaders, neverAnswers], at: { request: 2, delayMs: 100 } },
  },
  {
    fault: 'connection reset after the headers, before any token, then 200',
    script: () => [resetAfterHeaders, ok()],
    text: 'Tides rise',
    attempts: 2,
    stop: { script: () => [resetAfterHeaders, stall()], at: { request: 2, delayMs: 100 } },
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
    script: () => times(3, neverAnswers),
    req: { timeouts: { connectMs: 300, firstTokenMs: STALL_END_MS, idleMs: STALL_END_MS } },
    kind: 'connect_timeout',
    says: /no response within 300 ms \(connect timeout\)/,
    attempts: 3,
    stop: { script: () => [neverAnswers], at: { request: 1, delayMs: 100 } },
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
    stop: { script: () => [tokenThen('data: {"choices":[{"del')], at: { firstDelta: true, delayMs: 100 } },
  },
  {
    fault: 'malformed SSE: JSON lines without the "data:" prefix',
    script: () => [rawStream(`${chunkJson({ content: 'x' })}\n\n`)],
    kind: 'protocol',
    says: /the response is not an OpenAI event stream: "\{"id":"chatcmpl-test"/,
    attempts: 1,
    stop: { script: () => [tokenThen(`${chunkJson({ content: 'x' }).slice(0, 20)}`)], at: { firstDelta: true, delayMs: 100 } },
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
    stop: { script: () => [tokenThen(': ping\r\n\r\nevent: message\r\n')], at: { firstDelta: true, delayMs: 100 } },
  },
  {
    fault: 'no [DONE]: the stream ends cleanly without it',
    script: () => [sseStream({ tokens: ['Tides', ' rise'], done: false })],
    text: 'Tides rise',
    attempts: 1,
    check: (_s, r) => expect(r).toMatchObject({ ending: 'eof', finishReason: 'stop', usage: { completionTokens: 2 } }),
    stop: { script: () => [tokenThen(frame(chunkJson({ content: '', finishReason: 'stop' })))], at: { firstDelta: true, delayMs: 100 } },
  },
  {
    fault: 'UTF-8 characters split across reads (Chinese, emoji)',
    script: () => [utf8Split()],
    text: UTF8_TEXT.join(''),
    attempts: 1,
    stop: { script: () => [tokenThen(`data: ${chunkJson({ content: '长' }).slice(0, 80)}`)], at: { firstDelta: true, delayMs: 100 } },
  },
  {
    fault: 'one 10 MB SSE event',
    script: () => [{ status: 200, headers: SSE, writes: [{ atMs: 0, data: frame(chunkJson({ content: 'ok' })) }, { atMs: 1, data: tenMbEvent() }, { atMs: 2, data: frame('[DONE]') }] }],
    kind: 'protocol',
    says: /one stream event is larger than 4,194,304 characters \(chunk too large\) after 2 characters/,
    hint: 'check the server, or a proxy in between that may merge events',
    attempts: 1,
    check: (_s, e) => expect((e as RemoteError).partialText).toBe('ok'),
    stop: { script: () => [tokenThen(tenMbEvent().slice(0, 1024 * 1024))], at: { firstDelta: true, delayMs: 100 } },
  },
  {
    fault: 'gzip-encoded event stream (Content-Encoding: gzip, streamed)',
    script: () => [{ ...sseStream({ tokens: ['Tides', ' rise'], everyMs: 5 }), gzip: true }],
    text: 'Tides rise',
    attempts: 1,
    stop: { script: () => [{ ...tokenThen(': ping\n\n'), gzip: true }], at: { firstDelta: true, delayMs: 100 } },
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
    fault: 'endless stream, max_tokens 20 (server ignores it)',
    script: () => [endless('tok ', 2)],
    req: { params: { maxTokens: 20 } },
    text: 'tok '.repeat(20),
    attempts: 1,
    check: async (s, r) => {
      expect(r).toMatchObject({ ending: 'max_tokens', finishReason: 'length' });
      await expect.poll(() => s.requests[0]!.closedByClient, { timeout: 2_000 }).toBe(true);
    },
    stop: { script: () => [endless('tok ', 2)], at: { firstDelta: true, delayMs: 100 }, req: { params: {} } },
  },
  {
    fault: 'endless stream, no max_tokens: 64 KiB total limit',
    script: () => [endless('words '.repeat(40), 1)],
    req: { maxStreamBytes: 64 * 1024 },
    kind: 'protocol',
    says: /the stream passed 65,536 bytes without ending after \d+ characters \(the limit for one answer\)/,
    hint: 'set Max tokens, and check that the server honours max_tokens',
    attempts: 1,
    stop: { script: () => [endless('words ', 5)], at: { firstDelta: true, delayMs: 100 } },
  },
  {
    fault: 'keep-alive socket closed by the server while idle (reset on reuse, before any byte)',
    warm: true,
    script: () => [ok(['warm']), resetBeforeHeaders, ok()],
    req: { maxRetries: 0 },
    text: 'Tides rise',
    attempts: 2,
    // Sent again on a new socket by the I/O thread itself: no retry was allowed here.
    check: (s) => expect(s.requests.map((r) => r.reusedSocket)).toEqual([false, true, false]),
    stop: { script: () => [ok(['warm']), resetBeforeHeaders, neverAnswers], at: { request: 3, delayMs: 100 }, req: { maxRetries: 0 } },
  },
  {
    fault: 'keep-alive reset on reuse, and the new socket is reset too',
    warm: true,
    script: () => [ok(['warm']), resetBeforeHeaders, resetBeforeHeaders],
    req: { maxRetries: 0 },
    kind: 'connect',
    says: /the server closed the connection without answering \(ECONNRESET: socket hang up; it was sent again on a new connection, which failed too\)/,
    hint: RESET_HINT,
    attempts: 2,
    check: (s) => expect(s.requests.map((r) => r.reusedSocket)).toEqual([false, true, false]),
    stop: { script: () => [ok(['warm']), resetBeforeHeaders, neverAnswers], at: { request: 3, delayMs: 100 }, req: { maxRetries: 0 } },
  },
  {
    fault: 'keep-alive socket reset after the headers came (not resent)',
    warm: true,
    script: () => [ok(['warm']), resetAfterHeaders, ok()],
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

const matrix: string[] = [];
const cell = (t: string) => t.replace(/\|/g, '\\|').replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT');

describe('remote fault matrix', () => {
  it.each(rows)('$fault', async (row) => {
    // 1. The fault as it happens: a recovery, or a typed error naming the URL, what happened and what to check.
    const s = await serve(row, row.script());
    const out = await run(row, s, {});
    const url = `POST ${s.baseUrl}/chat/completions`;
    let outcome: string;
    if (row.kind) {
      expect(out).toBeInstanceOf(RemoteError);
      const e = out as RemoteError;
      expect({ kind: e.kind, attempts: e.attempts }).toEqual({ kind: row.kind, attempts: row.attempts });
      expect(e.message.startsWith(`${url}: `)).toBe(true);
      expect(e.message).toMatch(row.says!);
      // What to check: the kind's hint, or one more specific to the fault.
      const hint = row.hint ?? hintFor(e.kind);
      if (hint) expect(e.message.toLowerCase()).toContain(hint.toLowerCase());
      outcome = `error \`${e.kind}\` (${e.code}${e.status ? `, HTTP ${e.status}` : ''})`;
      matrix.push(`| ${cell(row.fault)} | ${outcome} | ${e.attempts} | ${cell(e.message)} |`);
    } else {
      if (out instanceof Error) throw out;
      const r = out as ReplicaChatResult;
      expect({ text: r.text, attempts: r.attempts }).toEqual({ text: row.text, attempts: row.attempts });
      outcome = `recovered (${r.ending === 'done' ? '[DONE]' : r.ending === 'eof' ? 'end of body' : 'cut at max_tokens'})`;
      matrix.push(`| ${cell(row.fault)} | ${outcome} | ${r.attempts} | text "${cell(r.text.length > 40 ? `${r.text.slice(0, 40)}…` : r.text)}" |`);
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
    matrix[matrix.length - 1] += ` ${stopMs.toFixed(1)} ms |`;
  });
});

afterAll(() => {
  console.log(
    ['', '| fault | outcome | requests | error message / result | Stop → cancelled |', '|---|---|---|---|---|', ...matrix].join('\n'),
  );
});
