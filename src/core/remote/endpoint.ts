// Where a request goes and what it carries: the URL joined onto the base, headers with the API key, the
// display form used in messages (no credentials, no query) and the secrets those messages must not show.
import { RemoteError } from './remoteError';

export interface EndpointConfig {
  /** The server's OpenAI base, e.g. http://gpu-box:8000/v1. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer …` when non-empty. */
  apiKey?: string | null;
  /** Extra headers (gateways, tenants). Values of auth-like names are treated as secrets. */
  headers?: Record<string, string>;
}

export interface Target {
  url: string;
  /** "POST http://host:8000/v1/chat/completions". */
  display: string;
  headers: Record<string, string>;
  secrets: string[];
  apiKeySent: boolean;
}

const SECRET_HEADER = /auth|key|token|secret|cookie|session|password/i;

export function resolveTarget(cfg: EndpointConfig, path: string, method: 'GET' | 'POST', accept: string): Target {
  const apiKey = cfg.apiKey?.trim() ?? '';
  const custom = cfg.headers ?? {};
  const secrets = [apiKey, ...Object.entries(custom).filter(([k]) => SECRET_HEADER.test(k)).map(([, v]) => v)].filter((s) => s !== '');
  let u: URL;
  try {
    u = new URL(cfg.baseUrl.trim());
  } catch {
    throw new RemoteError('config', `${method} ${cfg.baseUrl}`, `"${cfg.baseUrl}" is not a URL; a base URL looks like http://host:8000/v1`, { secrets });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new RemoteError('config', `${method} ${cfg.baseUrl}`, `Only http(s) base URLs are supported, not ${u.protocol}`, { secrets });
  }
  if (u.username || u.password) {
    // fetch refuses URLs with credentials, and a URL is shown in messages: the key belongs in its field.
    throw new RemoteError('config', `${method} ${u.protocol}//${u.host}${u.pathname}`, 'The base URL contains a user name or password; put the key in the API key field instead', {
      secrets: [...secrets, decodeURIComponent(u.password), decodeURIComponent(u.username)],
    });
  }
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/${path}`;
  const headers: Record<string, string> = { accept };
  if (method === 'POST') headers['content-type'] = 'application/json';
  Object.assign(headers, custom);
  if (apiKey) headers.authorization = `Bearer ${apiKey}`;
  return { url: u.href, display: `${method} ${u.origin}${u.pathname}`, headers, secrets, apiKeySent: apiKey !== '' };
}

/** The low-level reason fetch gives (ECONNREFUSED, UND_ERR_SOCKET, …) rather than "fetch failed". */
export function networkCause(e: unknown): string {
  const err = e as { cause?: { code?: unknown; message?: unknown }; message?: unknown };
  const code = typeof err.cause?.code === 'string' ? err.cause.code : null;
  const msg = typeof err.cause?.message === 'string' ? err.cause.message : typeof err.message === 'string' ? err.message : String(e);
  return code && msg && !msg.includes(code) ? `${code}: ${msg}` : (code ?? msg);
}

/**
 * Reads at most `capBytes` of a body as text and drops the rest (error pages can be huge or endless).
 * Every read counts at least one byte against the cap, so the loop ends even on empty reads.
 */
export async function readCappedFrom(read: () => Promise<{ done: boolean; value?: Uint8Array }>, capBytes: number): Promise<{ text: string; truncated: boolean }> {
  const decoder = new TextDecoder();
  let text = '';
  let counted = 0;
  while (counted <= capBytes) {
    const r = await read();
    if (r.done || !r.value) return { text: text + decoder.decode(), truncated: false };
    const room = capBytes - counted;
    if (r.value.byteLength > room) {
      text += decoder.decode(r.value.subarray(0, room));
      break;
    }
    counted += Math.max(1, r.value.byteLength);
    text += decoder.decode(r.value, { stream: true });
  }
  return { text, truncated: true };
}

/** readCappedFrom on a fetch body; a body read only in part is cancelled. */
export async function readCapped(body: ReadableStream<Uint8Array> | null, capBytes: number): Promise<{ text: string; truncated: boolean }> {
  if (!body) return { text: '', truncated: false };
  const reader = body.getReader();
  try {
    const r = await readCappedFrom(() => reader.read(), capBytes);
    if (r.truncated) await reader.cancel().catch(() => undefined);
    return r;
  } finally {
    reader.releaseLock();
  }
}
