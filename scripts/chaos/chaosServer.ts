// The loopback OpenAI-compatible server the runs and evals paths stream from: every chat request gets the
// same answer, word by word at a fixed gap, so a kill lands mid-stream and a complete output is known.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const CHAOS_MODEL = 'chaos-7b';
export const CHAOS_WORDS = ['ok', 'the', 'tide', 'turns', 'twice', 'a', 'day'];
/** The full streamed output; a stored run that is not interrupted must have exactly this. */
export const CHAOS_ANSWER = CHAOS_WORDS.join(' ');

export interface ChaosServer {
  baseUrl: string;
  requests: number;
  close(): Promise<void>;
}

function stream(res: ServerResponse, gapMs: number): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const send = (delta: object, finish: string | null) =>
    res.write(`data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: CHAOS_MODEL, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`);
  let i = 0;
  const timer = setInterval(() => {
    if (i < CHAOS_WORDS.length) {
      send({ content: (i ? ' ' : '') + CHAOS_WORDS[i] }, null);
      i++;
      return;
    }
    clearInterval(timer);
    send({}, 'stop');
    res.end('data: [DONE]\n\n');
  }, gapMs);
  // A killed client closes the socket: the bounded loop stops with it.
  res.on('close', () => clearInterval(timer));
}

/** Listens on 127.0.0.1 only, on a free port. */
export async function startChaosServer(gapMs = 15): Promise<ChaosServer> {
  const state = { requests: 0 };
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url?.endsWith('/v1/models')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: [{ id: CHAOS_MODEL, object: 'model', owned_by: 'chaos' }] }));
      return;
    }
    if (req.method === 'POST' && req.url?.endsWith('/v1/chat/completions')) {
      state.requests++;
      req.resume();
      req.on('end', () => stream(res, gapMs));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    get requests() {
      return state.requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
