// HTTP plumbing of the local API server: OpenAI-shaped errors, JSON and SSE responses, capped body reading,
// and the bearer-key check.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export type ApiErrorType = 'invalid_request_error' | 'server_error';

/** An error the client gets as `{ error: { message, type, param, code } }`, as OpenAI sends them. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
    readonly type: ApiErrorType = status >= 500 ? 'server_error' : 'invalid_request_error',
    /** OpenAI's client retries 409/5xx unless told not to; only a model that is still loading is worth it. */
    readonly retry = false,
  ) {
    super(message);
  }

  toJSON(): { error: { message: string; type: string; param: string | null; code: string | null } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

/** Largest request body accepted; a chat with a long document fits many times over. */
export const MAX_BODY_BYTES = 8 << 20;

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendError(res: ServerResponse, e: ApiError, headers: Record<string, string> = {}): void {
  sendJson(res, e.status, e.toJSON(), { 'x-should-retry': String(e.retry), ...headers });
}

/** Starts a Server-Sent Events response exactly as OpenAI streams: `data: {json}\n\n` … `data: [DONE]\n\n`. */
export function startSse(res: ServerResponse): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.flushHeaders();
}

export function sseData(res: ServerResponse, data: unknown): void {
  if (!res.destroyed && !res.writableEnded) res.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
}

/**
 * The body as parsed JSON: 413 over the cap (checked before and while reading), 400 when it is not an
 * object. Over the cap, reading stops and the socket stays open just long enough to answer.
 */
export async function readJsonBody(req: IncomingMessage, cap = MAX_BODY_BYTES): Promise<Record<string, unknown>> {
  const tooLarge = () => new ApiError(413, `The request body is larger than ${cap} bytes.`, null, 'request_too_large');
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > cap) throw tooLarge();
  const raw = await new Promise<Buffer>((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    let settled = false;
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size <= cap) return void parts.push(chunk);
      settled = true;
      req.pause();
      reject(tooLarge());
    });
    req.on('end', () => {
      if (!settled) resolve(Buffer.concat(parts));
      settled = true;
    });
    req.on('error', (e) => {
      if (!settled) reject(e);
      settled = true;
    });
  });
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch (e) {
    throw new ApiError(400, `We could not parse the JSON body of your request: ${(e as Error).message}`, null, 'invalid_json');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiError(400, 'The request body must be a JSON object.', null, 'invalid_json');
  }
  return body as Record<string, unknown>;
}

export function keyDigest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** Compares digests, so neither the key's bytes nor its length leak through timing. */
export function checkBearer(req: IncomingMessage, digest: Buffer): ApiError | null {
  const header = req.headers.authorization;
  const m = header ? /^Bearer\s+(.+)$/i.exec(header.trim()) : null;
  if (!m) {
    return new ApiError(401, "You didn't provide an API key. Send it as 'Authorization: Bearer YOUR_KEY'.", null, 'invalid_api_key');
  }
  if (!timingSafeEqual(keyDigest(m[1] as string), digest)) {
    return new ApiError(401, 'Incorrect API key provided.', null, 'invalid_api_key');
  }
  return null;
}
