// vLLM's runtime LoRA routes on one replica: POST {base}/load_lora_adapter and /unload_lora_adapter (they
// exist only when the server runs with VLLM_ALLOW_RUNTIME_LORA_UPDATING=True). Never throws: every outcome
// is a short line about that replica, with the API key and secret header values redacted.
import type { ErrorCode } from '../../shared/contract';
import { networkCause, readCapped, resolveTarget, type EndpointConfig } from '../remote/endpoint';
import { excerpt, httpError, redact, serverMessageOf } from '../remote/remoteError';

const BODY_CAP = 64 * 1024;

export type LoraRoute = 'load_lora_adapter' | 'unload_lora_adapter';

export type LoraFailureKind =
  /** 400 "… has already been loaded". */
  | 'already_loaded'
  /** 404 from vLLM itself: the adapter is not loaded there. */
  | 'not_loaded'
  /** 404 from the router: the runtime LoRA routes are not enabled (or this is not vLLM). */
  | 'disabled'
  | 'auth'
  | 'rejected'
  | 'unreachable'
  | 'server';

export type LoraOutcome =
  | { replica: string; ok: true; status: number; message: string }
  | { replica: string; ok: false; status: number | null; kind: LoraFailureKind; code: ErrorCode; message: string };

export const RUNTIME_LORA_HINT = 'runtime LoRA updating is not enabled on this server (start vLLM with VLLM_ALLOW_RUNTIME_LORA_UPDATING=True)';

/** The base URL as shown in messages: origin and path, never a query. */
export function replicaLabel(baseUrl: string): string {
  try {
    const u = new URL(baseUrl);
    return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    return baseUrl;
  }
}

export async function callLoraRoute(cfg: EndpointConfig, route: LoraRoute, body: Record<string, string>, timeoutMs: number): Promise<LoraOutcome> {
  const replica = replicaLabel(cfg.baseUrl);
  let secrets: readonly string[] = [];
  const fail = (kind: LoraFailureKind, code: ErrorCode, status: number | null, what: string): LoraOutcome => ({
    replica,
    ok: false,
    status,
    kind,
    code,
    message: redact(what, secrets),
  });
  let t: ReturnType<typeof resolveTarget>;
  try {
    t = resolveTarget(cfg, route, 'POST', 'application/json, text/plain');
  } catch (e) {
    return fail('rejected', 'BAD_INPUT', null, e instanceof Error ? e.message : String(e));
  }
  secrets = t.secrets;
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  try {
    let res: Response;
    try {
      res = await fetch(t.url, { method: 'POST', headers: t.headers, body: JSON.stringify(body), signal: ac.signal });
    } catch (e) {
      return ac.signal.aborted
        ? fail('unreachable', 'REMOTE', null, `no answer within ${timeoutMs} ms`)
        : fail('unreachable', 'REMOTE', null, `could not connect (${networkCause(e)})`);
    }
    let text: string;
    try {
      text = (await readCapped(res.body, BODY_CAP)).text;
    } catch (e) {
      return fail('unreachable', 'REMOTE', res.status, `the connection broke (${ac.signal.aborted ? `no answer within ${timeoutMs} ms` : networkCause(e)})`);
    }
    const said = serverMessageOf(text);
    if (res.ok) return { replica, ok: true, status: res.status, message: redact(said ?? (excerpt(text) || 'OK'), secrets) };
    const status = res.status;
    if (status === 404 && (said === null || /^not found$/i.test(said))) return fail('disabled', 'NOT_FOUND', status, `404 ${RUNTIME_LORA_HINT}`);
    if (status === 404) return fail('not_loaded', 'NOT_FOUND', status, `404 ${said}`);
    if (status === 400 && said && /already (been )?loaded/i.test(said)) return fail('already_loaded', 'CONFLICT', status, `400 ${said}`);
    const err = httpError({ endpoint: t.display, status, statusText: res.statusText, body: text, retryAfterMs: null, apiKeySent: t.apiKeySent, attempts: 1, secrets });
    // httpError's message starts with the endpoint; the replica is named by the caller.
    const reason = err.message.startsWith(`${t.display}: `) ? err.message.slice(t.display.length + 2) : err.message;
    if (err.kind === 'auth') return fail('auth', 'UNAUTHORIZED', status, reason);
    if (status >= 500) return fail('server', 'REMOTE', status, reason);
    return fail('rejected', err.code, status, reason);
  } finally {
    clearTimeout(timer);
  }
}
