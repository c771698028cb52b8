// Model downloads through node-llama-cpp's downloader (hf: URIs and plain URLs, resumable). Nothing is
// fetched unless the user asks; offline, the failure is reported as it is. An hf: download also brings the
// repository's projector (mmproj) into the same folder, where the Vision section finds it beside the model.
import { EventEmitter } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { createModelDownloader, type ModelDownloader } from 'node-llama-cpp';
import { ulid } from '../../shared/ids';
import type { DownloadProgress, DownloadProjector } from '../../shared/models.schema';
import { CoreError } from '../errors';
import { findRepoProjector, hfEndpoint, parseHfUri } from './hfListing';
import type { ModelsService } from './models.service';

export interface DownloadsEvents {
  progress: [DownloadProgress];
}

interface Active {
  progress: DownloadProgress;
  abort: AbortController;
  downloaders: ModelDownloader[];
}

/** Bytes of one file of a download: the projector's and the model's add up to the download's progress. */
interface Part {
  received: number;
  total: number;
}

const EMIT_EVERY_MS = 100;

function validateUri(uri: string): void {
  if (/^hf:/i.test(uri)) return;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new CoreError('BAD_INPUT', `"${uri}" is neither an hf: URI (hf:user/repo/file.gguf) nor a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new CoreError('BAD_INPUT', `Only http(s) URLs and hf: URIs can be downloaded, not ${url.protocol}`);
  }
}

/**
 * One plain request before handing the URL to ipull, which retries a refused or unresolvable connection
 * 150 times (up to ~10 minutes): "nothing answers" becomes an error at once.
 */
async function probe(uri: string, signal: AbortSignal): Promise<void> {
  const ref = parseHfUri(uri);
  // An hf: file is fetched from the endpoint's resolve URL (node-llama-cpp's); the tag form asks a manifest
  // with a plain fetch first, which fails at once by itself.
  const url = ref?.file
    ? `${hfEndpoint()}${[ref.user, ref.repo, 'resolve', ref.branch, ...ref.file.split('/')].map(encodeURIComponent).join('/')}`
    : uri;
  if (!/^https?:/i.test(url)) return;
  try {
    const res = await fetch(url, { method: 'HEAD', signal: AbortSignal.any([signal, AbortSignal.timeout(15_000)]) });
    await res.body?.cancel();
  } catch (e) {
    if (signal.aborted) throw e;
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(`could not reach ${new URL(url).host} (${cause?.code ?? cause?.message ?? (e as Error).message})`);
  }
}

export class DownloadsService extends EventEmitter<DownloadsEvents> {
  private readonly active = new Map<string, Active>();
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly models: ModelsService,
    private readonly defaultDir: string,
  ) {
    super();
  }

  list(): DownloadProgress[] {
    return [...this.active.values()].map((a) => a.progress);
  }

  /** `projector` (default on) also fetches an hf: model's projector from its repository; URLs have none. */
  start(uri: string, dir?: string, opts: { projector?: boolean } = {}): { downloadId: string } {
    validateUri(uri);
    const downloadId = ulid();
    const withProjector = /^hf:/i.test(uri) && opts.projector !== false;
    const entry: Active = {
      progress: {
        downloadId, uri, state: 'running', receivedBytes: 0, totalBytes: null, error: null, modelId: null,
        projector: withProjector ? { state: 'listing', uri: null, path: null, note: null } : null,
      },
      abort: new AbortController(),
      downloaders: [],
    };
    this.active.set(downloadId, entry);
    this.emit('progress', entry.progress);
    const job = this.run(entry, dir ?? this.defaultDir).finally(() => {
      this.running.delete(job);
      this.prune();
    });
    this.running.add(job);
    return { downloadId };
  }

  private update(entry: Active, patch: Partial<DownloadProgress>): void {
    entry.progress = { ...entry.progress, ...patch };
    this.emit('progress', entry.progress);
  }

  private updateProjector(entry: Active, patch: Partial<DownloadProjector>): void {
    const current = entry.progress.projector;
    if (current) this.update(entry, { projector: { ...current, ...patch } });
  }

  /** The repository's projector URI, or null with the reason recorded; never fails the model's download. */
  private async pickProjector(entry: Active): Promise<string | null> {
    try {
      const found = await findRepoProjector(entry.progress.uri, { signal: entry.abort.signal });
      if (found.found) this.updateProjector(entry, { state: 'running', uri: found.uri });
      else this.updateProjector(entry, { state: 'none', note: found.reason });
      return found.found ? found.uri : null;
    } catch (e) {
      if (entry.abort.signal.aborted) throw e;
      this.updateProjector(entry, { state: 'failed', note: `projector not fetched: ${(e as Error).message}` });
      return null;
    }
  }

  private async downloader(entry: Active, uri: string, dir: string, part: Part, parts: Part[]): Promise<ModelDownloader> {
    let lastEmit = 0;
    const downloader = await createModelDownloader({
      modelUri: uri,
      dirPath: dir,
      showCliProgress: false,
      skipExisting: true,
      // Keep the partial file on cancel so the same URI resumes where it stopped.
      deleteTempFileOnCancel: false,
      onProgress: ({ totalSize, downloadedSize }) => {
        part.received = downloadedSize;
        part.total = totalSize;
        const now = Date.now();
        if (now - lastEmit < EMIT_EVERY_MS && downloadedSize < totalSize) return;
        lastEmit = now;
        this.reportBytes(entry, parts);
      },
    });
    entry.downloaders.push(downloader);
    // A cancel that came while this downloader was being made found nothing to cancel.
    if (entry.abort.signal.aborted) throw new DOMException('cancelled', 'AbortError');
    part.total = downloader.totalSize;
    return downloader;
  }

  private reportBytes(entry: Active, parts: Part[]): void {
    const total = parts.reduce((n, p) => n + p.total, 0);
    this.update(entry, { receivedBytes: parts.reduce((n, p) => n + p.received, 0), totalBytes: total || null });
  }

  /** Downloads one file; ipull returns normally when cancelled, and a partial file is not a result. */
  private async fetchFile(entry: Active, downloader: ModelDownloader, part: Part, parts: Part[]): Promise<string> {
    const file = await downloader.download({ signal: entry.abort.signal });
    if (entry.abort.signal.aborted) throw new DOMException('cancelled', 'AbortError');
    part.received = part.total = downloader.totalSize;
    this.reportBytes(entry, parts);
    return file;
  }

  /**
   * The projector first (small), then the model: a cancel never leaves a finished model outside the library,
   * and a projector that cannot be fetched is noted while the model still comes.
   */
  private async run(entry: Active, dir: string): Promise<void> {
    const signal = entry.abort.signal;
    const modelPart: Part = { received: 0, total: 0 };
    const projectorPart: Part = { received: 0, total: 0 };
    const parts = [projectorPart, modelPart];
    try {
      await mkdir(dir, { recursive: true });
      const projectorUri = entry.progress.projector ? await this.pickProjector(entry) : null;
      await probe(entry.progress.uri, signal);
      const model = await this.downloader(entry, entry.progress.uri, dir, modelPart, parts);
      if (projectorUri) await this.fetchProjector(entry, projectorUri, dir, projectorPart, parts);
      this.reportBytes(entry, parts);
      const added = await this.models.add(await this.fetchFile(entry, model, modelPart, parts));
      this.update(entry, { state: 'done', modelId: added.id });
    } catch (e) {
      const p = entry.progress.projector;
      if (p?.state === 'listing' || p?.state === 'running') {
        if (signal.aborted) this.updateProjector(entry, { state: 'cancelled' });
        else this.updateProjector(entry, { state: 'failed', note: "projector not fetched: the model's download failed" });
      }
      if (signal.aborted) this.update(entry, { state: 'cancelled' });
      else this.update(entry, { state: 'error', error: `Download of ${entry.progress.uri} failed: ${(e as Error).message}` });
    }
  }

  /** Fetches the projector into the model's folder; a failure is noted on the download, a cancel is thrown. */
  private async fetchProjector(entry: Active, uri: string, dir: string, part: Part, parts: Part[]): Promise<void> {
    try {
      const downloader = await this.downloader(entry, uri, dir, part, parts);
      this.reportBytes(entry, parts);
      const path = await this.fetchFile(entry, downloader, part, parts);
      this.updateProjector(entry, { state: 'done', path });
    } catch (e) {
      if (entry.abort.signal.aborted) throw e;
      // What arrived still counts, so the progress never runs backwards.
      part.total = part.received;
      this.updateProjector(entry, { state: 'failed', note: `projector not fetched: ${uri}: ${(e as Error).message}` });
    }
  }

  async cancel(downloadId: string): Promise<boolean> {
    const entry = this.active.get(downloadId);
    if (!entry || entry.progress.state !== 'running') return false;
    entry.abort.abort();
    this.update(entry, { state: 'cancelled' });
    await Promise.all(entry.downloaders.map((d) => d.cancel({ deleteTempFile: false }).catch(() => undefined)));
    return true;
  }

  /** Finished downloads stay listed for the UI, the most recent few only. */
  private prune(keep = 20): void {
    const finished = [...this.active.values()].filter((a) => a.progress.state !== 'running');
    for (const a of finished.slice(0, Math.max(0, finished.length - keep))) this.active.delete(a.progress.downloadId);
  }

  /** Stops every download and waits for them, so none touches the database after it closes. */
  async close(): Promise<void> {
    for (const a of this.active.values()) a.abort.abort();
    await Promise.allSettled([...this.running]);
  }
}
