// A fake OpenAI-compatible server on 127.0.0.1 for e2e: lists a model and a LoRA module, streams a steady
// answer for 'steady-7b', and breaks the connection mid-stream for 'flaky-7b'. Records request headers.
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeOpenAi {
  baseUrl: string;
  /** Headers of every request, in order. */
  seen: IncomingHttpHeaders[];
  close(): Promise<void>;
}

export const STEADY_ANSWER = 'The moon pulls the sea toward it, so the water rises twice a day.';
export const FLAKY_PREFIX = 'Tides are the slow';
export const SLOW_PREFIX = 'wave';

export async function startFakeOpenAi(): Promise<FakeOpenAi> {
  const seen: IncomingHttpHeaders[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(req.headers);
    if (req.method === 'GET' && req.url?.endsWith('/v1/models')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          object: 'list',
          data: [
            { id: 'steady-7b', object: 'model', owned_by: 'fake', root: '/models/steady-7b', parent: null, max_model_len: 4096 },
            { id: 'flaky-7b', object: 'model', owned_by: 'fake', root: '/models/flaky-7b', parent: null, max_model_len: 4096 },
            { id: 'slow-7b', object: 'model', owned_by: 'fake', root: '/models/slow-7b', parent: null, max_model_len: 4096 },
            { id: 'sql-lora', object: 'model', owned_by: 'fake', root: '/adapters/sql', parent: 'steady-7b', max_model_len: 4096 },
          ],
        }),
      );
      return;
    }
    if (req.method === 'POST' && req.url?.endsWith('/v1/chat/completions')) {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const { model } = JSON.parse(body) as { model: string };
        const flaky = model === 'flaky-7b';
        // slow-7b talks for ~30 s (bounded): long enough to be stopped from the UI.
        const words =
          model === 'slow-7b'
            ? Array.from({ length: 500 }, (_, i) => `${SLOW_PREFIX}${i}`)
            : (flaky ? `${FLAKY_PREFIX} breathing of the sea` : STEADY_ANSWER).split(' ');
        streamWords(res, model, words, 60, flaky ? 4 : null);
      });
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
  });
  return { ...(await listenLoopback(server)), seen };
}

/** Streams words as OpenAI chat chunks every `everyMs`; `breakAt`: destroy the socket before that word. */
export function streamWords(res: ServerResponse, model: string, words: readonly string[], everyMs: number, breakAt: number | null = null): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const send = (delta: object, finish: string | null): void => {
    res.write(`data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 0, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`);
  };
  let i = 0;
  const timer = setInterval(() => {
    if (breakAt !== null && i === breakAt) {
      clearInterval(timer);
      res.socket?.destroy();
      return;
    }
    if (i < words.length) {
      send({ content: (i ? ' ' : '') + words[i] }, null);
      i++;
      return;
    }
    clearInterval(timer);
    send({}, 'stop');
    res.end('data: [DONE]\n\n');
  }, everyMs);
  res.on('close', () => clearInterval(timer));
}

/** Listens on 127.0.0.1 (a free port) and gives the /v1 base URL and a close that drops open connections. */
export async function listenLoopback(server: Server): Promise<{ baseUrl: string; close(): Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
