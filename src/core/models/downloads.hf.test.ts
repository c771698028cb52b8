// hf: downloads bring the repository's projector: the real core and node-llama-cpp's downloader against a
// loopback server standing in for the Hugging Face endpoint (HF_ENDPOINT, which node-llama-cpp and
// llama.cpp both honour): the tree listing, the tag manifest and the resolve URLs, with byte ranges.
import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DownloadProgress } from '../../shared/models.schema';
import type { Core } from '../createCore';
import { ensureFixtureModels, ensureVisionFixture } from '../fixtures/ensureFixtures';
import { nextEvent, openTestCore, recordEvents, tempDir } from '../testing/testCore';
import { startFileServer, type FileServer } from './testing/fileServer';

const REPO = 'Lamplight/Vision-Qwen2VL-GGUF';
const MODEL = 'vision-qwen2vl-f16.gguf';
const PROJECTOR = 'mmproj-vision-qwen2vl-f16.gguf';
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let server: FileServer;
let model: Buffer;
let projector: Buffer;
let tiny: Buffer;
/** The repository as its tree listing answers it; each test sets it. */
let tree: string[] = [];
let listingStatus = 200;
const env = { HF_ENDPOINT: process.env.HF_ENDPOINT, MODEL_ENDPOINT: process.env.MODEL_ENDPOINT, HF_TOKEN: process.env.HF_TOKEN };

beforeAll(async () => {
  const fx = await ensureVisionFixture();
  model = readFileSync(fx.model);
  projector = readFileSync(fx.projector);
  tiny = readFileSync((await ensureFixtureModels(undefined, ['tinyQ8_0'])).tinyQ8_0);
  server = await startFileServer({
    [`/${REPO}/resolve/main/${MODEL}`]: model,
    [`/${REPO}/resolve/main/${PROJECTOR}`]: projector,
    [`/${REPO}/resolve/main/text-only-q8_0.gguf`]: tiny,
  });
  server.route = (_req, res, url) => {
    if (url.pathname === `/api/models/${REPO}/tree/main`) {
      res.writeHead(listingStatus, { 'Content-Type': 'application/json' });
      res.end(listingStatus === 200 ? JSON.stringify(tree.map((path) => ({ type: 'file', path, size: 1 }))) : '{"error":"Internal Error"}');
      return true;
    }
    if (url.pathname === `/v2/${REPO}/manifests/F16`) {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ ggufFile: { rfilename: MODEL } }));
      return true;
    }
    return false;
  };
  process.env.HF_ENDPOINT = `${server.base}/`;
  delete process.env.MODEL_ENDPOINT;
  delete process.env.HF_TOKEN;
});
const cores: Core[] = [];
afterEach(async () => {
  server.throttle = null;
  server.seen.length = 0;
  listingStatus = 200;
  await Promise.all(cores.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await server?.close();
});

async function download(input: { uri: string; dir: string; projector?: boolean }): Promise<{ core: Core; last: DownloadProgress; events: DownloadProgress[] }> {
  const core = openTestCore();
  cores.push(core);
  const events = recordEvents(core, 'downloads.progress');
  const { downloadId } = await core.invoke('models.download', input);
  const last = await events.until((p) => p.downloadId === downloadId && p.state !== 'running', `the end of ${input.uri}`, 30_000);
  events.off();
  return { core, last, events: events.seen };
}

describe('hf: downloads with the repository projector', () => {
  it('fetches the projector the listing names into the model folder, and the Vision section pairs them', async () => {
    // A second projector one folder deeper than the model is out of reach by llama.cpp's rule.
    tree = ['README.md', MODEL, PROJECTOR, 'text-only-q8_0.gguf', `extra/${PROJECTOR}`];
    const dir = tempDir('lamplight-hf-');
    // A projector from another repository already in the folder: the pairing must not pick it.
    copyFileSync((await ensureVisionFixture()).mismatchedProjector, join(dir, 'hf_Other_mmproj-clip-q8_0.gguf'));
    const { core, last, events } = await download({ uri: `hf:${REPO}/${MODEL}`, dir });

    expect(last.state).toBe('done');
    expect(last.error).toBeNull();
    expect(last.projector).toMatchObject({ state: 'done', uri: `hf:${REPO}/${PROJECTOR}`, note: null });
    const path = last.projector?.path as string;
    expect(dirname(path)).toBe(dir);
    expect(basename(path)).toContain('mmproj');
    expect(sha(readFileSync(path))).toBe(sha(projector));
    // Progress counts both files.
    expect(last.totalBytes).toBe(model.length + projector.length);
    expect(last.receivedBytes).toBe(model.length + projector.length);
    expect(events.map((p) => p.projector?.state)).toEqual(expect.arrayContaining(['listing', 'running', 'done']));
    expect(server.seen.filter((r) => r.path.startsWith('/api/')).map((r) => r.path)).toEqual([`/api/models/${REPO}/tree/main`]);
    expect(server.seen.some((r) => r.path.includes('/extra/'))).toBe(false);

    const info = await core.invoke('vision.findProjector', { modelId: last.modelId as string });
    expect(info?.path).toBe(path);
    expect(info?.projectorType).toBe('qwen2vl_merger');
    const added = core.models.get(last.modelId as string);
    expect(sha(readFileSync(added.path))).toBe(sha(model));
  });

  it('resolves hf:user/repo:tag through the manifest, then pairs the same projector', async () => {
    tree = [MODEL, PROJECTOR];
    const { last } = await download({ uri: `hf:${REPO}:F16`, dir: tempDir('lamplight-hf-') });
    expect(last.state).toBe('done');
    expect(last.projector).toMatchObject({ state: 'done', uri: `hf:${REPO}/${PROJECTOR}` });
    expect(server.seen.map((r) => r.path)).toContain(`/v2/${REPO}/manifests/F16`);
  });

  it('a repository without a projector says so and the model still lands', async () => {
    tree = ['text-only-q8_0.gguf', 'README.md'];
    const { core, last } = await download({ uri: `hf:${REPO}/text-only-q8_0.gguf`, dir: tempDir('lamplight-hf-') });
    expect(last.state).toBe('done');
    expect(last.projector).toEqual({ state: 'none', uri: null, path: null, note: 'no projector in the repository' });
    expect(last.totalBytes).toBe(tiny.length);
    expect((await core.invoke('models.list', {})).map((m) => m.id)).toEqual([last.modelId]);
  });

  it('a listing that fails is named in the note and the model still lands', async () => {
    tree = [MODEL, PROJECTOR];
    listingStatus = 500;
    const dir = tempDir('lamplight-hf-');
    const { last } = await download({ uri: `hf:${REPO}/${MODEL}`, dir });
    expect(last.state).toBe('done');
    expect(last.modelId).toBeTruthy();
    expect(last.projector?.state).toBe('failed');
    expect(last.projector?.note).toMatch(/^projector not fetched: http:\/\/127\.0\.0\.1:\d+\/api\/models\/Lamplight\/Vision-Qwen2VL-GGUF\/tree\/main\?recursive=true answered 500 .*: Internal Error$/);
    expect(server.seen.some((r) => r.path.endsWith(`/${PROJECTOR}`))).toBe(false);
  });

  it('a listed projector the server cannot serve is noted; the model is kept', async () => {
    tree = [MODEL, 'mmproj-vision-qwen2vl-f16-gone.gguf'];
    const { core, last } = await download({ uri: `hf:${REPO}/${MODEL}`, dir: tempDir('lamplight-hf-') });
    expect(last.state).toBe('done');
    expect(last.projector?.state).toBe('failed');
    expect(last.projector?.note).toContain(`projector not fetched: hf:${REPO}/mmproj-vision-qwen2vl-f16-gone.gguf`);
    expect(last.projector?.note).toMatch(/404/);
    expect(last.receivedBytes).toBe(model.length);
    expect((await core.invoke('models.list', {})).length).toBe(1);
  });

  it('projector: false downloads the model alone, without asking the repository', async () => {
    tree = [MODEL, PROJECTOR];
    const dir = tempDir('lamplight-hf-');
    const { last } = await download({ uri: `hf:${REPO}/${MODEL}`, dir, projector: false });
    expect(last.state).toBe('done');
    expect(last.projector).toBeNull();
    expect(server.seen.some((r) => r.path.startsWith('/api/') || r.path.endsWith(`/${PROJECTOR}`))).toBe(false);
  });

  it('a cancel during the projector cancels the download; nothing enters the library', async () => {
    tree = [MODEL, PROJECTOR];
    server.throttle = () => 4 * 1024; // ~200 KB/s: the ~0.5 MB projector takes over two seconds
    const core = openTestCore();
    cores.push(core);
    const dir = tempDir('lamplight-hf-');
    const { downloadId } = await core.invoke('models.download', { uri: `hf:${REPO}/${MODEL}`, dir });
    await nextEvent(core, 'downloads.progress', (p) => p.downloadId === downloadId && p.projector?.state === 'running' && p.receivedBytes > 0, 20_000);
    // The run notes the projector cancelled once its download has stopped.
    const ended = nextEvent(core, 'downloads.progress', (p) => p.downloadId === downloadId && p.projector?.state === 'cancelled', 20_000);
    expect((await core.invoke('models.cancelDownload', { downloadId })).cancelled).toBe(true);
    expect((await ended).state).toBe('cancelled');
    const last = (await core.invoke('models.downloads', {})).find((d) => d.downloadId === downloadId);
    expect(last?.state).toBe('cancelled');
    expect(await core.invoke('models.list', {})).toEqual([]);
    // ipull's data requests carry a Range (its first plain GET only reads the size): none went to the model.
    expect(server.seen.some((r) => r.path.endsWith(`/${PROJECTOR}`) && r.range !== null)).toBe(true);
    expect(server.seen.some((r) => r.path.endsWith(`/${MODEL}`) && r.range !== null)).toBe(false);
  });

  it('with the endpoint unreachable both fail at once, each saying why', async () => {
    const closed = await startFileServer({});
    await closed.close();
    process.env.HF_ENDPOINT = `${closed.base}/`;
    try {
      const { last } = await download({ uri: `hf:${REPO}/${MODEL}`, dir: tempDir('lamplight-hf-') });
      expect(last.state).toBe('error');
      expect(last.error).toContain(`hf:${REPO}/${MODEL}`);
      expect(last.error).toMatch(/failed: could not reach 127\.0\.0\.1:\d+ \(ECONNREFUSED\)$/);
      expect(last.projector?.state).toBe('failed');
      expect(last.projector?.note).toMatch(/^projector not fetched: could not reach http:\/\/127\.0\.0\.1:\d+\/api\/models\/.* \(ECONNREFUSED\)/);
    } finally {
      process.env.HF_ENDPOINT = `${server.base}/`;
    }
  });
});

