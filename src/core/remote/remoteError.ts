// Everything that can go wrong talking to an OpenAI-compatible server, as one typed error whose message
// says which endpoint and what happened. Secrets (the API key, custom header values) never reach a message.
import type { ErrorCode } from '../../shared/contract';
import { CoreError } from '../coreError';

export type RemoteErrorKind =
  /** The base URL or options cannot work (not http(s), credentials in the URL). */
  | 'config'
  /** No connection: refused, reset or unresolvable before any response. */
  | 'connect'
  /** No response headers within timeouts.connectMs. */
  | 'connect_timeout'
  /** Headers came but no content chunk within timeouts.firstTokenMs of sending. */
  | 'first_token_timeout'
  /** No bytes for timeouts.idleMs while the response was streaming. */
  | 'idle_timeout'
  /** A request with one overall deadline (model list) ran past it. */
  | 'timeout'
  /** 401/403. */
  | 'auth'
  /** 404: unknown model, or a base URL without /v1. */
  | 'not_found'
  /** 400/422: the server rejected the request; its reason is in the message. */
  | 'bad_request'
  /** 429 still answered after the retries. */
  | 'rate_limited'
  /** Any other 4xx. */
  | 'http'
  /** 5xx (502/503/504 after the retries). */
  | 'server'
  /** A `data: {"error": …}` frame (or `event: error`) inside a 200 stream. */
  | 'stream_error'
  /** The server ended the generation with finish_reason "abort". */
  | 'aborted_by_server'
  /** The stream ended cleanly before it carried anything (no chunk, no `data: [DONE]`). */
  | 'incomplete'
  /** The connection broke while the response was streaming. */
  | 'connection_lost'
  /** The response was not an OpenAI event stream: garbage lines, non-JSON data, oversized frames. */
  | 'protocol'
  /** The caller's signal aborted the request. */
  | 'cancelled';

export interface RemoteErrorInit {
  status?: number;
  partialText?: string;
  firstTokenReceived?: boolean;
  attempts?: number;
  retryAfterMs?: number | null;
  serverMessage?: string | null;
  /** Replaced by "***" wherever they appear in the message or the server's words. */
  secrets?: readonly string[];
}

/** The code a remote failure crosses a transport with (contract.ts WireError). */
function codeFor(kind: RemoteErrorKind): ErrorCode {
  switch (kind) {
    case 'auth':
      return 'UNAUTHORIZED';
    case 'not_found':
      return 'NOT_FOUND';
    case 'bad_request':
    case 'config':
      return 'BAD_INPUT';
    default:
      return 'REMOTE';
  }
}

export class RemoteError extends CoreError {
  readonly kind: RemoteErrorKind;
  /** "POST http://host:8000/v1/chat/completions", without credentials or query. */
  readonly endpoint: string;
  readonly status: number | undefined;
  /** Text received before the failure; kept so nothing the server produced is lost. */
  readonly partialText: string;
  /** True once a content chunk arrived: from then on the request is never retried. */
  readonly firstTokenReceived: boolean;
  /** Requests sent for this call, retries included. */
  attempts: number;
  /** What a 429/503 asked for in Retry-After, in ms. */
  readonly retryAfterMs: number | null;
  /** The server's own words (JSON error message or a short excerpt of its body). */
  readonly serverMessage: string | null;

  constructor(kind: RemoteErrorKind, endpoint: string, message: string, init: RemoteErrorInit = {}) {
    const secrets = init.secrets ?? [];
    super(codeFor(kind), redact(message, secrets));
    this.name = 'RemoteError';
    this.kind = kind;
    this.endpoint = endpoint;
    this.status = init.status;
    this.partialText = init.partialText ?? '';
    this.firstTokenReceived = init.firstTokenReceived ?? false;
    this.attempts = init.attempts ?? 1;
    this.retryAfterMs = init.retryAfterMs ?? null;
    this.serverMessage = init.serverMessage == null ? null : redact(init.serverMessage, secrets);
  }
}

/** What to check, per kind: appended to messages so that each says what happened and what to look at. */
export function hintFor(kind: RemoteErrorKind): string | null {
  switch (kind) {
    case 'connect':
      return 'check that the server is running, that the base URL (host and port) is right and that no firewall blocks the port';
    case 'connect_timeout':
      return 'check that the server is up and reachable; a busy server may need a longer connect timeout';
    case 'first_token_timeout':
      return 'the server may be overloaded or still loading the model; check its log, or raise the first-token timeout';
    case 'idle_timeout':
      return "check the server's log; raise the idle timeout if long pauses are normal for this model";
    case 'connection_lost':
      return "the server or a proxy in between closed the connection; check the server's log";
    case 'protocol':
      return 'check that the base URL points at an OpenAI-compatible server (it usually ends in /v1)';
    case 'stream_error':
    case 'incomplete':
    case 'server':
      return "check the server's log";
    case 'aborted_by_server':
      return "the server stopped the generation (restarted, out of memory, or cancelled by an operator?); check its log";
    case 'rate_limited':
      return 'wait and try again, or send fewer requests at once';
    default:
      return null;
  }
}

/** Retried by streamChat itself, and only while no token has arrived. */
export function isRetryable(e: RemoteError): boolean {
  if (e.firstTokenReceived) return false;
  if (e.kind === 'connect' || e.kind === 'connect_timeout') return true;
  return e.status === 429 || e.status === 502 || e.status === 503 || e.status === 504;
}

/** Worth another replica: the request never produced a token and the fault is the server's, not ours. */
export function isFailoverable(e: RemoteError): boolean {
  if (e.firstTokenReceived) return false;
  switch (e.kind) {
    case 'connect':
    case 'connect_timeout':
    case 'first_token_timeout':
    case 'idle_timeout':
    case 'connection_lost':
    case 'server':
    case 'rate_limited':
      return true;
    default:
      return false;
  }
}

/** Says the replica itself misbehaved (as opposed to our request being wrong, or the user cancelling). */
export function isReplicaFault(e: RemoteError): boolean {
  switch (e.kind) {
    case 'auth':
    case 'not_found':
    case 'bad_request':
    case 'http':
    case 'cancelled':
    case 'config':
      return false;
    default:
      return true;
  }
}

/** Replaces every secret with "***"; 1–3 character strings are left alone so ordinary text is not mangled. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('***');
  return out;
}

/** One line, at most `max` characters, for quoting a server's body in a message. */
export function excerpt(text: string, max = 120): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/**
 * The human part of an error body: OpenAI `{error:{message}}`, vLLM's older `{object:"error", message}`,
 * FastAPI `{detail}` (string or validation list), `{error:"…"}`, or else a short excerpt of the text.
 */
export function serverMessageOf(body: unknown): string | null {
  if (typeof body === 'string') {
    const t = body.trim();
    if (t === '') return null;
    try {
      return serverMessageOf(JSON.parse(t) as unknown) ?? excerpt(t);
    } catch {
      // An HTML error page: its text without markup, styles or scripts (a proxy's page is mostly CSS).
      return excerpt(t.replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ').replace(/<[^>]*>/g, ' '));
    }
  }
  if (!body || typeof body !== 'object') return null;
  const o = body as Record<string, unknown>;
  if (typeof o.error === 'string') return excerpt(o.error, 500);
  if (o.error && typeof o.error === 'object') {
    const inner = serverMessageOf(o.error);
    if (inner) return inner;
  }
  if (typeof o.message === 'string' && o.message) return excerpt(o.message, 500);
  if (typeof o.detail === 'string') return excerpt(o.detail, 500);
  if (Array.isArray(o.detail)) {
    const parts = o.detail.map((d) => {
      const item = d as { loc?: unknown; msg?: unknown };
      const loc = Array.isArray(item.loc) ? item.loc.join('.') : '';
      return typeof item.msg === 'string' ? (loc ? `${loc}: ${item.msg}` : item.msg) : '';
    });
    const joined = parts.filter(Boolean).join('; ');
    if (joined) return excerpt(joined, 500);
  }
  return null;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  413: 'Payload Too Large',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export interface HttpFailure {
  endpoint: string;
  status: number;
  statusText: string;
  body: string;
  retryAfterMs: number | null;
  apiKeySent: boolean;
  attempts: number;
  secrets: readonly string[];
  /** The request asked for a JSON schema (response_format): a 400 then most likely refuses the schema. */
  jsonSchemaSent?: boolean;
}

/** The error for a non-2xx answer, before any token. */
export function httpError(f: HttpFailure): RemoteError {
  const { status } = f;
  const serverMessage = serverMessageOf(f.body);
  const head = `${f.endpoint}: ${status} ${f.statusText || STATUS_TEXT[status] || 'HTTP error'}`;
  const said = serverMessage ? ` Server said: ${serverMessage}${/[.!?…]$/.test(serverMessage) ? '' : '.'}` : '';
  const init = { status, serverMessage, retryAfterMs: f.retryAfterMs, attempts: f.attempts, secrets: f.secrets };
  if (status === 401 || status === 403) {
    const hint = f.apiKeySent ? 'the server refused the API key; check the API key.' : 'no API key was sent and this server needs one; set the API key.';
    return new RemoteError('auth', f.endpoint, `${head} — ${hint}${said}`, init);
  }
  if (status === 404) {
    const what = serverMessage ?? 'nothing there; check the base URL (it usually ends in /v1) and the model name.';
    return new RemoteError('not_found', f.endpoint, `${head} — ${what}`, init);
  }
  if (status === 400 || status === 422) {
    // llama-server answers "Failed to initialize samplers" when it cannot build a grammar from the schema.
    const schemaHint = f.jsonSchemaSent
      ? ' The request asked for output in a JSON schema (response_format json_schema); a server that cannot build a grammar from it refuses the request: run without the schema, or check that the server and model support json_schema.'
      : '';
    const what = serverMessage ?? 'the server rejected the request.';
    const stop = schemaHint && !/[.!?…]$/.test(what) ? '.' : '';
    return new RemoteError('bad_request', f.endpoint, `${head} — ${what}${stop}${schemaHint}`, init);
  }
  if (status === 429) {
    return new RemoteError('rate_limited', f.endpoint, `${head} — the server is rate-limiting requests.${said} Wait and try again, or send fewer requests at once.`, init);
  }
  if (status >= 500) {
    const proxy = status === 502 || status === 504 ? ' (a proxy in front of the model server may be answering for it)' : '';
    return new RemoteError('server', f.endpoint, `${head} — the server failed${proxy}.${said} Check the server's log.`, init);
  }
  return new RemoteError('http', f.endpoint, `${head}.${said}`, init);
}
