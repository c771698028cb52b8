// A fake OpenAI-compatible server on 127.0.0.1 whose answers can be held: a question about France is answered
// at once, the others wait for release(). Lets an e2e see an evaluation mid-run without depending on speed.
import { createServer, type Server } from 'node:http';
import { listenLoopback, streamWords } from './fakeOpenAi';

const CAPITALS: Record<string, string> = { France: 'Paris', Japan: 'Tokyo', Peru: 'Lima' };

export interface GatedOpenAi {
  baseUrl: string;
  /** Requests received so far. */
  requests(): number;
  release(): void;
  close(): Promise<void>;
}

export async function startGatedOpenAi(): Promise<GatedOpenAi> {
  let released = false;
  let count = 0;
  const held: (() => void)[] = [];
  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && req.url?.endsWith('/v1/models')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: [{ id: 'gated-7b', object: 'model', owned_by: 'fake', root: 'gated-7b', parent: null, max_model_len: 4096 }] }));
      return;
    }
    if (req.method === 'POST' && req.url?.endsWith('/v1/chat/completions')) {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        count++;
        const { messages } = JSON.parse(body) as { messages: { content: string }[] };
        const text = messages.map((m) => m.content).join(' ');
        const country = Object.keys(CAPITALS).find((c) => text.includes(c)) ?? 'France';
        const answer = () => streamWords(res, 'gated-7b', ['The', 'capital', 'is', CAPITALS[country] as string], 5);
        if (released || country === 'France') answer();
        else held.push(answer);
      });
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
  });
  const { baseUrl, close } = await listenLoopback(server);
  return {
    baseUrl,
    requests: () => count,
    release() {
      released = true;
      for (const go of held.splice(0)) go();
    },
    close,
  };
}
