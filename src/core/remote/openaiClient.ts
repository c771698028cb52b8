// Client for private vLLM / OpenAI-compatible servers: the model list, and streamed chat completions timed
// the way vLLM's benchmark_serving times them. Every failure is a RemoteError naming the endpoint; text
// that arrived before a failure is kept; a request is retried only before its first token.
import { performance } from 'node:perf_hooks';
import { attemptChat, ERROR_BODY_CAP } from './chatAttempt';
import { chatBodyBytes } from './chatBody';
import { networkCause, readCapped, resolveTarget, type EndpointConfig } from './endpoint';
import { RemoteError, excerpt, httpError, isRetryable, type RemoteErrorInit, type RemoteErrorKind } from './remoteError';
import { DEFAULT_RETRY, parseRetryAfter, retryDelayMs, sleep, type RetryPolicy } from './retry';

export type { EndpointConfig } from './endpoint';
export { RemoteError, type RemoteErrorKind } from './remoteError';
export { ERROR_BODY_CAP } from './chatAttempt';

const MODELS_BODY_CAP = 8 * 1024 * 1024;
const MAX_RETRIES = 10;

export interface RemoteModel {
  id: string;
  ownedBy: string | null;
  /** For a vLLM LoRA module: the base model path it applies to. */
  root: string | null;
  /** For a vLLM LoRA module: the base model's id. */
  parent: string | null;
  maxModelLen: number | null;
  /** The server lists this model's capabilities and they include images (llama-server's "multimodal"); null: it does not say. */
  vision?: boolean | null;
}

export interface ListModelsRequest extends EndpointConfig {
  /** One deadline for the whole request; default 10 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface ListModelsResult {
  /** Send to last byte of the answer. */
  latencyMs: number;
  status: number;
  models: RemoteModel[];
}

/** OpenAI content parts: a message with images is sent as text and image_url parts in order. */
export type ChatContentPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string | ChatContentPart[];
}

export { imagePart } from './chatBody';

export interface ChatParams {
  maxTokens?: number | null;
  temperature?: number | null;
  topP?: number | null;
  /** vLLM extension; sent only when set. */
  topK?: number | null;
  /** vLLM extension; sent only when set. */
  minP?: number | null;
  /** vLLM extension; sent only when set and not 1. */
  repetitionPenalty?: number | null;
  seed?: number | null;
  stop?: string[] | null;
  /** A JSON Schema object; when set, sent as response_format { type: 'json_schema', json_schema: { name, schema } }. */
  jsonSchema?: unknown;
  /** The json_schema name; default "output". */
  jsonSchemaName?: string;
}

export interface StreamTimeouts {
  /** Until response headers. */
  connectMs: number;
  /** From sending until the first content chunk. */
  firstTokenMs: number;
  /** Longest silence (no bytes at all) once headers arrived. */
  idleMs: number;
}

export const DEFAULT_TIMEOUTS: StreamTimeouts = { connectMs: 10_000, firstTokenMs: 120_000, idleMs: 30_000 };

export interface StreamChatRequest extends EndpointConfig {
  model: string;
  messages: ChatMessage[];
  params?: ChatParams;
  timeouts?: Partial<StreamTimeouts>;
  /** Extra attempts before the first token (connect errors, 429, 502/503/504); default 2, at most 10. */
  maxRetries?: number;
  retry?: Partial<RetryPolicy>;
  /** Aborting it drops the HTTP request; the error keeps the text received so far. */
  signal?: AbortSignal;
  /** Default 256 MiB. */
  maxStreamBytes?: number;
}

export interface ChatUsage {
  promptTokens: number;
  completionTokens: number;
}

export interface StreamChatResult {
  text: string;
  /** `reasoning_content` / `reasoning` deltas (vLLM reasoning parsers); they count as content for timing. */
  reasoningText: string;
  finishReason: string | null;
  usage: ChatUsage | null;
  /** The model id the server reported in its chunks. */
  model: string | null;
  /** performance.now() when the successful attempt was sent. */
  startMs: number;
  /** performance.now() when `[DONE]` arrived. */
  endMs: number;
  /** Arrival of each chunk that carried text (decode rate, and the "first content" TTFT convention). */
  chunkTimesMs: number[];
  /** Arrival of every chunk that had `choices` (role-only and finish chunks too): vLLM benchmark_serving's
   * TTFT is the first of these and its ITL the gaps between them. */
  choiceTimesMs: number[];
  /** Arrival of every data frame, content or not (role, usage, finish). */
  rawChunkTimesMs: number[];
  /** Requests sent, retries included (a request resent on a new socket counts twice). */
  attempts: number;
  status: number;
  /** How the stream ended: `data: [DONE]`; the body ended without it; or cut by the client after max_tokens content chunks. */
  ending: 'done' | 'eof' | 'max_tokens';
}

export type OnDelta = (text: string) => void;

/** The JSON body of a streamed chat completion; optional vLLM sampling fields only when set. */
export function chatRequestBody(req: Pick<StreamChatRequest, 'model' | 'messages' | 'params'>): Record<string, unknown> {
  const p = req.params ?? {};
  const body: Record<string, unknown> = {
    model: req.model,
    messages: req.messages,
    stream: true,
    stream_options: { include_usage: true },
  };
  if (p.maxTokens != null) body.max_tokens = p.maxTokens;
  if (p.temperature != null) body.temperature = p.temperature;
  if (p.topP != null) body.top_p = p.topP;
  if (p.topK != null) body.top_k = p.topK;
  if (p.minP != null) body.min_p = p.minP;
  if (p.repetitionPenalty != null && p.repetitionPenalty !== 1) body.repetition_penalty = p.repetitionPenalty;
  if (p.seed != null) body.seed = p.seed;
  if (p.stop && p.stop.length > 0) body.stop = p.stop;
  if (p.jsonSchema != null) body.response_format = { type: 'json_schema', json_schema: { name: p.jsonSchemaName ?? 'output', schema: p.jsonSchema } };
  return body;
}

function optionalString(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

/** GET {baseUrl}/models: what the server serves, LoRA modules included, and how long it took to answer. */
export async function listModels(req: ListModelsRequest): Promise<ListModelsResult> {
  const t = resolveTarget(req, 'models', 'GET', 'application/json');
  const timeoutMs = req.timeoutMs ?? 10_000;
  const ac = new AbortController();
  let failure: RemoteError | null = null;
  let gotHeaders = false;
  const err = (kind: RemoteErrorKind, what: string, init: RemoteErrorInit = {}) =>
    new RemoteError(kind, t.display, `${t.display}: ${what}`, { secrets: t.secrets, ...init });
  const timer = setTimeout(() => {
    failure = gotHeaders
      ? err('timeout', `the answer did not finish within ${timeoutMs} ms`)
      : err('connect_timeout', `no response within ${timeoutMs} ms`);
    ac.abort(failure);
  }, timeoutMs);
  const onUserAbort = () => ac.abort(req.signal?.reason);
  if (req.signal?.aborted) throw err('cancelled', 'cancelled');
  req.signal?.addEventListener('abort', onUserAbort, { once: true });
  const why = (e: unknown, fallback: RemoteErrorKind): RemoteError =>
    failure ?? (req.signal?.aborted ? err('cancelled', 'cancelled') : err(fallback, `${fallback === 'connect' ? 'could not connect' : 'the connection broke'} (${networkCause(e)})`));
  const start = performance.now();
  try {
    let res: Response;
    try {
      res = await fetch(t.url, { method: 'GET', headers: t.headers, signal: ac.signal });
    } catch (e) {
      throw why(e, 'connect');
    }
    gotHeaders = true;
    let body: { text: string; truncated: boolean };
    try {
      body = await readCapped(res.body, res.ok ? MODELS_BODY_CAP : ERROR_BODY_CAP);
    } catch (e) {
      throw why(e, 'connection_lost');
    }
    const latencyMs = performance.now() - start;
    if (!res.ok) {
      throw httpError({
        endpoint: t.display,
        status: res.status,
        statusText: res.statusText,
        body: body.text,
        retryAfterMs: parseRetryAfter(res.headers.get('retry-after')),
        apiKeySent: t.apiKeySent,
        attempts: 1,
        secrets: t.secrets,
      });
    }
    if (body.truncated) throw err('protocol', `the model list is larger than ${MODELS_BODY_CAP} bytes`, { status: res.status });
    let json: unknown;
    try {
      json = JSON.parse(body.text);
    } catch {
      throw err('protocol', `the answer is not JSON: "${excerpt(body.text, 80)}"`, { status: res.status });
    }
    const data = (json as { data?: unknown } | null)?.data;
    if (!Array.isArray(data)) throw err('protocol', `the answer has no "data" list of models: "${excerpt(body.text, 80)}"`, { status: res.status });
    const models: RemoteModel[] = [];
    const vision = capabilitiesByName((json as { models?: unknown }).models);
    for (const m of data as Array<Record<string, unknown> | null>) {
      const id = optionalString(m?.id);
      if (!m || !id) continue;
      models.push({
        id,
        ownedBy: optionalString(m.owned_by),
        root: optionalString(m.root),
        parent: optionalString(m.parent),
        maxModelLen: typeof m.max_model_len === 'number' ? m.max_model_len : null,
        ...(vision.has(id) ? { vision: vision.get(id) } : {}),
      });
    }
    return { latencyMs, status: res.status, models };
  } finally {
    clearTimeout(timer);
    req.signal?.removeEventListener('abort', onUserAbort);
  }
}

/** llama-server also lists its model under "models" with capabilities (["completion","multimodal"]). */
function capabilitiesByName(list: unknown): Map<string, boolean> {
  const out = new Map<string, boolean>();
  if (!Array.isArray(list)) return out;
  for (const m of list as Array<{ model?: unknown; name?: unknown; capabilities?: unknown } | null>) {
    if (!m || !Array.isArray(m.capabilities)) continue;
    const has = m.capabilities.includes('multimodal') || m.capabilities.includes('vision');
    for (const n of [m.model, m.name]) if (typeof n === 'string' && n !== '') out.set(n, has);
  }
  return out;
}

/**
 * POST {baseUrl}/chat/completions with stream: true. `onDelta` gets each content delta as it arrives.
 * Retries (backoff with jitter, or Retry-After) happen only before the first token.
 */
export async function streamChat(req: StreamChatRequest, onDelta: OnDelta = () => undefined): Promise<StreamChatResult> {
  const t = resolveTarget(req, 'chat/completions', 'POST', 'text/event-stream');
  const body = chatBodyBytes(chatRequestBody(req));
  const timeouts = { ...DEFAULT_TIMEOUTS, ...req.timeouts };
  const policy = { ...DEFAULT_RETRY, ...req.retry };
  const maxAttempts = 1 + Math.min(MAX_RETRIES, Math.max(0, Math.floor(req.maxRetries ?? 2)));
  let last: RemoteError | null = null;
  let sent = 0;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    if (last) {
      try {
        await sleep(retryDelayMs(attempt - 1, last.retryAfterMs, policy), req.signal);
      } catch {
        throw new RemoteError('cancelled', t.display, `${t.display}: cancelled while waiting to retry (${last.message})`, {
          attempts: sent,
          status: last.status,
          secrets: t.secrets,
        });
      }
    }
    try {
      return await attemptChat(t, body, req, timeouts, sent + 1, onDelta);
    } catch (e) {
      if (!(e instanceof RemoteError)) throw e;
      sent = e.attempts;
      if (!isRetryable(e) || attempt === maxAttempts) {
        if (attempt > 1) e.message += ` (after ${sent} attempts)`;
        throw e;
      }
      last = e;
    }
  }
  throw last ?? new Error('unreachable');
}
