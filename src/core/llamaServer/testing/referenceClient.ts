// The yardstick for the latency lab: a minimal streaming client on plain node:http that shares no code with
// Lamplight's remote client. It sends the bytes it is given, stamps each piece of the body as it comes off
// the socket, and derives TTFT, ITL and E2E exactly as vLLM's benchmark_serving does (openai-chat backend):
// TTFT = first data event with non-empty `choices`, ITL = gaps between later events with choices, latency =
// the last data event before [DONE] (usage included). It also keeps what llama-server says of itself
// (`timings` on the final chunk). Also: a capture server that records the exact bytes a client sends.
import http from 'node:http';
import { performance } from 'node:perf_hooks';

export interface ReferenceResult {
  ttftMs: number | null;
  itlMs: number[];
  /** vLLM's `latency`: the last data event before [DONE], minus send. */
  e2eMs: number;
  /** The request went out on a kept-alive connection (false: a new one, its handshake inside TTFT). */
  reused: boolean;
  /** When `data: [DONE]` arrived, minus send (null when it never did). */
  doneMs: number | null;
  /** vLLM's TPOT for this request: (latency − TTFT) / (output − 1); null for ≤ 1 token. */
  tpotMs: number | null;
  outputTokens: number;
  promptTokens: number | null;
  text: string;
  /** llama-server's own `timings` (prompt_ms, prompt_n, cache_n, predicted_ms, …), from the last chunk that had them. */
  timings: Record<string, number> | null;
}

interface Chunk {
  choices?: Array<{ delta?: { content?: string | null } }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
  timings?: Record<string, number>;
}

/** A keep-alive agent, as Lamplight keeps its connections alive (`keepAlive: false`: a new connection each time). */
export function referenceAgent(keepAlive = true): http.Agent {
  return new http.Agent({ keepAlive, maxSockets: 1 });
}

/**
 * Sends `body` (bytes as given) with `headers` and reads the event stream to its end. A reused socket the
 * server closed while idle fails before any byte; that request is sent once more, as any client would.
 */
export async function referenceStream(url: string, headers: Record<string, string>, body: Buffer, agent: http.Agent): Promise<ReferenceResult> {
  try {
    return await once(url, headers, body, agent);
  } catch (e) {
    if ((e as { stale?: boolean }).stale) return once(url, headers, body, agent);
    throw e;
  }
}

function once(url: string, headers: Record<string, string>, body: Buffer, agent: http.Agent): Promise<ReferenceResult> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    let sawByte = false;
    let ttft: number | null = null;
    let last = 0;
    const itl: number[] = [];
    let text = '';
    let outputTokens: number | null = null;
    let promptTokens: number | null = null;
    let timings: Record<string, number> | null = null;
    let choiceEvents = 0;
    let done: number | null = null;
    const st = performance.now();
    const req = http.request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': String(body.byteLength) } }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`reference: HTTP ${res.statusCode}`));
        res.resume();
        return;
      }
      res.setEncoding('utf8');
      res.on('data', (piece: string) => {
        const now = performance.now();
        sawByte = true;
        buffered += piece;
        for (let end = buffered.indexOf('\n\n'); end !== -1; end = buffered.indexOf('\n\n')) {
          const event = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          const data = event
            .split('\n')
            .filter((l) => l.startsWith('data:'))
            .map((l) => l.slice(5).trimStart())
            .join('\n');
          if (data === '[DONE]') done = now - st;
          if (data === '' || data === '[DONE]') continue;
          const json = JSON.parse(data) as Chunk;
          if (json.timings) timings = json.timings;
          if (json.choices && json.choices.length > 0) {
            choiceEvents++;
            if (ttft === null) ttft = now - st;
            else itl.push(now - last);
            text += json.choices[0]?.delta?.content ?? '';
          } else if (json.usage) {
            outputTokens = json.usage.completion_tokens ?? null;
            promptTokens = json.usage.prompt_tokens ?? null;
          }
          last = now;
        }
      });
      res.on('end', () => {
        const e2eMs = last - st;
        const out = outputTokens ?? choiceEvents;
        resolve({ ttftMs: ttft, itlMs: itl, e2eMs, reused: req.reusedSocket, doneMs: done, tpotMs: ttft !== null && out > 1 ? (e2eMs - ttft) / (out - 1) : null, outputTokens: out, promptTokens, text, timings });
      });
      res.on('error', reject);
    });
    req.on('error', (e) => reject(Object.assign(e, { stale: req.reusedSocket && !sawByte && (e as { code?: string }).code === 'ECONNRESET' })));
    req.setNoDelay(true);
    req.end(body);
  });
}

/**
 * One loopback round trip to the server: GET `url` sent, first byte of the answer back (ms). A kept-alive
 * socket the server closed after a streamed answer fails at once; the ping is then taken on a fresh one.
 */
export async function pingMs(url: string, agent: http.Agent): Promise<number> {
  try {
    return await pingOnce(url, agent);
  } catch (e) {
    if ((e as { stale?: boolean }).stale) return pingOnce(url, agent);
    throw e;
  }
}

function pingOnce(url: string, agent: http.Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    let first: number | null = null;
    const st = performance.now();
    const req = http.get(url, { agent }, (res) => {
      res.on('data', () => (first ??= performance.now()));
      res.on('end', () => resolve((first ?? performance.now()) - st));
      res.on('error', reject);
    });
    req.setNoDelay(true);
    req.on('error', (e) => reject(Object.assign(e, { stale: req.reusedSocket && first === null && (e as { code?: string }).code === 'ECONNRESET' })));
  });
}

export interface CapturedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface CaptureServer {
  baseUrl: string;
  requests: CapturedRequest[];
  close(): Promise<void>;
}

/** A loopback server that records each request's exact bytes and answers a short valid chat stream. */
export function startCaptureServer(): Promise<CaptureServer> {
  const requests: CapturedRequest[] = [];
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (b: Buffer) => parts.push(b));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(parts) });
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const ev = (o: unknown) => `data: ${JSON.stringify(o)}\n\n`;
      res.end(
        ev({ choices: [{ index: 0, delta: { role: 'assistant', content: 'ok' }, finish_reason: null }] }) +
          ev({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }) +
          ev({ choices: [], usage: { prompt_tokens: 1, completion_tokens: 1 } }) +
          'data: [DONE]\n\n',
      );
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({
        baseUrl: `http://127.0.0.1:${port}/v1`,
        requests,
        close: () => new Promise<void>((r) => server.close(() => r())),
      });
    });
  });
}
