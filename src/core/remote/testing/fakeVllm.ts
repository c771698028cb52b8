// A vLLM-like server on 127.0.0.1 for tests: /v1/models lists the base model and the LoRA modules loaded at
// runtime (with parent/root as vLLM lists them), /v1/load_lora_adapter and /v1/unload_lora_adapter answer
// with vLLM's words and statuses, chat completions stream a short answer naming the model. It checks the
// Authorization header when given a key, and closes itself after `lifetimeMs` so a failed test cannot leak it.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeVllmOptions {
  baseModel?: string;
  /** When set, every request must carry `Authorization: Bearer <apiKey>`. */
  apiKey?: string | null;
  /** False: the LoRA routes do not exist (vLLM without VLLM_ALLOW_RUNTIME_LORA_UPDATING). Default true. */
  runtimeLora?: boolean;
  /** Default 60 s. */
  lifetimeMs?: number;
  /** What GET /props answers (llama-server's shape, e.g. { modalities: { vision: true } }); absent: 404 like vLLM. */
  props?: object;
  /** The streamed answer for a chat request (default: fakeVllmAnswer(model)). */
  answer?: (body: { model: string; messages: { role: string; content: string }[] }) => string;
}

export interface FakeVllmRequest {
  method: string;
  path: string;
  authorization: string | null;
  body: unknown;
}

export interface FakeVllm {
  /** http://127.0.0.1:PORT/v1 */
  baseUrl: string;
  baseModel: string;
  /** Adapter name → path, as loaded now. */
  loras: Map<string, string>;
  requests: FakeVllmRequest[];
  close(): Promise<void>;
}

export const fakeVllmAnswer = (model: string): string => `Hello from ${model}.`;

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** vLLM's ErrorResponse. */
function vllmError(res: ServerResponse, status: number, type: string, message: string): void {
  json(res, status, { object: 'error', message, type, param: null, code: status });
}

function readBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve) => {
    let text = '';
    req.on('data', (d: Buffer) => {
      if (text.length < 16_000_000) text += d.toString();
    });
    req.on('end', () => {
      try {
        resolve(text ? (JSON.parse(text) as unknown) : null);
      } catch {
        resolve(text);
      }
    });
  });
}

export async function startFakeVllm(opts: FakeVllmOptions = {}): Promise<FakeVllm> {
  const baseModel = opts.baseModel ?? 'qwen-0.5b';
  const runtimeLora = opts.runtimeLora ?? true;
  const loras = new Map<string, string>();
  const requests: FakeVllmRequest[] = [];

  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const path = (req.url ?? '').split('?')[0] ?? '';
      const authorization = req.headers.authorization ?? null;
      requests.push({ method: req.method ?? '', path, authorization, body });
      if (opts.apiKey && authorization !== `Bearer ${opts.apiKey}`) return json(res, 401, { error: 'Unauthorized' });
      const b = (body ?? {}) as Record<string, unknown>;

      if (req.method === 'GET' && path === '/v1/models') {
        const created = 1_700_000_000;
        return json(res, 200, {
          object: 'list',
          data: [
            { id: baseModel, object: 'model', created, owned_by: 'vllm', root: `/models/${baseModel}`, parent: null, max_model_len: 4096 },
            ...[...loras].map(([id, root]) => ({ id, object: 'model', created, owned_by: 'vllm', root, parent: baseModel, max_model_len: null })),
          ],
        });
      }
      if (req.method === 'GET' && path === '/props' && opts.props) return json(res, 200, opts.props);
      if (req.method === 'POST' && runtimeLora && path === '/v1/load_lora_adapter') {
        const name = typeof b.lora_name === 'string' ? b.lora_name : '';
        const loraPath = typeof b.lora_path === 'string' ? b.lora_path : '';
        if (!name || !loraPath) return vllmError(res, 400, 'InvalidUserInput', "Both 'lora_name' and 'lora_path' must be provided.");
        if (loras.has(name)) return vllmError(res, 400, 'InvalidUserInput', `The lora adapter '${name}' has already been loaded.`);
        loras.set(name, loraPath);
        return res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(`Success: LoRA adapter '${name}' added successfully.`);
      }
      if (req.method === 'POST' && runtimeLora && path === '/v1/unload_lora_adapter') {
        const name = typeof b.lora_name === 'string' ? b.lora_name : '';
        if (!loras.has(name)) return vllmError(res, 404, 'NotFoundError', `The lora adapter '${name}' cannot be found.`);
        loras.delete(name);
        return res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(`Success: LoRA adapter '${name}' removed successfully.`);
      }
      if (req.method === 'POST' && path === '/v1/chat/completions') {
        const model = typeof b.model === 'string' ? b.model : '';
        if (model !== baseModel && !loras.has(model)) return vllmError(res, 404, 'NotFoundError', `The model \`${model}\` does not exist.`);
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        const frame = (delta: object, finish: string | null) =>
          `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 0, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
        res.write(frame({ role: 'assistant', content: '' }, null));
        const text = opts.answer ? opts.answer(b as { model: string; messages: { role: string; content: string }[] }) : fakeVllmAnswer(model);
        // A custom answer streams in 3-character pieces, so a placeholder in it arrives split across chunks.
        const pieces = opts.answer ? (text.match(/.{1,3}/gsu) ?? []) : text.split(/(?= )/);
        for (const piece of pieces) res.write(frame({ content: piece }, null));
        res.write(frame({}, 'stop'));
        return res.end('data: [DONE]\n\n');
      }
      // FastAPI's answer for a route that does not exist.
      return json(res, 404, { detail: 'Not Found' });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | null = null;
  const close = () => {
    closed ??= new Promise<void>((resolve) => {
      clearTimeout(lifetime);
      server.closeAllConnections();
      server.close(() => resolve());
    });
    return closed;
  };
  const lifetime = setTimeout(() => void close(), opts.lifetimeMs ?? 60_000);
  lifetime.unref();
  return { baseUrl: `http://127.0.0.1:${port}/v1`, baseModel, loras, requests, close };
}
