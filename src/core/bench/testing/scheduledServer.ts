// A loopback OpenAI-compatible streaming server with a fixed schedule, for benchmark accuracy tests: the
// first content chunk `firstMs` after the request arrived, then one chunk every `everyMs`, `tokens` chunks,
// then finish, usage and [DONE]. It runs in a worker thread, so the benchmark's own work on the main event
// loop cannot delay the server's clock; writes are scheduled at absolute offsets, so drift does not add up.
// Bounded: it answers at most `maxRequests` and closes itself after `lifetimeMs`. GET /ping answers at once
// (not counted), so a test can measure the loopback round trip of the machine it runs on.
import { Worker } from 'node:worker_threads';

export interface ScheduleOptions {
  firstMs: number;
  everyMs: number;
  tokens: number;
  promptTokens?: number;
  maxRequests?: number;
  /** Default 60 s. */
  lifetimeMs?: number;
  /** When set, requests must carry `Authorization: Bearer <apiKey>`. */
  apiKey?: string | null;
}

/** When one answered request arrived and when its last chunk was written: epoch ms (performance.timeOrigin
 * + now, comparable across threads). */
export interface RequestTimeline {
  arrive: number;
  last: number;
}

export interface ServerStats {
  served: number;
  authorizations: (string | null)[];
  bodies: unknown[];
  timeline: RequestTimeline[];
  /** Median lateness of the server's writes. */
  lateMs: number;
}

export interface ScheduledServer {
  /** http://127.0.0.1:PORT/v1 */
  baseUrl: string;
  /** Requests answered so far, the Authorization headers seen and when each was served (read with stats()). */
  stats(): Promise<ServerStats>;
  close(): Promise<void>;
}

// Plain JavaScript: a worker evaluates it as is (no TypeScript loader needed).
const WORKER = `
const { parentPort, workerData: o } = require('node:worker_threads');
const { createServer } = require('node:http');
const { performance } = require('node:perf_hooks');
let served = 0;
const authorizations = [];
const bodies = [];
const late = [];
const timeline = [];
const abs = () => performance.timeOrigin + performance.now();
const chunk = (delta, finish) => JSON.stringify({ id: 'cmpl-bench', object: 'chat.completion.chunk', created: 1700000000, model: 'm', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
const frame = (d) => 'data: ' + d + '\\n\\n';
const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url.endsWith('/ping')) {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('pong');
    return;
  }
  // Like an API that only serves /v1: no tokenizer endpoint (the lab then keeps its approximate prompts).
  if (!req.url.endsWith('/chat/completions')) {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: 'not found' } }));
    return;
  }
  const tl = { arrive: abs(), last: 0 };
  let raw = '';
  req.on('data', (c) => { if (raw.length < 1e6) raw += c; });
  req.on('end', () => {
    const t0 = performance.now();
    authorizations.push(req.headers.authorization ?? null);
    try { bodies.push(JSON.parse(raw)); } catch { bodies.push(raw); }
    if (served >= o.maxRequests || (o.apiKey && req.headers.authorization !== 'Bearer ' + o.apiKey)) {
      res.writeHead(o.apiKey && req.headers.authorization !== 'Bearer ' + o.apiKey ? 401 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'refused' } }));
      return;
    }
    served++;
    timeline.push(tl);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.flushHeaders();
    const at = (ms, fn) => setTimeout(() => {
      late.push(performance.now() - t0 - ms);
      fn();
    }, Math.max(0, t0 + ms - performance.now()));
    for (let i = 0; i < o.tokens; i++) {
      at(o.firstMs + i * o.everyMs, () => {
        if (res.destroyed) return;
        if (i === o.tokens - 1) tl.last = abs();
        let data = frame(chunk(i === 0 ? { role: 'assistant', content: 't' + i + ' ' } : { content: 't' + i + ' ' }, null));
        if (i === o.tokens - 1) {
          data += frame(chunk({ content: '' }, 'length'));
          data += frame(JSON.stringify({ id: 'cmpl-bench', object: 'chat.completion.chunk', created: 1700000000, model: 'm', choices: [], usage: { prompt_tokens: o.promptTokens, completion_tokens: o.tokens, total_tokens: o.promptTokens + o.tokens } }));
          data += frame('[DONE]');
          res.end(data);
        } else res.write(data);
      });
    }
  });
});
server.keepAliveTimeout = 5000;
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ type: 'port', port: server.address().port }));
const stop = () => { server.closeAllConnections(); server.close(() => process.exit(0)); };
setTimeout(stop, o.lifetimeMs).unref();
parentPort.on('message', (m) => {
  if (m === 'stats') parentPort.postMessage({ type: 'stats', served, authorizations, bodies, timeline, lateMs: [...late].sort((a, b) => a - b)[late.length >> 1] ?? 0 });
  if (m === 'close') stop();
});
`;

export async function startScheduledServer(opts: ScheduleOptions): Promise<ScheduledServer> {
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: { promptTokens: 7, maxRequests: 1000, lifetimeMs: 60_000, apiKey: null, ...opts },
  });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (m: { type: string; port?: number }) => {
      if (m.type === 'port') resolve(m.port as number);
    });
  });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    stats: () =>
      new Promise((resolve) => {
        const on = (m: ServerStats & { type: string }) => {
          if (m.type !== 'stats') return;
          worker.off('message', on);
          resolve({ served: m.served, authorizations: m.authorizations, bodies: m.bodies, timeline: m.timeline, lateMs: m.lateMs });
        };
        worker.on('message', on);
        worker.postMessage('stats');
      }),
    close: async () => {
      worker.postMessage('close');
      const t = setTimeout(() => void worker.terminate(), 2000);
      await exited;
      clearTimeout(t);
    },
  };
}
