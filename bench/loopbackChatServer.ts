// A zero-latency OpenAI-compatible chat server for bench:eval, run as a child process (fork) so that neither
// side of the benchmark shares a thread with it. It answers /v1/chat/completions at once (SSE when asked to
// stream), counts the requests, and tells its parent over IPC: { port } when listening, { count } when asked.
// It exits when the parent goes away, so a killed bench leaves no server behind.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ToServer = { type: 'count'; seq: number };
export type FromServer = { type: 'listening'; port: number } | { type: 'count'; seq: number; count: number };

const MODEL = process.env.BENCH_MODEL ?? 'bench-model';
const REPLY = process.env.BENCH_REPLY ?? 'ok, done';

let received = 0;
function answer(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
      return;
    }
    received++;
    let stream = false;
    try {
      stream = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { stream?: boolean }).stream === true;
    } catch {
      // not JSON: answer non-streaming
    }
    const id = `chatcmpl-${received}`;
    const created = Math.floor(Date.now() / 1000);
    const usage = { prompt_tokens: 8, completion_tokens: 3, total_tokens: 11 };
    if (stream) {
      const frame = (o: unknown) => `data: ${JSON.stringify(o)}\n\n`;
      const base = { id, object: 'chat.completion.chunk', created, model: MODEL };
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.end(
        frame({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: REPLY }, finish_reason: null }] }) +
          frame({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage }) +
          'data: [DONE]\n\n',
      );
    } else {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id, object: 'chat.completion', created, model: MODEL, choices: [{ index: 0, message: { role: 'assistant', content: REPLY }, finish_reason: 'stop' }], usage }));
    }
  });
}

const send = (m: FromServer) => process.send?.(m);
if (!process.send) {
  process.stderr.write('loopbackChatServer: run me with child_process.fork (I report over IPC)\n');
  process.exit(2);
}
const server = createServer(answer);
server.listen(0, '127.0.0.1', () => send({ type: 'listening', port: (server.address() as AddressInfo).port }));
process.on('message', (m: ToServer) => {
  if (m.type === 'count') send({ type: 'count', seq: m.seq, count: received });
});
process.on('disconnect', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
