// A loopback OpenAI-compatible server for load tests: streams exactly max_tokens tokens (capped) after a
// configurable first-token delay, one token per tick, and reports usage at the end the way vLLM does.
// 127.0.0.1 only; open streams are bounded so a runaway test cannot pile up timers.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface BenchOpenAiOptions {
  model?: string;
  firstTokenMs?: number;
  tokenMs?: number;
  maxTokensCap?: number;
  maxOpenStreams?: number;
}

export interface BenchOpenAi {
  baseUrl: string;
  model: string;
  /** Chat requests served (warm-up included). */
  requests(): number;
  close(): Promise<void>;
}

export async function startBenchOpenAi(opts: BenchOpenAiOptions = {}): Promise<BenchOpenAi> {
  const model = opts.model ?? 'fast-7b';
  const firstTokenMs = opts.firstTokenMs ?? 80;
  const tokenMs = opts.tokenMs ?? 15;
  const cap = opts.maxTokensCap ?? 256;
  const maxOpen = opts.maxOpenStreams ?? 64;
  let open = 0;
  let served = 0;
  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && req.url?.endsWith('/v1/models')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: [{ id: model, object: 'model', owned_by: 'fake', root: `/models/${model}`, parent: null, max_model_len: 4096 }] }));
      return;
    }
    if (req.method !== 'POST' || !req.url?.endsWith('/v1/chat/completions')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
      return;
    }
    if (open >= maxOpen) {
      res.writeHead(429, { 'content-type': 'application/json' }).end('{"error":{"message":"too many open streams"}}');
      return;
    }
    let body = '';
    req.on('data', (d: Buffer) => {
      if (body.length < 1_000_000) body += d.toString();
    });
    req.on('end', () => {
      const parsed = JSON.parse(body) as { messages?: { content?: unknown }[]; max_tokens?: number; max_completion_tokens?: number };
      const want = Math.max(1, Math.min(cap, parsed.max_tokens ?? parsed.max_completion_tokens ?? 16));
      const promptTokens = Math.max(1, Math.round(JSON.stringify(parsed.messages ?? []).length / 4));
      open++;
      served++;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      const chunk = (delta: object, finish: string | null, usage?: object): string =>
        `data: ${JSON.stringify({ id: 'b1', object: 'chat.completion.chunk', created: 0, model, choices: usage ? [] : [{ index: 0, delta, finish_reason: finish }], ...(usage ? { usage } : {}) })}\n\n`;
      let sent = 0;
      let timer: ReturnType<typeof setTimeout> | null = null;
      const tick = (): void => {
        if (sent < want) {
          res.write(chunk({ content: ` tok${sent}` }, null));
          sent++;
          timer = setTimeout(tick, tokenMs);
          return;
        }
        res.write(chunk({}, 'length'));
        res.write(chunk({}, null, { prompt_tokens: promptTokens, completion_tokens: want, total_tokens: promptTokens + want }));
        res.end('data: [DONE]\n\n');
      };
      timer = setTimeout(tick, firstTokenMs);
      res.on('close', () => {
        open--;
        if (timer) clearTimeout(timer);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    model,
    requests: () => served,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
