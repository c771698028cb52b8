// The browser host's file channel. A browser cannot hand the core a path on the server's disk, so:
//   PUT|POST /files/upload?purpose=model|adapter|testset|dataset|image&name=…  streams the body to a staged file
//     and answers { id, path, name, size }; the path goes into the usual command (models.add, …).
//   POST /files/download?purpose=…&name=…  stages an empty folder and answers { id, path } for an export
//     command to write to; GET /files/download/<id>/<name> then sends the file once, as an attachment.
//   POST /files/download?purpose=training&trainingId=…  stages a .tar of that training package's folder.
// server.ts has already checked Host and the token; here: Origin, the acting profile's permission for the
// command that will use the file, size limits, idle timeout and in-flight uploads per profile.
import { rm, statfs } from 'node:fs/promises';
import { createReadStream, createWriteStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basename, join, resolve } from 'node:path';
import type { Core } from '../core/createCore';
import { toWireError } from '../core/errors';
import type { Actor } from '../core/profiles/profiles.service';
import type { CommandName, WireResult } from '../shared/contract';
import { MAX_INPUT_IMAGE_BYTES } from '../shared/images.schema';
import { FileStaging, safeFileName, type UploadPurpose } from './fileStaging';
import { tarFolder } from './tarFolder';

const GiB = 1024 ** 3;

export interface FileLimits {
  /** Largest upload per purpose, in bytes. */
  maxBytes: Record<UploadPurpose, number>;
  /** An upload that sends nothing for this long is dropped (408). */
  idleMs: number;
  /** Staged uploads unused, and downloads not fetched, for this long are removed. */
  ttlMs: number;
  /** Uploads one profile may have in flight at once (429 beyond). */
  perProfile: number;
}

export const DEFAULT_FILE_LIMITS: FileLimits = {
  maxBytes: { model: 20 * GiB, adapter: 4 * GiB, dataset: 4 * GiB, testset: 1 * GiB, image: MAX_INPUT_IMAGE_BYTES },
  idleMs: 60_000,
  ttlMs: 60 * 60_000,
  perProfile: 3,
};

export type FileLimitsInput = Partial<Omit<FileLimits, 'maxBytes'>> & { maxBytes?: Partial<FileLimits['maxBytes']> };

/** The command an uploaded file is for: the uploader needs its permission. */
const UPLOAD_FOR: Record<UploadPurpose, CommandName> = {
  model: 'models.add',
  adapter: 'adapters.add',
  testset: 'testsets.import',
  dataset: 'datasets.import',
  /** A picked or dropped image: images.add stores a cleaned copy by content hash. */
  image: 'images.add',
};

/** The export command a staged download is for. */
const DOWNLOAD_FOR = {
  dataset: 'datasets.export',
  testset: 'testsets.exportJsonl',
  eval: 'evals.export',
  bench: 'bench.export',
  audit: 'audit.export',
  /** Not written by a command: the host archives an existing training package folder (tarFolder). */
  training: 'training.package',
} as const satisfies Record<string, CommandName>;

/** Commands that move the staged file into the data folder, and where. */
const ADOPT_INTO: Partial<Record<CommandName, string>> = { 'models.add': 'models', 'adapters.add': 'adapters' };
/** Commands that consume the file: once they succeed it is removed. */
const CONSUMES = new Set<CommandName>(['testsets.import', 'datasets.import', 'images.add']);
/** …and these even when they refuse it: an image refused for its content is of no use again. */
const CONSUMES_EVEN_REFUSED = new Set<CommandName>(['images.add']);

export interface FileChannel {
  /** Handles /files/…; `profileId` is the profile the request's token acts as. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL, profileId: string): void;
  /** core.dispatch, plus what staged uploads need: held while used, adopted or removed after. */
  dispatch(name: unknown, input: unknown, actor: Actor): Promise<WireResult<unknown>>;
  close(): Promise<void>;
}

function json(res: ServerResponse, status: number, body: unknown, close = false): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...(close ? { Connection: 'close' } : {}) });
  res.end(JSON.stringify(body));
}

const fail = (code: string, message: string) => ({ error: { code, message } });

/** Answers an upload without reading it: drain briefly so the client reads the answer, not a reset. */
function refuse(req: IncomingMessage, res: ServerResponse, status: number, code: string, message: string): void {
  json(res, status, fail(code, message), true);
  req.resume();
  setTimeout(() => req.destroy(), 2_000).unref();
}

/** RFC 6266: a quoted ASCII fallback plus the UTF-8 name. */
function attachment(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

export async function openFileChannel(opts: { core: Core; limits?: FileLimitsInput; origins: () => string[] }): Promise<FileChannel> {
  const { core } = opts;
  const limits: FileLimits = { ...DEFAULT_FILE_LIMITS, ...opts.limits, maxBytes: { ...DEFAULT_FILE_LIMITS.maxBytes, ...opts.limits?.maxBytes } };
  const staging = new FileStaging(core.dataDir, limits.ttlMs);
  await staging.init();
  const sweeper = setInterval(() => void staging.sweep(), Math.min(60_000, limits.ttlMs)).unref();
  const open = new Set<IncomingMessage>();

  /** The refusal message when the profile may not run `command` (audited by the guard like any refusal). */
  function refusal(profileId: string, command: CommandName): string | null {
    try {
      core.profiles.runAs({ profileId }, () => core.profiles.authorize(command));
      return null;
    } catch (e) {
      return toWireError(e).message;
    }
  }

  async function upload(req: IncomingMessage, res: ServerResponse, url: URL, profileId: string): Promise<void> {
    const purpose = url.searchParams.get('purpose') as UploadPurpose;
    if (!Object.hasOwn(UPLOAD_FOR, purpose ?? '')) {
      return refuse(req, res, 400, 'BAD_INPUT', `purpose: must be one of ${Object.keys(UPLOAD_FOR).join(', ')}`);
    }
    const denied = refusal(profileId, UPLOAD_FOR[purpose]);
    if (denied) return refuse(req, res, 403, 'FORBIDDEN', denied);
    const max = limits.maxBytes[purpose];
    const declared = req.headers['content-length'] === undefined ? null : Number(req.headers['content-length']);
    if (declared !== null && declared > max) {
      return refuse(req, res, 413, 'BAD_INPUT', `the file is ${declared} bytes; ${purpose} uploads may be at most ${max} bytes`);
    }
    if (staging.uploadsInProgress(profileId) >= limits.perProfile) {
      return refuse(req, res, 429, 'CONFLICT', `at most ${limits.perProfile} uploads at once per profile; wait for one to finish`);
    }
    if (declared !== null) {
      const fs = await statfs(core.dataDir).catch(() => null);
      if (fs && declared > fs.bavail * fs.bsize) {
        return refuse(req, res, 507, 'BAD_INPUT', `the data folder has ${fs.bavail * fs.bsize} bytes free; the file needs ${declared}`);
      }
    }

    const u = await staging.newUpload(url.searchParams.get('name'), purpose, profileId);
    const out = createWriteStream(u.path, { flags: 'wx', mode: 0o600 });
    let bytes = 0;
    let finished = false;
    open.add(req);
    const stop = (status: number | null, message: string) => {
      if (finished) return;
      finished = true;
      clearTimeout(idle);
      open.delete(req);
      out.destroy();
      req.unpipe();
      void staging.dropUpload(u.id); // a refused or cut-off upload leaves nothing behind
      if (status === null || res.headersSent) {
        req.destroy();
        return;
      }
      refuse(req, res, status, 'BAD_INPUT', message);
    };
    const idle = setTimeout(() => stop(408, `no data for ${limits.idleMs / 1000} s; upload cancelled`), limits.idleMs);
    req.on('data', (chunk: Buffer) => {
      if (finished) return;
      bytes += chunk.length;
      if (bytes > max) return stop(413, `the file passed ${max} bytes, the most a ${purpose} upload may be`);
      idle.refresh();
      if (!out.write(chunk)) {
        req.pause();
        out.once('drain', () => req.resume());
      }
    });
    req.on('end', () => {
      if (finished) return;
      clearTimeout(idle);
      if (bytes === 0) return stop(400, 'the file is empty');
      out.end(() => {
        if (finished) return;
        finished = true;
        open.delete(req);
        staging.complete(u.id, bytes);
        json(res, 201, { id: u.id, path: u.path, name: u.name, size: bytes });
      });
    });
    req.on('close', () => {
      if (!req.complete) stop(null, 'client went away');
    });
    out.on('error', (e) => stop(500, `could not write the upload: ${e.message}`));
  }

  async function stageDownload(res: ServerResponse, url: URL, profileId: string): Promise<void> {
    const purpose = url.searchParams.get('purpose') ?? '';
    if (!Object.hasOwn(DOWNLOAD_FOR, purpose)) {
      return json(res, 400, fail('BAD_INPUT', `purpose: must be one of ${Object.keys(DOWNLOAD_FOR).join(', ')}`));
    }
    const denied = refusal(profileId, DOWNLOAD_FOR[purpose as keyof typeof DOWNLOAD_FOR]);
    if (denied) return json(res, 403, fail('FORBIDDEN', denied));
    if (purpose !== 'training') return json(res, 201, await staging.newDownload(url.searchParams.get('name'), profileId));
    let dir: string;
    try {
      dir = core.training.get(url.searchParams.get('trainingId') ?? '').dir;
    } catch (e) {
      return json(res, 404, { error: toWireError(e) });
    }
    const staged = await staging.newDownload(`${basename(dir)}.tar`, profileId);
    try {
      const files = await tarFolder(dir, staged.path, safeFileName(basename(dir), 'training'));
      json(res, 201, { ...staged, files });
    } catch (e) {
      json(res, 500, fail('INTERNAL', `could not archive ${dir}: ${(e as Error).message}`));
    }
  }

  async function download(res: ServerResponse, id: string, name: string, profileId: string, head: boolean): Promise<void> {
    const file = await staging.downloadFile(id, name, profileId);
    if (!file) return json(res, 404, fail('NOT_FOUND', 'no such download (each is sent once and kept for a limited time)'));
    res.writeHead(200, {
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(file.size),
      'Content-Disposition': attachment(name),
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
    });
    if (head) return void res.end();
    const stream = createReadStream(file.path);
    stream.pipe(res);
    res.on('finish', () => void staging.sent(id, file.path));
    res.on('close', () => stream.destroy());
  }

  return {
    handle(req, res, url, profileId) {
      const origin = req.headers.origin;
      if (req.method !== 'GET' && req.method !== 'HEAD' && origin !== undefined && !opts.origins().includes(origin)) {
        return refuse(req, res, 403, 'UNAUTHORIZED', `origin ${origin} may not send files here`);
      }
      const parts = url.pathname.split('/').slice(2); // ['upload'] | ['download', id, name]
      let task: Promise<void> | null = null;
      if (parts.length === 1 && parts[0] === 'upload' && (req.method === 'PUT' || req.method === 'POST')) task = upload(req, res, url, profileId);
      else if (parts.length === 1 && parts[0] === 'download' && req.method === 'POST') task = stageDownload(res, url, profileId);
      else if (parts.length === 3 && parts[0] === 'download' && (req.method === 'GET' || req.method === 'HEAD')) {
        let name: string;
        try {
          name = decodeURIComponent(parts[2] ?? '');
        } catch {
          return json(res, 400, fail('BAD_INPUT', 'the file name in the address is malformed'));
        }
        task = download(res, parts[1] ?? '', name, profileId, req.method === 'HEAD');
      }
      if (!task) return refuse(req, res, 404, 'NOT_FOUND', `${req.method ?? ''} ${url.pathname}: no such file route`);
      task.catch((e: unknown) => {
        json(res, 500, fail('INTERNAL', (e as Error).message), true);
        if (res.headersSent) res.destroy();
      });
    },

    async dispatch(name, input, actor) {
      let used;
      try {
        used = staging.referencedBy(input);
      } catch (e) {
        return { ok: false, error: { code: 'NOT_FOUND', message: (e as Error).message } };
      }
      if (used.length === 0) return core.dispatch(name, input, actor);
      used.forEach((u) => staging.hold(u));
      try {
        const into = typeof name === 'string' ? ADOPT_INTO[name as CommandName] : undefined;
        const u = used[0];
        const path = (input as { path?: unknown }).path;
        if (into && u && used.length === 1 && typeof path === 'string' && resolve(path) === u.path) {
          // Checked first: a refused command must not move the file.
          const denied = refusal(actor.profileId, name as CommandName);
          if (denied) return { ok: false, error: { code: 'FORBIDDEN', message: denied } };
          const dest = await staging.adopt(u, join(core.dataDir, into));
          const r = await core.dispatch(name, { ...(input as object), path: dest }, actor);
          if (!r.ok) await rm(dest, { force: true });
          return r;
        }
        const r = await core.dispatch(name, input, actor);
        if ((r.ok && CONSUMES.has(name as CommandName)) || CONSUMES_EVEN_REFUSED.has(name as CommandName)) for (const x of used) await staging.dropUpload(x.id);
        return r;
      } finally {
        used.forEach((u) => staging.release(u));
      }
    },

    async close() {
      clearInterval(sweeper);
      for (const req of open) req.destroy();
      await staging.clear();
    },
  };
}

export { safeFileName };
