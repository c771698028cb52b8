// Downloads end to end through the real core and node-llama-cpp's downloader (ipull), against a loopback
// HTTP server that serves generated GGUF files with byte ranges and can throttle so a cancel lands mid-transfer.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DownloadProgress } from '../../shared/models.schema';
import type { Core } from '../createCore';
import { ensureFixtureModels } from '../fixtures/ensureFixtures';
import { writeSyntheticModel } from '../fixtures/syntheticModel';
import { nextEvent, openTestCore, tempDir } from '../testing/testCore';
import { startFileServer, type FileServer } from './testing/fileServer';

/** ipull's default chunk: progress is saved (and a download resumes) only at these boundaries. */
const IPULL_CHUNK = 5 * 1024 * 1024;

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

interface Followed {
  downloadId: string;
  /** Every progress event of this download, the synchronous first one included. */
  events: DownloadProgress[];
  /** The first event that is not 'running'. */
  end: Promise<DownloadProgress>;
}

/** Starts a download, listening before the command runs: its first event is emitted inside the command. */
async function download(core: Core, input: { uri: string; dir?: string }, timeoutMs = 10_000): Promise<Followed> {
  const all: DownloadProgress[] = [];
  let id: string | null = null;
  let settle: ((p: DownloadProgress) => void) | null = null;
  const check = () => {
    const last = all.find((p) => p.downloadId === id && p.state !== 'running');
    if (last && settle) settle(last);
  };
  const off = core.on('downloads.progress', (p) => {
    all.push(p);
    check();
  });
  let downloadId: string;
  try {
    downloadId = (await core.invoke('models.download', input)).downloadId;
  } catch (e) {
    off();
    throw e;
  }
  id = downloadId;
  const end = new Promise<DownloadProgress>((resolve, reject) => {
    const t = setTimeout(() => {
      off();
      reject(new Error(`download of ${input.uri} still running after ${timeoutMs} ms`));
    }, timeoutMs);
    settle = (p) => {
      clearTimeout(t);
      off();
      resolve(p);
    };
    check();
  });
  end.catch(() => undefined); // a test that never awaits `end` must not leave an unhandled rejection
  return {
    downloadId,
    get events() {
      return all.filter((p) => p.downloadId === downloadId);
    },
    end,
  };
}

let tiny: Buffer;
let server: FileServer;
const cores: Core[] = [];
function core(): Core {
  const c = openTestCore();
  cores.push(c);
  return c;
}

beforeAll(async () => {
  const fx = await ensureFixtureModels(undefined, ['tinyQ8_0']);
  tiny = readFileSync(fx.tinyQ8_0);
  server = await startFileServer({ '/tiny.gguf': tiny });
});
afterEach(async () => {
  server.throttle = null;
  server.seen.length = 0;
  await Promise.all(cores.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await server?.close();
});

describe('models.download', () => {
  it('streams progress, lands the file in the library byte-identical, and hashes it', async () => {
    const c = core();
    server.throttle = () => 32 * 1024; // ~1.6 MB/s: several progress events (at most one per 100 ms) for ~1 MB
    const uri = `${server.base}/tiny.gguf`;
    const dir = tempDir('lamplight-dl-');
    const d = await download(c, { uri, dir });
    const last = await d.end;
    const mine = d.events;

    expect(last.state).toBe('done');
    expect(last.error).toBeNull();
    expect(last.modelId).toBeTruthy();
    expect(last.receivedBytes).toBe(tiny.length);
    expect(last.totalBytes).toBe(tiny.length);
    expect(mine[0]).toMatchObject({ state: 'running', receivedBytes: 0, uri });
    const running = mine.filter((p) => p.state === 'running' && p.receivedBytes > 0);
    expect(running.length).toBeGreaterThanOrEqual(2);
    for (const p of running) expect(p.totalBytes).toBe(tiny.length);
    const received = mine.map((p) => p.receivedBytes);
    expect(received).toEqual([...received].sort((a, b) => a - b));
    expect(new Set(received).size).toBeGreaterThanOrEqual(3);
    // While running it is listed; the server really served byte ranges.
    expect(server.seen.some((r) => r.status === 206)).toBe(true);

    const model = (await c.invoke('models.list', {})).find((m) => m.id === last.modelId);
    expect(model?.path).toBe(join(dir, 'tiny.gguf'));
    expect(model?.metadata.architecture).toBe('llama');
    expect(sha256(readFileSync(join(dir, 'tiny.gguf')))).toBe(sha256(tiny));
    await c.models.idle();
    expect(c.models.get(last.modelId as string).sha256).toBe(sha256(tiny));
    expect((await c.invoke('models.downloads', {})).find((x) => x.downloadId === d.downloadId)?.state).toBe('done');
  });

  it('cancels mid-transfer without leaving a final file, and the same URL then completes', async () => {
    const c = core();
    server.throttle = () => 16 * 1024; // ~800 KB/s: ~1.2 s for the whole file
    const uri = `${server.base}/tiny.gguf`;
    const dir = tempDir('lamplight-dl-');
    const { downloadId, end } = await download(c, { uri, dir });
    await nextEvent(c, 'downloads.progress', (p) => p.downloadId === downloadId && p.receivedBytes > 0, 10_000);
    expect((await c.invoke('models.cancelDownload', { downloadId })).cancelled).toBe(true);
    const last = await end;
    expect(last.state).toBe('cancelled');
    expect(last.receivedBytes).toBeLessThan(tiny.length);
    expect(existsSync(join(dir, 'tiny.gguf'))).toBe(false);
    expect(await c.invoke('models.list', {})).toEqual([]);
    // Cancelling twice is a no-op.
    expect((await c.invoke('models.cancelDownload', { downloadId })).cancelled).toBe(false);

    const firstAttempt = server.seen.splice(0);
    server.throttle = null;
    const done = await (await download(c, { uri, dir })).end;
    expect(done.state).toBe('done');
    expect(sha256(readFileSync(join(dir, 'tiny.gguf')))).toBe(sha256(tiny));
    // ipull keeps progress per 5 MiB chunk, so a file smaller than one chunk restarts at byte 0:
    // the retry asks for the whole file again rather than resuming where the cancel stopped.
    const rangesAfter = server.seen.map((r) => r.range).filter((r): r is string => r !== null);
    expect(firstAttempt.some((r) => r.range === `bytes=0-${tiny.length - 1}`)).toBe(true);
    expect(rangesAfter).toEqual([`bytes=0-${tiny.length - 1}`]);
  });

  it('resumes a cancelled download from the last completed chunk with a Range request', async () => {
    // A model larger than one ipull chunk (the 'small' preset, Q4_0 ≈ 9 MB): the first chunk arrives at
    // full speed, the rest is throttled, so the cancel lands after the first chunk's progress was saved.
    const dir = tempDir('lamplight-dl-src-');
    const { path } = await writeSyntheticModel({ path: join(dir, 'small.gguf'), preset: 'small', quant: 'Q4_0', seed: 7 });
    const small = readFileSync(path);
    expect(small.length).toBeGreaterThan(IPULL_CHUNK);
    const big = await startFileServer({ '/small.gguf': small });
    try {
      const c = core();
      big.throttle = (start) => (start >= IPULL_CHUNK ? 8 * 1024 : null);
      const uri = `${big.base}/small.gguf`;
      const target = tempDir('lamplight-dl-');
      const { downloadId, end } = await download(c, { uri, dir: target });
      // The first chunk was fully sent and received; give ipull a moment to write its progress record.
      await nextEvent(c, 'downloads.progress', (p) => p.downloadId === downloadId && p.receivedBytes >= IPULL_CHUNK, 10_000);
      const firstChunk = big.seen.find((r) => r.range === `bytes=0-${IPULL_CHUNK - 1}`);
      expect(firstChunk?.status).toBe(206);
      await vi.waitFor(() => expect(firstChunk?.finished).toBe(true), { timeout: 5_000 });
      await new Promise((r) => setTimeout(r, 200));
      await c.invoke('models.cancelDownload', { downloadId });
      expect((await end).state).toBe('cancelled');
      expect(existsSync(join(target, 'small.gguf'))).toBe(false);

      big.seen.length = 0;
      big.throttle = null;
      const done = await (await download(c, { uri, dir: target })).end;
      expect(done.state).toBe('done');
      expect(sha256(readFileSync(join(target, 'small.gguf')))).toBe(sha256(small));
      const dataRequests = big.seen.filter((r) => r.range !== null);
      expect(dataRequests.map((r) => r.range)).toEqual([`bytes=${IPULL_CHUNK}-${small.length - 1}`]);
      expect(dataRequests[0]?.status).toBe(206);
    } finally {
      await big.close();
    }
  });

  it('a 404 ends in error with the URL in the message', async () => {
    const c = core();
    const uri = `${server.base}/missing.gguf`;
    const last = await (await download(c, { uri, dir: tempDir('lamplight-dl-') })).end;
    expect(last.state).toBe('error');
    expect(last.error).toContain(uri);
    expect(last.error).toMatch(/404/);
    expect(await c.invoke('models.list', {})).toEqual([]);
  });

  // Known bug (see the report): ipull retries a refused connection 150 times with backoff up to 5 s, so a
  // URL with nothing listening stays 'running' for ~10 minutes instead of failing. `it.fails` keeps this
  // test honest and bounded; it starts failing once DownloadsService fails fast, then drop `.fails`.
  it('a loopback port with nothing listening ends in error naming the URL', async () => {
    const c = core();
    const closed = await startFileServer({});
    const uri = `${closed.base}/tiny.gguf`;
    await closed.close();
    const last = await (await download(c, { uri, dir: tempDir('lamplight-dl-') }, 3_000)).end;
    expect(last.state).toBe('error');
    expect(last.error).toContain(uri);
  });

  it('refuses URIs that are not http(s) or hf: at the boundary', async () => {
    const c = core();
    for (const uri of ['ftp://x', 'not a uri', 'file:///etc/passwd']) {
      const r = await c.dispatch('models.download', { uri });
      expect(r.ok, uri).toBe(false);
      if (!r.ok) expect(r.error.code, uri).toBe('BAD_INPUT');
    }
    const empty = await c.dispatch('models.download', { uri: '' });
    expect(!empty.ok && empty.error.message).toMatch(/uri/);
    expect(await c.invoke('models.downloads', {})).toEqual([]);
  });
});
