// A Hugging Face repository's file list, for picking the projector (mmproj) that goes with a model
// downloaded by hf: URI. The endpoint, the token and the listing call are the ones llama.cpp's `-hf` uses
// (common/hf-cache.cpp: `api/models/{repo}/tree/{rev}?recursive=true`) and node-llama-cpp honours
// (MODEL_ENDPOINT, then HF_ENDPOINT; HF_TOKEN or the token file), so a mirror serves both the same way.
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { projectorUriFromRepo } from './projectorFiles';

export interface HfRef {
  user: string;
  repo: string;
  /** A branch name; `main` unless the URI says `#branch`. */
  branch: string;
  /** The file's path in the repository (`hf:user/repo/path/file.gguf`); null for `hf:user/repo[:tag]`. */
  file: string | null;
  /** The quantization tag of `hf:user/repo:tag` ('latest' when none); null when a file is named. */
  tag: string | null;
}

/** The parts of an hf: URI in the forms node-llama-cpp downloads; null for anything else. */
export function parseHfUri(uri: string): HfRef | null {
  const m = /^(?:hf|huggingface):(?:\/\/)?(.+)$/i.exec(uri.trim());
  if (!m) return null;
  const [user, model, ...rest] = (m[1] as string).split('/');
  if (!user || !model) return null;
  if (rest.length === 0 || model.includes(':')) {
    const [repo, ...tag] = model.split(':');
    return repo ? { user, repo, branch: 'main', file: null, tag: tag.join(':').trim() || 'latest' } : null;
  }
  const path = rest.join('/');
  const hash = path.indexOf('#');
  const file = hash >= 0 ? path.slice(0, hash) : path;
  if (!file) return null;
  return { user, repo: model, branch: (hash >= 0 ? path.slice(hash + 1) : '') || 'main', file, tag: null };
}

/** The API base as node-llama-cpp and llama.cpp resolve it, with a trailing slash. */
export function hfEndpoint(override?: string): string {
  const base = override || process.env.MODEL_ENDPOINT || process.env.HF_ENDPOINT || 'https://huggingface.co/';
  return base.endsWith('/') ? base : `${base}/`;
}

/** HF_TOKEN, else the token file huggingface-cli writes (HF_TOKEN_PATH, HF_HOME/token, ~/.cache/huggingface/token). */
async function hfToken(): Promise<string | null> {
  if (process.env.HF_TOKEN) return process.env.HF_TOKEN;
  const home = process.env.HF_HOME || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'huggingface');
  try {
    return (await readFile(process.env.HF_TOKEN_PATH || join(home, 'token'), 'utf8')).trim() || null;
  } catch {
    return null;
  }
}

/** Why a request got no usable answer, in words a user can act on. */
export class HfListingError extends Error {}

const LIST_TIMEOUT_MS = 30_000;
/** The tree endpoint pages its answer (Link: rel="next"); a GGUF repository fits in a few pages. */
const MAX_PAGES = 50;

async function getJson(url: string, what: string, signal: AbortSignal, userAgent: string): Promise<{ body: unknown; next: string | null }> {
  const token = await hfToken();
  let res: Response;
  try {
    res = await fetch(url, {
      headers: { Accept: 'application/json', 'User-Agent': userAgent, ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      signal: AbortSignal.any([signal, AbortSignal.timeout(LIST_TIMEOUT_MS)]),
    });
  } catch (e) {
    if (signal.aborted) throw e;
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    const why = (e as Error).name === 'TimeoutError' ? `no answer in ${LIST_TIMEOUT_MS / 1000} s` : (cause?.code ?? cause?.message ?? (e as Error).message);
    throw new HfListingError(`could not reach ${url} to ${what} (${why})`);
  }
  const text = await res.text().catch(() => '');
  if (!res.ok) {
    let detail = text.slice(0, 200);
    try {
      detail = String((JSON.parse(text) as { error?: unknown }).error ?? detail);
    } catch {
      // not JSON: the start of the text says enough
    }
    const hint = res.status === 401 || res.status === 403 ? ' (a gated or private repository: set HF_TOKEN)' : '';
    throw new HfListingError(`${url} answered ${res.status} when asked to ${what}${hint}${detail ? `: ${detail.trim()}` : ''}`);
  }
  try {
    const next = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1] ?? null;
    return { body: JSON.parse(text), next: next ? new URL(next, url).href : null };
  } catch {
    throw new HfListingError(`${url} did not answer JSON when asked to ${what}`);
  }
}

/** Every file path in the repository at `ref.branch`, as llama.cpp lists it for `-hf`. */
export async function listHfRepo(ref: HfRef, opts: { endpoint?: string; signal?: AbortSignal } = {}): Promise<string[]> {
  const signal = opts.signal ?? new AbortController().signal;
  const base = hfEndpoint(opts.endpoint);
  const what = `list the files of ${ref.user}/${ref.repo}`;
  let url: string | null = `${base}api/models/${encodeURIComponent(ref.user)}/${encodeURIComponent(ref.repo)}/tree/${encodeURIComponent(ref.branch)}?recursive=true`;
  const files: string[] = [];
  for (let page = 0; url && page < MAX_PAGES; page++) {
    const { body, next }: { body: unknown; next: string | null } = await getJson(url, what, signal, 'lamplight');
    if (!Array.isArray(body)) throw new HfListingError(`${url} did not answer a file list when asked to ${what}`);
    for (const item of body as { type?: unknown; path?: unknown }[]) {
      if (item?.type === 'file' && typeof item.path === 'string') files.push(item.path);
    }
    url = next;
  }
  return files;
}

/**
 * The repository path of the file node-llama-cpp downloads for `hf:user/repo:tag`: the same manifest it
 * resolves the tag with (`v2/{user}/{repo}/manifests/{tag}`, asked as llama-cpp so it names the GGUF file).
 */
async function fileForTag(ref: HfRef, endpoint: string | undefined, signal: AbortSignal): Promise<string> {
  const url = `${hfEndpoint(endpoint)}v2/${encodeURIComponent(ref.user)}/${encodeURIComponent(ref.repo)}/manifests/${encodeURIComponent(ref.tag ?? 'latest')}`;
  const { body } = await getJson(url, `resolve the tag "${ref.tag}" of ${ref.user}/${ref.repo}`, signal, 'llama-cpp');
  const file = (body as { ggufFile?: { rfilename?: unknown } } | null)?.ggufFile?.rfilename;
  if (typeof file !== 'string' || !file) throw new HfListingError(`${url} named no GGUF file for the tag "${ref.tag}"`);
  return file;
}

export type RepoProjector = { found: true; uri: string } | { found: false; reason: string };

/**
 * The hf: URI of the projector that goes with the model at `modelUri`, picked from the repository's listing
 * by projectorUriFromRepo (llama.cpp's `-hf` rule), on the model's branch. `{found:false}` when the
 * repository has none; a listing that fails throws HfListingError saying why.
 */
export async function findRepoProjector(modelUri: string, opts: { endpoint?: string; signal?: AbortSignal } = {}): Promise<RepoProjector> {
  const ref = parseHfUri(modelUri);
  if (!ref) throw new HfListingError(`"${modelUri}" is not an hf: URI (hf:user/repo/file.gguf or hf:user/repo:quant)`);
  const signal = opts.signal ?? new AbortController().signal;
  const file = ref.file ?? (await fileForTag(ref, opts.endpoint, signal));
  const files = await listHfRepo(ref, { ...opts, signal });
  const picked = projectorUriFromRepo(`hf:${ref.user}/${ref.repo}/${file}`, files);
  if (!picked) return { found: false, reason: 'no projector in the repository' };
  return { found: true, uri: ref.branch === 'main' ? picked : `${picked}#${ref.branch}` };
}
