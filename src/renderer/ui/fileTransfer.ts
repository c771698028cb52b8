// Files between this browser and the browser host (src/host/files.ts). Electron has the preload and real
// paths; a browser cannot name a file on the server's disk, so it uploads one and downloads exports.

/** The same test as client/bridge: Electron's preload defines window.lamplight, the browser host does not. */
export const isBrowserHost: boolean = typeof window !== 'undefined' && !window.lamplight;

export type UploadPurpose = 'model' | 'adapter' | 'testset' | 'dataset';
export type ExportPurpose = 'dataset' | 'testset' | 'eval' | 'bench' | 'audit';

export interface Uploaded {
  id: string;
  /** The staged file on the server: what the command (models.add, testsets.preview, …) takes. */
  path: string;
  name: string;
  size: number;
}

export interface UploadTask {
  done: Promise<Uploaded>;
  cancel(): void;
}

export class TransferError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'TransferError';
  }
}

/** The tab's token (kept by client/bridge): a cookie is shared by every host on 127.0.0.1, whatever its port. */
function withToken(path: string): string {
  const token = sessionStorage.getItem('lamplight.token');
  return token ? `${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}` : path;
}

function errorOf(status: number, body: string): TransferError {
  try {
    const e = (JSON.parse(body) as { error?: { code?: string; message?: string } }).error;
    if (e?.message) return new TransferError(e.code ?? 'INTERNAL', e.message);
  } catch {
    // not JSON: the 401 page or a proxy's answer
  }
  if (status === 401) return new TransferError('UNAUTHORIZED', 'The host refused the access link; reload it from the URL `lamplight serve` printed.');
  return new TransferError('INTERNAL', `The host answered ${status || 'nothing'}${body ? `: ${body.slice(0, 200)}` : ''}`);
}

/** Streams one file to the host; onProgress gets bytes sent so far and the total. */
export function uploadFile(file: File, purpose: UploadPurpose, onProgress: (sent: number, total: number) => void): UploadTask {
  const xhr = new XMLHttpRequest();
  const done = new Promise<Uploaded>((resolve, reject) => {
    xhr.open('PUT', withToken(`/files/upload?purpose=${purpose}&name=${encodeURIComponent(file.name)}`));
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onload = () => (xhr.status === 201 ? resolve(JSON.parse(xhr.responseText) as Uploaded) : reject(errorOf(xhr.status, xhr.responseText)));
    xhr.onerror = () => reject(new TransferError('INTERNAL', `The upload of ${file.name} broke off (connection lost or refused).`));
    xhr.onabort = () => reject(new TransferError('CANCELLED', `The upload of ${file.name} was cancelled.`));
    xhr.send(file);
  });
  return { done, cancel: () => xhr.abort() };
}

/** A staged file on the server for an export command to write to (or, for training, the package's .tar). */
async function stageDownload(purpose: ExportPurpose | 'training', query: Record<string, string>): Promise<{ id: string; path: string }> {
  const res = await fetch(withToken(`/files/download?${new URLSearchParams({ purpose, ...query }).toString()}`), { method: 'POST' });
  const body = await res.text();
  if (res.status !== 201) throw errorOf(res.status, body);
  return JSON.parse(body) as { id: string; path: string };
}

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

/** The address of a staged export file; each is sent once. */
export function downloadUrl(id: string, path: string): string {
  return withToken(`/files/download/${id}/${encodeURIComponent(baseName(path))}`);
}

/** Lets the browser save one staged file (the host answers with Content-Disposition: attachment). */
export function saveDownload(url: string, fileName: string): void {
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
}

export interface ExportResult<T> {
  out: T;
  /** Browser host downloads: every file the export wrote, the first already being saved. */
  downloads: { name: string; url: string }[];
}

/**
 * Runs an export. With a server path (or in Electron) it writes there, as before. In the browser host an
 * empty path means "download": the core writes a staged file, the first file is saved by the browser and
 * the others (LLaMA-Factory's dataset_info.json, a report's CSV and JSON) are offered as links.
 */
export async function exportOrDownload<T>(opts: {
  purpose: ExportPurpose;
  path: string;
  fileName: string;
  run: (path: string) => Promise<T>;
  files: (out: T) => string[];
}): Promise<ExportResult<T>> {
  const path = opts.path.trim();
  if (path || !isBrowserHost) return { out: await opts.run(path), downloads: [] };
  const staged = await stageDownload(opts.purpose, { name: opts.fileName });
  const out = await opts.run(staged.path);
  const downloads = opts.files(out).map((f) => ({ name: baseName(f), url: downloadUrl(staged.id, f) }));
  const first = downloads[0];
  if (first) saveDownload(first.url, first.name);
  return { out, downloads };
}

/** The export button's word: Download when the browser host will send the file to this browser. */
export function exportVerb(path: string): string {
  return isBrowserHost && !path.trim() ? 'Download' : 'Export';
}

/** An export needs a path only where it cannot be downloaded (Electron). */
export function exportReady(path: string): boolean {
  return isBrowserHost || path.trim() !== '';
}

/** Browser host: a training package folder, archived by the host, saved as one .tar; returns its name. */
export async function downloadTrainingPackage(trainingId: string): Promise<string> {
  const staged = await stageDownload('training', { trainingId });
  const name = baseName(staged.path);
  saveDownload(downloadUrl(staged.id, staged.path), name);
  return name;
}
