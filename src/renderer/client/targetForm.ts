// The Add/Edit target form: strings while typing, TargetInput / TargetPatch once parsed. Pure.
// Secrets are write-only: a stored key or header set is never shown, only replaced or cleared.
import type { AcceptsImages, TargetInfo, TargetInput } from '../../shared/targets.schema';
import { DEFAULT_MAX_IMAGE_PIXELS, MAX_INPUT_IMAGE_PIXELS } from '../../shared/images.schema';

export interface TargetForm {
  name: string;
  /** One base URL per line; several are replicas of the same server (vLLM behind no load balancer). */
  urls: string;
  /** A new key; blank keeps the stored one (edit) or means none (add). */
  apiKey: string;
  clearKey: boolean;
  /** "Name: value" per line; blank keeps the stored headers (edit). Typing replaces all of them. */
  headers: string;
  clearHeaders: boolean;
  connectS: string;
  firstTokenS: string;
  idleS: string;
  maxRetries: string;
  /** auto: as the server's model list says; yes / no: set here. */
  acceptsImages: AcceptsImages;
  /** Pixels an image may have before it is downscaled for sending; digits, commas allowed. */
  maxImagePixels: string;
}

export type TargetFormErrors = Partial<Record<'name' | 'urls' | 'apiKey' | 'headers' | 'connectS' | 'firstTokenS' | 'idleS' | 'maxRetries' | 'maxImagePixels', string>>;

/** What the form means, before it becomes an add or an update. */
export interface ParsedTarget {
  name: string;
  baseUrls: string[];
  timeouts: { connectMs: number; firstTokenMs: number; idleMs: number };
  maxRetries: number;
  /** null: nothing typed. */
  apiKey: string | null;
  /** null: nothing typed. */
  headers: Record<string, string> | null;
  acceptsImages: AcceptsImages;
  maxImagePixels: number;
}

export type ParsedTargetForm = { ok: true; value: ParsedTarget } | { ok: false; errors: TargetFormErrors };

/** Mirrors the contract's Timeouts defaults (shared/targets.schema.ts). */
export const DEFAULT_TIMEOUTS_MS = { connectMs: 10_000, firstTokenMs: 120_000, idleMs: 60_000 } as const;
export const DEFAULT_MAX_RETRIES = 2;
const MAX_URLS = 32;
const MAX_SECRET = 8192;

const seconds = (ms: number): string => String(ms / 1000);

export function emptyTargetForm(): TargetForm {
  return {
    name: '',
    urls: '',
    apiKey: '',
    clearKey: false,
    headers: '',
    clearHeaders: false,
    connectS: seconds(DEFAULT_TIMEOUTS_MS.connectMs),
    firstTokenS: seconds(DEFAULT_TIMEOUTS_MS.firstTokenMs),
    idleS: seconds(DEFAULT_TIMEOUTS_MS.idleMs),
    maxRetries: String(DEFAULT_MAX_RETRIES),
    acceptsImages: 'auto',
    maxImagePixels: DEFAULT_MAX_IMAGE_PIXELS.toLocaleString('en-US'),
  };
}

export function formFromTarget(t: TargetInfo): TargetForm {
  return {
    ...emptyTargetForm(),
    name: t.name,
    urls: t.baseUrls.join('\n'),
    connectS: seconds(t.timeouts.connectMs),
    firstTokenS: seconds(t.timeouts.firstTokenMs),
    idleS: seconds(t.timeouts.idleMs),
    maxRetries: String(t.maxRetries),
    acceptsImages: t.acceptsImages ?? 'auto',
    maxImagePixels: (t.maxImagePixels ?? DEFAULT_MAX_IMAGE_PIXELS).toLocaleString('en-US'),
  };
}

/** The smallest budget the contract takes: one 28×28 patch. */
export const MIN_IMAGE_PIXELS = 784;

/** Whole pixels, thousands separators (, _ space) allowed; the contract's range. */
export function parseImagePixels(text: string): number | string {
  const t = text.trim().replace(/[,_\s]/g, '');
  if (!t) return 'Max image pixels is required';
  if (!/^\d+$/.test(t)) return 'Max image pixels is a whole number, e.g. 1003520';
  const n = Number(t);
  if (n < MIN_IMAGE_PIXELS || n > MAX_INPUT_IMAGE_PIXELS) {
    return `Max image pixels must be between ${MIN_IMAGE_PIXELS.toLocaleString('en-US')} and ${MAX_INPUT_IMAGE_PIXELS.toLocaleString('en-US')}`;
  }
  return n;
}

/** One URL per line, trailing slashes dropped, duplicates ignored; http(s) only, no credentials in it. */
export function parseBaseUrls(text: string): { urls: string[]; error: string | null } {
  const urls: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim().replace(/\/+$/, '');
    if (!line) continue;
    let u: URL;
    try {
      u = new URL(line);
    } catch {
      return { urls, error: `"${line}" is not a URL; write it like http://gpu-1:8000/v1` };
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return { urls, error: `"${line}" must start with http:// or https://` };
    if (u.username || u.password) return { urls, error: `"${line}" carries credentials; put the key in the API key field instead` };
    if (!urls.includes(line)) urls.push(line);
  }
  if (urls.length === 0) return { urls, error: 'Give at least one base URL, e.g. http://gpu-1:8000/v1' };
  if (urls.length > MAX_URLS) return { urls, error: `At most ${MAX_URLS} base URLs` };
  return { urls, error: null };
}

/** "Name: value" per line; the value may contain colons; blank lines are ignored. */
export function parseHeaders(text: string): { headers: Record<string, string>; error: string | null } {
  const headers: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    if (!raw.trim()) continue;
    const colon = raw.indexOf(':');
    if (colon === -1) return { headers, error: `"${raw.trim()}" needs a colon: Name: value` };
    const name = raw.slice(0, colon).trim();
    const value = raw.slice(colon + 1).trim();
    if (!/^[A-Za-z0-9-]+$/.test(name)) return { headers, error: `Header name "${name}" may only hold letters, digits and -` };
    if (value.length > MAX_SECRET) return { headers, error: `The value of ${name} is too long` };
    headers[name] = value;
  }
  return { headers, error: null };
}

/** Seconds in the form, whole milliseconds in the contract. */
export function parseSeconds(text: string, min: number, max: number, label: string): number | string {
  const t = text.trim();
  if (!t) return `${label} is required`;
  const n = Number(t);
  if (!Number.isFinite(n)) return `${label} must be a number of seconds`;
  if (n < min || n > max) return `${label} must be between ${min} and ${max} s`;
  return Math.round(n * 1000);
}

export function parseTargetForm(form: TargetForm): ParsedTargetForm {
  const errors: TargetFormErrors = {};
  const name = form.name.trim();
  if (!name) errors.name = 'Give the target a name';
  else if (name.length > 100) errors.name = 'At most 100 characters';
  const urls = parseBaseUrls(form.urls);
  if (urls.error) errors.urls = urls.error;
  if (form.apiKey.length > MAX_SECRET) errors.apiKey = 'The key is too long';
  const headers = parseHeaders(form.headers);
  if (headers.error) errors.headers = headers.error;
  const connectMs = parseSeconds(form.connectS, 0.1, 600, 'Connect timeout');
  const firstTokenMs = parseSeconds(form.firstTokenS, 0.1, 3600, 'First-token timeout');
  const idleMs = parseSeconds(form.idleS, 0.1, 3600, 'Idle timeout');
  if (typeof connectMs === 'string') errors.connectS = connectMs;
  if (typeof firstTokenMs === 'string') errors.firstTokenS = firstTokenMs;
  if (typeof idleMs === 'string') errors.idleS = idleMs;
  const retriesText = form.maxRetries.trim();
  const maxRetries = Number(retriesText);
  if (!/^\d+$/.test(retriesText) || maxRetries > 5) errors.maxRetries = 'Max retries is a whole number from 0 to 5';
  const maxImagePixels = parseImagePixels(form.maxImagePixels);
  if (typeof maxImagePixels === 'string') errors.maxImagePixels = maxImagePixels;
  if (
    Object.keys(errors).length > 0 ||
    typeof connectMs === 'string' ||
    typeof firstTokenMs === 'string' ||
    typeof idleMs === 'string' ||
    typeof maxImagePixels === 'string'
  ) {
    return { ok: false, errors };
  }
  const typedHeaders = form.headers.trim() ? headers.headers : null;
  return {
    ok: true,
    value: {
      name,
      baseUrls: urls.urls,
      timeouts: { connectMs, firstTokenMs, idleMs },
      maxRetries,
      apiKey: form.apiKey ? form.apiKey : null,
      headers: typedHeaders,
      acceptsImages: form.acceptsImages,
      maxImagePixels,
    },
  };
}

export function toTargetInput(p: ParsedTarget): TargetInput {
  return {
    name: p.name,
    baseUrls: p.baseUrls,
    apiKey: p.apiKey,
    headers: p.headers ?? {},
    timeouts: p.timeouts,
    maxRetries: p.maxRetries,
    acceptsImages: p.acceptsImages,
    maxImagePixels: p.maxImagePixels,
  };
}

/** What targets.update gets: secrets only when typed (replace) or cleared; undefined keeps them. */
export interface TargetPatchOut {
  name: string;
  baseUrls: string[];
  timeouts: ParsedTarget['timeouts'];
  maxRetries: number;
  acceptsImages: AcceptsImages;
  maxImagePixels: number;
  apiKey?: string | null;
  headers?: Record<string, string>;
}

export function toTargetPatch(p: ParsedTarget, form: Pick<TargetForm, 'clearKey' | 'clearHeaders'>): TargetPatchOut {
  const patch: TargetPatchOut = { name: p.name, baseUrls: p.baseUrls, timeouts: p.timeouts, maxRetries: p.maxRetries, acceptsImages: p.acceptsImages, maxImagePixels: p.maxImagePixels };
  if (form.clearKey) patch.apiKey = null;
  else if (p.apiKey !== null) patch.apiKey = p.apiKey;
  if (form.clearHeaders) patch.headers = {};
  else if (p.headers !== null) patch.headers = p.headers;
  return patch;
}
