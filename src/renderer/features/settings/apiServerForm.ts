// The local API server's start form: strings while typing, ApiServerSettings once parsed. Pure.
import type { ApiServerSettings } from '../../../shared/apiServer.schema';

export interface ApiServerForm {
  port: string;
  parallel: string;
  /** Blank: the core generates a key. */
  key: string;
  /** Listen address; other than loopback needs TLS (a team reaching it from their machines). */
  host: string;
  tls: 'none' | 'self-signed' | 'files';
  tlsCert: string;
  tlsKey: string;
}

export type ApiServerFormErrors = Partial<Record<keyof ApiServerForm, string>>;

/** Mirrors ApiServerSettings' defaults (shared/apiServer.schema.ts). */
export const DEFAULT_API_SERVER_FORM: ApiServerForm = { port: '8181', parallel: '2', key: '', host: '127.0.0.1', tls: 'none', tlsCert: '', tlsKey: '' };

/** Mirrors the core's isLoopback (core/tls/tls.ts): plain HTTP is served only there. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

function wholeNumber(text: string, min: number, max: number, label: string): number | string {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return `${label} must be a whole number`;
  const n = Number(t);
  if (n < min || n > max) return `${label} must be between ${min} and ${max}`;
  return n;
}

export function parseApiServerForm(form: ApiServerForm): { ok: true; settings: ApiServerSettings } | { ok: false; errors: ApiServerFormErrors } {
  const errors: ApiServerFormErrors = {};
  const port = wholeNumber(form.port, 0, 65535, 'Port');
  const parallel = wholeNumber(form.parallel, 1, 16, 'Parallel');
  if (typeof port === 'string') errors.port = port;
  if (typeof parallel === 'string') errors.parallel = parallel;
  const key = form.key.trim();
  if (key && key.length < 8) errors.key = 'A key needs at least 8 characters (or leave it blank to generate one)';
  if (key.length > 512) errors.key = 'At most 512 characters';
  const host = (form.host ?? '').trim() || '127.0.0.1';
  if (!/^[A-Za-z0-9.:_-]{1,253}$/.test(host)) errors.host = 'An address such as 127.0.0.1, 0.0.0.0 or a host name';
  else if (form.tls === 'none' && !isLoopbackHost(host)) errors.host = `Plain HTTP only on 127.0.0.1: choose TLS to listen on ${host}`;
  const tlsCert = form.tls === 'files' ? form.tlsCert.trim() : '';
  const tlsKey = form.tls === 'files' ? form.tlsKey.trim() : '';
  if (form.tls === 'files' && !tlsCert) errors.tlsCert = 'The certificate file (PEM) on the server';
  if (form.tls === 'files' && !tlsKey) errors.tlsKey = 'The private key file (PEM) on the server';
  if (typeof port === 'string' || typeof parallel === 'string' || Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, settings: { port, parallel, key: key || null, host, tls: form.tls, tlsCert: tlsCert || null, tlsKey: tlsKey || null } };
}

/** A copy-paste check for the running server; the key placeholder is never filled in for the user. */
export function curlExample(baseUrl: string, model: string | null): string {
  const body = JSON.stringify({ model: model ?? 'local', messages: [{ role: 'user', content: 'Hello' }], stream: false });
  return `curl ${baseUrl}/chat/completions \\\n  -H "Authorization: Bearer $LAMPLIGHT_KEY" \\\n  -H "Content-Type: application/json" \\\n  -d '${body}'`;
}
