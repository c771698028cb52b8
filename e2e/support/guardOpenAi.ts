// A fake OpenAI-compatible server for the guardrails e2e: RECORDS every request body it receives, answers
// 'echo-7b' by echoing the placeholders it was sent ("Noted: [ID_1] is on file.") and 'steady-7b' with
// the steady answer (which mentions the moon). 127.0.0.1 only.
import { createServer, type Server } from 'node:http';
import { listenLoopback, STEADY_ANSWER, streamWords } from './fakeOpenAi';

export interface RecordingOpenAi {
  baseUrl: string;
  /** Raw bodies of every POST, in order. */
  bodies: string[];
  close(): Promise<void>;
}

/** What 'echo-7b' says to a user message: the placeholders it got, or that it got none. */
export function echoAnswer(userMessage: string): string {
  const placeholders = [...new Set(userMessage.match(/\[[A-Z][A-Z0-9_]*_\d+\]/g) ?? [])];
  return placeholders.length ? `Noted: ${placeholders.join(' and ')} is on file.` : 'Noted: nothing to file.';
}

export async function startRecordingOpenAi(): Promise<RecordingOpenAi> {
  const bodies: string[] = [];
  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && req.url?.endsWith('/v1/models')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          object: 'list',
          data: ['echo-7b', 'steady-7b'].map((id) => ({ id, object: 'model', owned_by: 'fake', root: `/models/${id}`, parent: null, max_model_len: 4096 })),
        }),
      );
      return;
    }
    if (req.method === 'POST' && req.url?.endsWith('/v1/chat/completions')) {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        bodies.push(body);
        const { model, messages } = JSON.parse(body) as { model: string; messages: { role: string; content: string }[] };
        const user = messages.filter((m) => m.role === 'user').map((m) => m.content).join('\n');
        const words = (model === 'echo-7b' ? echoAnswer(user) : STEADY_ANSWER).split(' ');
        streamWords(res, model, words, 20);
      });
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
  });
  return { ...(await listenLoopback(server)), bodies };
}
