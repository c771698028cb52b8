// Model downloads through node-llama-cpp's downloader (hf: URIs and plain URLs, resumable). Nothing is
// fetched unless the user asks; offline, the failure is reported as it is.
import { EventEmitter } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { createModelDownloader, type ModelDownloader } from 'node-llama-cpp';
import { ulid } from '../../shared/ids';
import type { DownloadProgress } from '../../shared/models.schema';
import { CoreError } from '../errors';
import type { ModelsService } from './models.service';

export interface DownloadsEvents {
  progress: [DownloadProgress];
}

interface Active {
  progress: DownloadProgress;
  abort: AbortController;
  downloader: ModelDownloader | null;
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
  if (!/^https?:/i.test(uri)) return;
  try {
    const res = await fetch(uri, { method: 'HEAD', signal: AbortSignal.any([signal, AbortSignal.timeout(15_000)]) });
    await res.body?.cancel();
  } catch (e) {
    if (signal.aborted) throw e;
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(cause?.code ?? cause?.message ?? (e as Error).message);
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

  start(uri: string, dir?: string): { downloadId: string } {
    validateUri(uri);
    const downloadId = ulid();
    const entry: Active = {
      progress: { downloadId, uri, state: 'running', receivedBytes: 0, totalBytes: null, error: null, modelId: null },
      abort: new AbortController(),
      downloader: null,
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

  private async run(entry: Active, dir: string): Promise<void> {
    let lastEmit = 0;
    try {
      await mkdir(dir, { recursive: true });
      await probe(entry.progress.uri, entry.abort.signal);
      const downloader = await createModelDownloader({
        modelUri: entry.progress.uri,
        dirPath: dir,
        showCliProgress: false,
        skipExisting: true,
        // Keep the partial file on cancel so the same URI resumes where it stopped.
        deleteTempFileOnCancel: false,
        onProgress: ({ totalSize, downloadedSize }) => {
          const now = Date.now();
          if (now - lastEmit < EMIT_EVERY_MS && downloadedSize < totalSize) return;
          lastEmit = now;
          this.update(entry, { receivedBytes: downloadedSize, totalBytes: totalSize || null });
        },
      });
      entry.downloader = downloader;
      if (entry.abort.signal.aborted) throw new DOMException('cancelled', 'AbortError');
      const file = await downloader.download({ signal: entry.abort.signal });
      // ipull returns normally when cancelled: the partial file is not a model.
      if (entry.abort.signal.aborted) throw new DOMException('cancelled', 'AbortError');
      const model = await this.models.add(file);
      this.update(entry, { state: 'done', modelId: model.id, receivedBytes: model.sizeBytes, totalBytes: model.sizeBytes });
    } catch (e) {
      if (entry.abort.signal.aborted) this.update(entry, { state: 'cancelled' });
      else this.update(entry, { state: 'error', error: `Download of ${entry.progress.uri} failed: ${(e as Error).message}` });
    }
  }

  async cancel(downloadId: string): Promise<boolean> {
    const entry = this.active.get(downloadId);
    if (!entry || entry.progress.state !== 'running') return false;
    entry.abort.abort();
    this.update(entry, { state: 'cancelled' });
    await entry.downloader?.cancel({ deleteTempFile: false }).catch(() => undefined);
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
