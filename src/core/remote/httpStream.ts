// Streamed HTTP requests for chat streams, made on a small I/O thread that stamps every event with the time
// it happened on the socket. On the main thread, storing and auditing a finished run takes ~1–2 ms of
// synchronous work (more on a busy machine), and a chunk that arrived meanwhile was stamped late: that showed
// up in benchmarks as TTFT and E2E errors of 3–7 ms on a loaded 2-core machine. The I/O thread does nothing
// else, so its stamps stay within a fraction of a millisecond of the wire. Everything else (SSE parsing,
// timers, errors) stays in chatAttempt on the main thread.
// Failures reject with `{ cause: { code, message } }`, the shape fetch uses, so networkCause reads both.
// A reused keep-alive socket the server had closed while idle fails before any answer byte (llama-server
// did this to 9–25% of requests as "ECONNRESET: socket hang up"): such a request is sent once more on a new
// socket, and says so (`resent`); any other failure, or a second one, is reported as it happened.
// gzip/deflate/br bodies are decoded on the I/O thread, streamed as they arrive.
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { readCappedFrom } from './endpoint';

/** After the caller is done, the rest of a body is drained for this long so the connection can be reused. */
const DRAIN_MS = 1000;
/** Later pieces of a body reach the main thread together at most this often (see the I/O thread). */
const COALESCE_MS = 16;

export type ReadResult = { done: true; value?: undefined; atMs: number } | { done: false; value: Uint8Array; atMs: number };

export interface StreamResponse {
  status: number;
  statusText: string;
  ok: boolean;
  /** When the I/O thread issued the request (performance.now() of this thread); for a resent one, the second time. */
  sentAtMs: number;
  /** The request was sent twice: the reused keep-alive socket failed before any answer byte, so it went again on a new one. */
  resent: boolean;
  header(name: string): string | null;
  /** The next piece of the body with the time it came off the socket; `done` at its end. Rejects when the connection breaks or the signal aborts. */
  read(): Promise<ReadResult>;
  /**
   * The caller is done. A finished body leaves the connection to be reused; an unfinished one is drained for
   * a moment (a stream usually ends right after [DONE]) and then dropped, or dropped at once with `drop`.
   */
  release(opts?: { drop?: boolean }): void;
}

export interface StreamInit {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  /** Bytes are copied to the I/O thread as they are (no UTF-8 encoding on either side). */
  body?: string | Uint8Array;
  signal: AbortSignal;
}

type FromWorker =
  | { id: number; t: 'headers'; status: number; statusText: string; headers: Record<string, string | string[] | undefined>; sentAt: number; resent: boolean }
  | { id: number; t: 'data'; pieces: { bytes: Uint8Array; at: number }[] }
  | { id: number; t: 'end'; at: number }
  | { id: number; t: 'error'; code: string | null; message: string; resent?: boolean };

// Plain JavaScript: a worker evaluates it as is (no TypeScript loader in tests, one bundle in the app).
const WORKER = `
const { parentPort } = require('node:worker_threads');
const http = require('node:http');
const https = require('node:https');
const zlib = require('node:zlib');
const { performance } = require('node:perf_hooks');
const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
// What a kept-alive socket the server closed while idle fails with when we write to it.
const STALE_SOCKET = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);
// Streamed bodies must come out as they arrive, and a body cut before the gzip trailer is not an error
// of its own (the response's own 'close' says whether it was complete).
const Z = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };
const DECODERS = {
  gzip: () => zlib.createGunzip(Z),
  'x-gzip': () => zlib.createGunzip(Z),
  deflate: () => zlib.createInflate(Z),
  br: () => zlib.createBrotliDecompress({ flush: zlib.constants.BROTLI_OPERATION_FLUSH, finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH }),
};
const open = new Map();
const now = () => performance.timeOrigin + performance.now();
// The first piece of a body goes to the main thread at once (TTFT, first-token timer); later pieces, each
// with its own stamp, go together at most every COALESCE_MS. Waking the main thread for every token cost a
// loopback server on 2 cores CPU time: E2E +1.5–3 ms on a 16-token stream, the stream itself made slower.
const COALESCE_MS = ${COALESCE_MS};
const deliver = (id, s) => {
  if (s.timer) clearTimeout(s.timer);
  s.timer = null;
  if (s.held.length === 0 || s.draining || open.get(id) !== s) return;
  const pieces = s.held;
  s.held = [];
  parentPort.postMessage({ id, t: 'data', pieces }, pieces.map((p) => p.bytes.buffer));
};
const fail = (id, e, resent) => {
  const s = open.get(id);
  // What arrived before the failure is delivered first: the text so far is kept.
  if (s) deliver(id, s);
  if (!open.delete(id)) return;
  parentPort.postMessage({ id, t: 'error', code: typeof e.code === 'string' ? e.code : null, message: String(e.message || e), resent });
};
function send(m, s, fresh) {
  const { id, url } = m;
  const secure = url.startsWith('https:');
  let req;
  const sentAt = now();
  try {
    // A fresh socket: no agent, so no other idle socket the server may also have closed.
    req = (secure ? https : http).request(url, { method: m.method, headers: m.headers, agent: fresh ? false : secure ? agents.https : agents.http });
  } catch (e) {
    fail(id, e, s.resent);
    return;
  }
  s.req = req;
  let readBefore = null;
  req.on('socket', (sock) => { readBefore = sock.bytesRead; });
  req.setNoDelay(true);
  req.on('error', (e) => {
    if (open.get(id) !== s || s.req !== req) return;
    // A reused keep-alive socket that failed before a single byte of the answer came back: the server
    // closed it while it was idle and never saw this request, so it is sent once more on a new socket.
    const sock = req.socket;
    const noByte = !s.res && sock && readBefore !== null && sock.bytesRead === readBefore;
    if (!fresh && req.reusedSocket && noByte && STALE_SOCKET.has(e.code)) {
      s.resent = true;
      send(m, s, true);
      return;
    }
    fail(id, e, s.resent);
  });
  req.on('response', (res) => {
    s.res = res;
    const enc = String(res.headers['content-encoding'] || '').trim().toLowerCase();
    const decoder = enc && enc !== 'identity' ? DECODERS[enc] : null;
    const body = decoder ? res.pipe(decoder()) : res;
    s.body = body;
    // The status goes first either way, so a body that cannot be decoded still shows what the answer was.
    parentPort.postMessage({ id, t: 'headers', status: res.statusCode, statusText: res.statusMessage || '', headers: res.headers, sentAt, resent: s.resent });
    if (enc && enc !== 'identity' && !decoder) {
      fail(id, { code: 'EDECODE', message: 'the response uses content-encoding "' + enc.slice(0, 40) + '", which Lamplight cannot decode' }, s.resent);
      req.destroy();
      return;
    }
    if (decoder) body.on('error', (e) => fail(id, { code: 'EDECODE', message: 'could not decode the ' + enc + ' response (' + e.message + ')' }, s.resent));
    body.on('data', (b) => {
      if (s.draining) return;
      const at = now();
      const bytes = new Uint8Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
      s.held.push({ bytes, at });
      if (!s.first) {
        s.first = true;
        deliver(id, s);
      } else s.timer ??= setTimeout(() => deliver(id, s), COALESCE_MS);
    });
    body.on('end', () => {
      const at = now();
      deliver(id, s);
      if (open.delete(id) && !s.draining) parentPort.postMessage({ id, t: 'end', at });
    });
    res.on('error', (e) => fail(id, e, s.resent));
    res.on('close', () => {
      if (!res.complete) fail(id, Object.assign(new Error('the connection closed before the response ended'), { code: 'ECONNRESET' }), s.resent);
    });
  });
  req.end(m.body);
}
parentPort.on('message', (m) => {
  if (m.op === 'abort' || m.op === 'drop') {
    const s = open.get(m.id);
    open.delete(m.id);
    if (s) {
      if (s.timer) clearTimeout(s.timer);
      s.req.destroy();
    }
    return;
  }
  if (m.op === 'drain') {
    const s = open.get(m.id);
    if (!s || !s.res) return;
    s.draining = true;
    if (s.timer) clearTimeout(s.timer);
    const t = setTimeout(() => { open.delete(m.id); s.req.destroy(); }, m.ms);
    t.unref();
    s.res.on('close', () => clearTimeout(t));
    s.body.resume();
    return;
  }
  const s = { req: null, res: null, body: null, draining: false, resent: false, held: [], first: false, timer: null };
  open.set(m.id, s);
  send(m, s, false);
});
`;

interface Pending {
  onHeaders: (m: Extract<FromWorker, { t: 'headers' }>) => void;
  onData: (m: Extract<FromWorker, { t: 'data' | 'end' }>) => void;
  onError: (m: Extract<FromWorker, { t: 'error' }>) => void;
}

let io: Worker | null = null;
let nextId = 1;
const pending = new Map<number, Pending>();

/** The I/O thread, started on first use; it keeps the process alive only while a request is open. */
function worker(): Worker {
  if (io) return io;
  const w = new Worker(WORKER, { eval: true, name: 'Lamplight HTTP streams' });
  w.on('message', (m: FromWorker) => {
    const p = pending.get(m.id);
    if (!p) return;
    if (m.t === 'headers') p.onHeaders(m);
    else if (m.t === 'error') p.onError(m);
    else p.onData(m);
  });
  w.on('error', (e) => {
    // The thread itself failed (it should not): every open request fails with it, the next one starts anew.
    for (const [id, p] of pending) p.onError({ id, t: 'error', code: 'EIOTHREAD', message: `the HTTP stream thread failed: ${e.message}` });
    pending.clear();
    io = null;
  });
  w.unref();
  io = w;
  return w;
}

function track(id: number, p: Pending): void {
  pending.set(id, p);
  if (pending.size === 1) io?.ref();
}

function untrack(id: number): void {
  if (pending.delete(id) && pending.size === 0) io?.unref();
}

/** The error shape fetch rejects with: the low-level error is the cause (`resent` as on StreamResponse). */
function failed(cause: { code: string | null; message: string; resent?: boolean } | Error): Error {
  return new Error('request failed', { cause });
}

const toLocal = (epochMs: number) => epochMs - performance.timeOrigin;

export function openStream(url: string, init: StreamInit): Promise<StreamResponse> {
  return new Promise((resolve, reject) => {
    if (init.signal.aborted) {
      reject(failed(Object.assign(new Error('This operation was aborted'), { code: 'ABORT_ERR' })));
      return;
    }
    const headers: Record<string, string> = { ...init.headers };
    if (init.body !== undefined) headers['content-length'] = String(typeof init.body === 'string' ? Buffer.byteLength(init.body) : init.body.byteLength);
    const w = worker();
    const id = nextId++;
    // Body pieces not read yet, and the reader waiting for the next one.
    const queue: ReadResult[] = [];
    let error: Error | null = null;
    let wake: (() => void) | null = null;
    let ended = false;
    const notify = () => {
      const f = wake;
      wake = null;
      f?.();
    };
    const onAbort = () => {
      w.postMessage({ op: 'abort', id });
      untrack(id);
      const e = failed(Object.assign(new Error('This operation was aborted'), { code: 'ABORT_ERR' }));
      error ??= e;
      reject(e);
      notify();
    };
    init.signal.addEventListener('abort', onAbort, { once: true });
    const finish = () => {
      init.signal.removeEventListener('abort', onAbort);
      untrack(id);
    };
    track(id, {
      onHeaders: (m) => {
        const header = (name: string) => {
          const v = m.headers[name.toLowerCase()];
          return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
        };
        resolve({
          status: m.status,
          statusText: m.statusText,
          ok: m.status >= 200 && m.status < 300,
          sentAtMs: toLocal(m.sentAt),
          resent: m.resent,
          header,
          read: async () => {
            for (;;) {
              const next = queue.shift();
              if (next) return next;
              if (error) throw error;
              if (ended) return { done: true, atMs: performance.now() };
              await new Promise<void>((r) => (wake = r));
            }
          },
          release: (opts = {}) => {
            finish();
            if (ended || error) return;
            error = failed({ code: 'ERELEASED', message: 'the response was released' });
            w.postMessage(opts.drop ? { op: 'drop', id } : { op: 'drain', id, ms: DRAIN_MS });
          },
        });
      },
      onData: (m) => {
        if (m.t === 'end') {
          ended = true;
          finish();
          queue.push({ done: true, atMs: toLocal(m.at) });
        } else for (const p of m.pieces) queue.push({ done: false, value: p.bytes, atMs: toLocal(p.at) });
        notify();
      },
      onError: (m) => {
        finish();
        const e = failed({ code: m.code, message: m.message, resent: m.resent === true });
        error ??= e;
        reject(e);
        notify();
      },
    });
    w.postMessage({ op: 'open', id, url, method: init.method, headers, body: init.body });
  });
}

/** Reads at most `capBytes` of the body as text (see readCappedFrom) and lets the connection go. */
export async function readStreamCapped(res: StreamResponse, capBytes: number): Promise<{ text: string; truncated: boolean }> {
  let truncated = true;
  try {
    const r = await readCappedFrom(() => res.read(), capBytes);
    truncated = r.truncated;
    return r;
  } finally {
    res.release({ drop: truncated });
  }
}
