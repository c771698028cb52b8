// How many tokens a text is on the server itself: POST {origin}/tokenize, which llama-server
// ({content} → {tokens}) and vLLM ({model, prompt} → {count, tokens}) both serve next to their /v1 base.
// The latency lab uses it to make synthetic prompts exactly --input-len tokens long, as vLLM's benchmark
// does with the model's tokenizer; without it a "16-token" prompt was 19 tokens on llama-server.
import { resolveTarget, type EndpointConfig } from './endpoint';
import { RemoteError, excerpt } from './remoteError';

const TIMEOUT_MS = 10_000;

/** A counter for one endpoint and model; null from `tokenCounter` when the server has no /tokenize. */
export type TokenCounter = (text: string) => Promise<number>;

/** The /tokenize URL of an OpenAI base: http://host:8000/v1 → http://host:8000/tokenize. */
export function tokenizeBase(cfg: EndpointConfig): EndpointConfig {
  const base = cfg.baseUrl.trim().replace(/\/+$/, '');
  return { ...cfg, baseUrl: /\/v1$/.test(base) ? base.slice(0, -3) : base };
}

async function countOnce(cfg: EndpointConfig, model: string, text: string): Promise<{ status: number; count: number | null; body: string }> {
  const t = resolveTarget(tokenizeBase(cfg), 'tokenize', 'POST', 'application/json');
  // Both servers' field names; each ignores the other's. No special tokens: the prompt's own length.
  const body = JSON.stringify({ model, content: text, prompt: text, add_special: false, add_special_tokens: false });
  let res: Response;
  try {
    res = await fetch(t.url, { method: 'POST', headers: t.headers, body, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (e) {
    throw new RemoteError('connect', t.display, `${t.display}: could not count tokens (${(e as Error).message})`, { secrets: t.secrets });
  }
  const raw = await res.text();
  if (!res.ok) return { status: res.status, count: null, body: raw };
  let json: { count?: unknown; tokens?: unknown };
  try {
    json = JSON.parse(raw) as typeof json;
  } catch {
    throw new RemoteError('protocol', t.display, `${t.display}: the token count is not JSON: "${excerpt(raw, 80)}"`, { secrets: t.secrets, status: res.status });
  }
  const count = typeof json.count === 'number' ? json.count : Array.isArray(json.tokens) ? json.tokens.length : null;
  if (count === null) throw new RemoteError('protocol', t.display, `${t.display}: the answer has neither "count" nor "tokens": "${excerpt(raw, 80)}"`, { secrets: t.secrets, status: res.status });
  return { status: res.status, count, body: raw };
}

/**
 * A token counter for this endpoint, or null when it has no tokenizer endpoint (404/405: an API that only
 * speaks /v1). Other failures are errors naming the endpoint.
 */
export async function tokenCounter(cfg: EndpointConfig, model: string): Promise<TokenCounter | null> {
  const probe = await countOnce(cfg, model, 'probe');
  if (probe.count === null) {
    if (probe.status === 404 || probe.status === 405 || probe.status === 501) return null;
    const t = resolveTarget(tokenizeBase(cfg), 'tokenize', 'POST', 'application/json');
    throw new RemoteError('http', t.display, `${t.display}: could not count tokens: HTTP ${probe.status} "${excerpt(probe.body, 120)}"`, { secrets: t.secrets, status: probe.status });
  }
  return async (text) => {
    const r = await countOnce(cfg, model, text);
    if (r.count === null) throw new RemoteError('http', cfg.baseUrl, `${cfg.baseUrl}: could not count tokens: HTTP ${r.status}`, { status: r.status });
    return r.count;
  };
}
