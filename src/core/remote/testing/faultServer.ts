// A scripted OpenAI-compatible server on 127.0.0.1 for tests: each request gets the next scripted answer —
// a timed SSE stream, a JSON error, a stall, a dropped connection — and after the last one it stops
// listening. Writes are scheduled at absolute offsets from the request, so timer drift does not add up.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { constants as zlibConstants, createGzip, gzipSync } from 'node:zlib';

export interface ScriptedWrite {
  /** Milliseconds after the request body arrived. */
  atMs: number;
  data: string | Uint8Array;
}

export interface ScriptedResponse {
  status?: number;
  headers?: Record<string, string>;
  /** When to send the status line and headers; 'never' accepts the request and stays silent. */
  headersAtMs?: number | 'never';
  writes?: ScriptedWrite[];
  /** After the last write: finish the response, destroy the socket, or keep it open and silent. */
  then?: 'end' | 'destroy' | 'hang';
  /** Destroy the socket at this time, whatever was sent: before the headers it is a reset before any answer byte. */
  resetAtMs?: number;
  /** Send the body gzip-compressed (Content-Encoding: gzip), flushed after every write so it still streams. */
  gzip?: boolean;
  /** After the writes, send `data` every `everyMs` until the client goes away (at most `maxWrites` times). */
  endless?: { everyMs: number; data: string; maxWrites?: number };
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  /** performance.now() when the body had arrived. */
  receivedAt: number;
  /** The client closed the connection before the scripted answer was finished. */
  closedByClient: boolean;
  /** The scripted answer was sent to the end. */
  finished: boolean;
  /** The request came on a keep-alive socket that had already carried an earlier request. */
  reusedSocket: boolean;
}

export interface FaultServer {
  /** http://127.0.0.1:PORT/v1 */
  baseUrl: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' };

export interface FaultServerOptions {
  /** How long an idle keep-alive socket is kept. Node's client reads the hint (Keep-Alive: timeout=N s) and does
   * not reuse a socket whose hint is under a second, so reuse tests need more than the default 200 ms. */
  keepAliveTimeoutMs?: number;
}

export async function startFaultServer(script: ScriptedResponse[], opts: FaultServerOptions = {}): Promise<FaultServer> {
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let next = 0;

  const at = (t0: number, ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, Math.max(0, t0 + ms - performance.now()));
    timers.add(timer);
  };

  const serve = (req: IncomingMessage, res: ServerResponse, rec: RecordedRequest, step: ScriptedResponse) => {
    const t0 = rec.receivedAt;
    res.on('close', () => {
      if (!rec.finished) rec.closedByClient = true;
    });
    if (step.resetAtMs !== undefined) {
      at(t0, step.resetAtMs, () => {
        rec.finished = true;
        req.socket.destroy();
      });
    }
    // The body goes through a gzip stream when asked; each write is flushed so chunks still arrive one by one.
    const gz = step.gzip ? createGzip() : null;
    gz?.pipe(res);
    const write = (data: string | Uint8Array) => {
      if (!gz) return res.write(data);
      gz.write(data);
      gz.flush(zlibConstants.Z_SYNC_FLUSH);
    };
    const sendHeaders = () => {
      if (res.destroyed) return;
      res.writeHead(step.status ?? 200, { ...(step.headers ?? SSE_HEADERS), ...(gz ? { 'content-encoding': 'gzip' } : {}) });
      res.flushHeaders();
    };
    if (step.headersAtMs === 'never') return;
    const finish = () => {
      const then = step.then ?? 'end';
      if (then === 'end') {
        rec.finished = true;
        if (gz) gz.end();
        else res.end();
      } else if (then === 'destroy') {
        rec.finished = true;
        req.socket.destroy();
      }
    };
    const writes = step.writes ?? [];
    const lastAt = Math.max(step.headersAtMs ?? 0, ...writes.map((w) => w.atMs));
    // An endless tail: scheduled one write at a time at absolute offsets, and it stops when the client goes.
    const endless = (k: number) => {
      const e = step.endless!;
      if (res.destroyed || k >= (e.maxWrites ?? 100_000)) return;
      write(e.data);
      at(t0, lastAt + (k + 1) * e.everyMs, () => endless(k + 1));
    };
    const afterWrites = () => (step.endless ? endless(0) : finish());
    at(t0, step.headersAtMs ?? 0, sendHeaders);
    writes.forEach((w, i) => {
      at(t0, w.atMs, () => {
        if (res.destroyed) return;
        write(w.data);
        if (i < writes.length - 1) return;
        afterWrites();
      });
    });
    if (writes.length === 0) at(t0, step.headersAtMs ?? 0, afterWrites);
  };
  const served = new WeakSet<Socket>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= 1024 * 1024) chunks.push(c);
    });
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = raw;
      try {
        body = raw ? (JSON.parse(raw) as unknown) : null;
      } catch {
        // keep the raw text
      }
      const rec: RecordedRequest = {
        method: req.method ?? '',
        path: new URL(req.url ?? '/', 'http://x').pathname,
        headers: { ...req.headers },
        body,
        receivedAt: performance.now(),
        closedByClient: false,
        finished: false,
        reusedSocket: served.has(req.socket),
      };
      served.add(req.socket);
      requests.push(rec);
      const step = script[next++];
      if (next >= script.length) server.close();
      if (!step) {
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'fault server: script exhausted' } }));
        return;
      }
      serve(req, res, rec, step);
    });
  });
  server.keepAliveTimeout = opts.keepAliveTimeoutMs ?? 200;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A URL nothing listens on: a port that was free a moment ago. */
export async function deadBaseUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return `http://127.0.0.1:${port}/v1`;
}

// ---- Builders for OpenAI chat.completion.chunk streams ----

export interface ChunkOptions {
  content?: string | null;
  role?: 'assistant';
  reasoning?: string;
  finishReason?: string | null;
  model?: string;
}

export function chunkJson(o: ChunkOptions): string {
  const delta: Record<string, unknown> = {};
  if (o.role) delta.role = o.role;
  if (o.content !== undefined) delta.content = o.content;
  if (o.reasoning !== undefined) delta.reasoning_content = o.reasoning;
  return JSON.stringify({
    id: 'chatcmpl-test',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model: o.model ?? 'test-model',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: o.finishReason ?? null }],
  });
}

export function usageJson(promptTokens: number, completionTokens: number): string {
  return JSON.stringify({
    id: 'chatcmpl-test',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model: 'test-model',
    choices: [],
    usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
  });
}

export const frame = (data: string, eol = '\n') => `data: ${data}${eol}${eol}`;

export interface StreamScript {
  tokens: string[];
  /** The role chunk (empty content) goes out with the first token, as vLLM sends it. */
  roleChunk?: boolean;
  /** First content chunk, ms after the request. */
  firstAtMs?: number;
  /** Gap between content chunks. */
  everyMs?: number;
  finishReason?: string;
  usage?: boolean;
  done?: boolean;
  then?: ScriptedResponse['then'];
}

/** A vLLM-shaped stream: role chunk, one chunk per token on a fixed clock, finish, usage, [DONE]. */
export function sseStream(s: StreamScript): ScriptedResponse {
  const first = s.firstAtMs ?? 0;
  const every = s.everyMs ?? 0;
  const writes: ScriptedWrite[] = [];
  // vLLM sends the role chunk when the first token is ready, right before that token's chunk.
  if (s.roleChunk ?? true) writes.push({ atMs: first, data: frame(chunkJson({ role: 'assistant', content: '' })) });
  s.tokens.forEach((tok, i) => writes.push({ atMs: first + i * every, data: frame(chunkJson({ content: tok })) }));
  const lastAt = first + Math.max(0, s.tokens.length - 1) * every;
  const tail =
    frame(chunkJson({ content: '', finishReason: s.finishReason ?? 'stop' })) +
    ((s.usage ?? true) ? frame(usageJson(7, s.tokens.length)) : '') +
    ((s.done ?? true) ? frame('[DONE]') : '');
  writes.push({ atMs: lastAt, data: tail });
  return { status: 200, headers: SSE_HEADERS, writes, then: s.then ?? 'end' };
}

/** A complete stream's bytes cut into pieces at the given byte offsets, `gapMs` apart. */
export function splitStream(bytes: Uint8Array, cuts: number[], gapMs: number): ScriptedResponse {
  const points = [0, ...cuts.filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b), bytes.length];
  const writes: ScriptedWrite[] = [];
  for (let i = 0; i < points.length - 1; i++) writes.push({ atMs: i * gapMs, data: bytes.slice(points[i], points[i + 1]) });
  return { status: 200, headers: SSE_HEADERS, writes, then: 'end' };
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): ScriptedResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, writes: [{ atMs: 0, data: JSON.stringify(body) }], then: 'end' };
}

/** A whole (not streamed) body compressed at once, with its Content-Length, as a proxy that gzips would send it. */
export function gzipResponse(status: number, body: string, contentType: string): ScriptedResponse {
  const z = gzipSync(body);
  return {
    status,
    headers: { 'content-type': contentType, 'content-encoding': 'gzip', 'content-length': String(z.byteLength) },
    writes: [{ atMs: 0, data: z }],
    then: 'end',
  };
}

/** Headers sent, then nothing, forever (until the client gives up or the server closes). */
export function stall(): ScriptedResponse {
  return { status: 200, headers: SSE_HEADERS, writes: [], then: 'hang' };
}

/** A 200 stream with the given raw body text, sent at once. */
export function rawStream(text: string, then: ScriptedResponse['then'] = 'end', headers: Record<string, string> = SSE_HEADERS): ScriptedResponse {
  return { status: 200, headers, writes: [{ atMs: 0, data: text }], then };
}

// ---- Faults for the fault matrix ----

/** Accepts the request and never answers: no status line, no byte. */
export const neverAnswers = (): ScriptedResponse => ({ headersAtMs: 'never' });

/** The socket is destroyed as soon as the request arrived: no answer byte at all. */
export const resetBeforeHeaders = (): ScriptedResponse => ({ headersAtMs: 'never', resetAtMs: 0 });

/** A 200 with event-stream headers, then the socket is destroyed before any body. */
export const resetAfterHeaders = (): ScriptedResponse => ({ status: 200, headers: SSE_HEADERS, headersAtMs: 0, resetAtMs: 30, then: 'hang' });

/** An HTML error page as proxies send them: mostly markup, a style sheet and a script around a line of text. */
export function htmlError(status: number, title: string, text: string): ScriptedResponse {
  const page =
    `<html><head><title>${title}</title><style>body{font-family:Tahoma,Verdana,Arial,sans-serif;width:35em;margin:0 auto}</style></head>` +
    `<body><h1>${title}</h1><p>${text}</p><script>console.log("x")</script></body></html>`;
  return { status, headers: { 'content-type': 'text/html' }, writes: [{ atMs: 0, data: page }] };
}

/** One content token, then `data` (a fault in the making), then silence. */
export function tokenThenHang(data: string): ScriptedResponse {
  return { status: 200, headers: SSE_HEADERS, writes: [{ atMs: 0, data: frame(chunkJson({ content: 'par' })) }, { atMs: 5, data }], then: 'hang' };
}

/** A stream that never ends: the role chunk, then a `content` chunk every `everyMs` until the client goes. */
export function endlessStream(content: string, everyMs: number): ScriptedResponse {
  return {
    status: 200,
    headers: SSE_HEADERS,
    writes: [{ atMs: 0, data: frame(chunkJson({ role: 'assistant', content: '' })) }],
    endless: { everyMs, data: frame(chunkJson({ content })) },
  };
}

/** A complete stream of these tokens with every multi-byte UTF-8 character cut after its first byte. */
export function splitInsideCharacters(tokens: string[]): ScriptedResponse {
  const bytes = new TextEncoder().encode(tokens.map((t) => frame(chunkJson({ content: t }))).join('') + frame('[DONE]'));
  const cuts: number[] = [];
  bytes.forEach((b, i) => {
    if (b >= 0xc0) cuts.push(i + 1);
  });
  return splitStream(bytes, cuts, 1);
}
