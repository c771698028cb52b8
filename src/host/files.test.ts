// The host's file channel end to end: a real core, a real host on 127.0.0.1, uploads and downloads over
// node:http, and the commands that use them over the real WebSocket.
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Core } from '../core/createCore';
import { ensureFixtureModels } from '../core/fixtures/ensureFixtures';
import { openTestCore, tempDir } from '../core/testing/testCore';
import { jpegWithExif } from '../core/images/testing/sampleImages';
import { safeFileName } from './fileStaging';
import { startHost, type Host } from './server';

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

interface Send {
  method?: string;
  token?: string | null;
  headers?: Record<string, string>;
  /** Body chunks; a number pauses that many ms; 'cut' destroys the connection there. */
  body?: (Buffer | string | number | 'cut')[];
}

function send(port: number, path: string, o: Send = {}): Promise<Reply & { error?: string }> {
  const token = o.token === undefined ? host.token : o.token;
  const headers: Record<string, string> = { Host: `127.0.0.1:${port}`, ...(token ? { Cookie: `lamplight_token=${token}` } : {}), ...o.headers };
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, method: o.method ?? 'GET', headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
      res.on('error', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
    });
    req.on('error', (e) => resolve({ status: 0, headers: {}, body: Buffer.alloc(0), error: e.message }));
    req.setTimeout(10_000, () => req.destroy(new Error(`${path} timed out`)));
    void (async () => {
      for (const part of o.body ?? []) {
        if (part === 'cut') return void req.destroy();
        if (typeof part === 'number') await new Promise((r) => setTimeout(r, part));
        else if (!req.destroyed) req.write(part);
      }
      req.end();
    })();
  });
}

const upload = (purpose: string, name: string, data: Buffer | string, o: Send = {}) =>
  send(host.port, `/files/upload?purpose=${purpose}&name=${encodeURIComponent(name)}`, { method: 'PUT', headers: { 'Content-Length': String(Buffer.byteLength(data)) }, body: [data], ...o });

const bodyJson = <T>(r: Reply) => JSON.parse(r.body.toString('utf8')) as T;
const staged = (dir = core.dataDir) => readdirSync(join(dir, 'uploads'));

async function until(what: string, ok: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let nextId = 1;
function call<T>(ws: WebSocket, name: string, input: unknown): Promise<{ ok: boolean; value: T; error?: { code: string; message: string } }> {
  const id = nextId++;
  return new Promise((resolve) => {
    const on = (data: WebSocket.RawData) => {
      const f = JSON.parse(String(data)) as { id?: number };
      if (f.id !== id) return;
      ws.off('message', on);
      resolve(f as never);
    };
    ws.on('message', on);
    ws.send(JSON.stringify({ id, name, input }));
  });
}

function socket(token = host.token): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws?token=${token}`);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

let core: Core;
let host: Host;
let ws: WebSocket;

beforeAll(async () => {
  const staticDir = tempDir('lamplight-static-');
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>t</title>');
  const dataDir = tempDir();
  // Left by an earlier run: start-up removes it.
  mkdirSync(join(dataDir, 'uploads', 'old'), { recursive: true });
  writeFileSync(join(dataDir, 'uploads', 'old', 'stale.csv'), 'a\n1\n');
  core = openTestCore({ dataDir });
  host = await startHost({ core, staticDir, port: 0, files: { maxBytes: { testset: 64 * 1024, dataset: 64 * 1024 }, idleMs: 400, perProfile: 2 } });
  ws = await socket();
});
afterAll(async () => {
  ws?.terminate();
  await host?.close();
  await core?.close();
});

describe('uploads', () => {
  it('start-up cleared what an earlier run left in the staging folder', () => {
    expect(staged()).toEqual([]);
  });

  it('stages a test set file (0600, sanitized name), previews and imports it, then removes it', async () => {
    const csv = 'question,answer\nWhat is 2+2?,4\nCapital of France?,Paris\n';
    const r = await upload('testset', 'rows.csv', csv);
    expect(r.status).toBe(201);
    const u = bodyJson<{ id: string; path: string; name: string; size: number }>(r);
    expect(u).toMatchObject({ name: 'rows.csv', size: Buffer.byteLength(csv) });
    expect(u.path).toBe(join(core.dataDir, 'uploads', u.id, 'rows.csv'));
    expect(statSync(u.path).mode & 0o777).toBe(0o600);

    const preview = await call<{ mapping: unknown }>(ws, 'testsets.preview', { path: u.path });
    expect(preview.ok).toBe(true);
    const imported = await call<{ imported: number }>(ws, 'testsets.import', { path: u.path, name: 'uploaded', mapping: preview.value.mapping });
    expect(imported.value.imported).toBe(2);
    expect(existsSync(u.path)).toBe(false);
    expect(staged()).toEqual([]);
  });

  it('moves an uploaded model into the data folder, where models.add registers it', async () => {
    const { tinyQ8_0 } = await ensureFixtureModels(undefined, ['tinyQ8_0']);
    const bytes = readFileSync(tinyQ8_0);
    const r = await upload('model', 'tiny.gguf', bytes);
    expect(r.status).toBe(201);
    const u = bodyJson<{ path: string }>(r);
    const added = await call<{ path: string; fileName: string }>(ws, 'models.add', { path: u.path });
    expect(added.ok).toBe(true);
    expect(added.value.path).toBe(join(core.dataDir, 'models', 'tiny.gguf'));
    expect(readFileSync(added.value.path).equals(bytes)).toBe(true);
    expect(staged()).toEqual([]);
  });

  it('refuses a staging-folder path that is no finished upload, however it is spelled', async () => {
    const u = bodyJson<{ id: string; path: string }>(await upload('model', 'tiny.gguf', 'GGUF'));
    const viaOdd = await call(ws, 'models.add', { path: `${core.dataDir}/uploads/${u.id}/../${u.id}/tiny.gguf` });
    expect(viaOdd.error?.code).toBe('MODEL_INVALID'); // the same upload, recognized and adopted (then refused: not GGUF)
    const gone = await call(ws, 'models.add', { path: u.path });
    expect(gone.error).toEqual({ code: 'NOT_FOUND', message: `${u.path}: no finished upload by that path (uploads unused for a while are removed); upload the file again` });
    const part = await call(ws, 'testsets.preview', { path: join(core.dataDir, 'uploads', 'nope', 'x.csv') });
    expect(part.error?.code).toBe('NOT_FOUND');
    expect((await core.invoke('models.list', {})).some((m) => m.path.includes(`${join(core.dataDir, 'uploads')}`))).toBe(false);
  });

  it('a model that is not GGUF is refused with the reason and its file removed', async () => {
    const u = bodyJson<{ path: string }>(await upload('model', 'fake.gguf', 'not a model at all'));
    const added = await call(ws, 'models.add', { path: u.path });
    expect(added.ok).toBe(false);
    expect(added.error?.code).toBe('MODEL_INVALID');
    expect(existsSync(join(core.dataDir, 'models', 'fake.gguf'))).toBe(false);
  });

  it('stores an uploaded image by content hash without its EXIF; a PDF named .png is refused; neither upload is kept', async () => {
    const jpg = await jpegWithExif(320, 240);
    const r = await upload('image', 'holiday.jpg', jpg);
    expect(r.status).toBe(201);
    const u = bodyJson<{ path: string }>(r);
    const added = await call<{ hash: string; name: string; mime: string; width: number }>(ws, 'images.add', { path: u.path });
    expect(added.value).toMatchObject({ name: 'holiday.jpg', mime: 'image/jpeg', width: 320 });
    const stored = readFileSync(core.images.filePath(added.value.hash));
    expect(stored.includes('Jane Doe')).toBe(false);
    expect(existsSync(u.path)).toBe(false);
    expect(staged()).toEqual([]);

    const pdf = bodyJson<{ path: string }>(await upload('image', 'scan.png', '%PDF-1.7\n%\xe2\xe3\n'));
    const refused = await call(ws, 'images.add', { path: pdf.path });
    expect(refused.error?.code).toBe('BAD_INPUT');
    expect(refused.error?.message).toMatch(/^scan\.png: this is a PDF, not an image/);
    expect(core.db.prepare('SELECT count(*) AS n FROM images').get()).toEqual({ n: 1 });
    expect(staged()).toEqual([]); // a refused image upload is removed too: its content is the problem
  });

  it('keeps only a safe last component of the client name', async () => {
    const r = await upload('testset', '../../../etc/pass\u0000wd.csv', 'a\n1\n');
    const u = bodyJson<{ id: string; path: string; name: string }>(r);
    expect(u.name).toBe('pass_wd.csv');
    expect(u.path).toBe(join(core.dataDir, 'uploads', u.id, 'pass_wd.csv'));
    expect(safeFileName('..')).toBe('upload');
    expect(safeFileName('C:\\Users\\x\\data.jsonl')).toBe('data.jsonl');
    expect(safeFileName(`${'a'.repeat(300)}.gguf`)).toMatch(/^a{115}\.gguf$/);
  });

  it('needs the token (401) and, for models, a profile that may manage models (403)', async () => {
    const before = staged().length;
    expect((await upload('model', 'x.gguf', 'x', { token: null })).status).toBe(401);
    expect((await upload('model', 'x.gguf', 'x', { token: 'wrong-token' })).status).toBe(401);
    const p = await core.invoke('profiles.create', { name: 'Lee', role: 'labeler' });
    const { token } = await core.invoke('profiles.issueToken', { profileId: p.id });
    const r = await upload('model', 'x.gguf', 'x', { token });
    expect(r.status).toBe(403);
    expect(bodyJson<{ error: { message: string } }>(r).error.message).toMatch(/Lee \(Labeler\) may not manage models/);
    expect(staged().length).toBe(before);
  });

  it('refuses a foreign Origin and an unknown purpose', async () => {
    expect((await upload('testset', 'a.csv', 'a\n', { headers: { Origin: 'http://evil.example', 'Content-Length': '2' } })).status).toBe(403);
    expect((await upload('script', 'a.csv', 'a\n')).status).toBe(400);
  });

  it('refuses an oversize upload with 413, from Content-Length or from the streamed bytes, keeping nothing', async () => {
    const before = staged().length;
    const declared = await send(host.port, '/files/upload?purpose=testset&name=big.csv', { method: 'PUT', headers: { 'Content-Length': String(10 * 1024 ** 3) }, body: ['a'] });
    expect(declared.status).toBe(413);
    expect(bodyJson<{ error: { message: string } }>(declared).error.message).toContain('at most 65536 bytes');
    const chunk = Buffer.alloc(16 * 1024, 0x61);
    const streamed = await send(host.port, '/files/upload?purpose=testset&name=big.csv', { method: 'PUT', headers: { 'Transfer-Encoding': 'chunked' }, body: [chunk, chunk, chunk, chunk, chunk, chunk] });
    expect(streamed.status).toBe(413);
    await until('the part to be removed', () => staged().length === before);
  });

  it('removes the part when the client disconnects mid-upload, and when it stalls (408)', async () => {
    const before = staged().length;
    const cut = await send(host.port, '/files/upload?purpose=dataset&name=cut.jsonl', { method: 'PUT', headers: { 'Content-Length': '1000' }, body: ['{"a":1}\n', 50, 'cut'] });
    expect(cut.status).toBe(0);
    await until('the cut part to be removed', () => staged().length === before);
    const slow = await send(host.port, '/files/upload?purpose=dataset&name=slow.jsonl', { method: 'PUT', headers: { 'Content-Length': '1000' }, body: ['{"a":1}\n', 3_000] });
    expect(slow.status).toBe(408);
    await until('the stalled part to be removed', () => staged().length === before);
  });

  it('bounds uploads in flight per profile (429)', async () => {
    const slow = () => send(host.port, '/files/upload?purpose=dataset&name=s.jsonl', { method: 'PUT', headers: { 'Content-Length': '100' }, body: ['{"a":1}\n', 300, '{"a":1}\n', 'cut'] });
    const a = slow();
    const b = slow();
    await until('two uploads in flight', () => staged().length >= 2);
    const third = await upload('dataset', 'c.jsonl', '{"a":1}\n');
    expect(third.status).toBe(429);
    await Promise.all([a, b]);
    expect((await upload('dataset', 'd.jsonl', '{"a":1}\n')).status).toBe(201);
  });
});

describe('downloads', () => {
  it('stages an export, sends it once as an attachment to the same profile, then forgets it', async () => {
    const staging = await send(host.port, '/files/download?purpose=audit&name=audit%20log.jsonl', { method: 'POST' });
    expect(staging.status).toBe(201);
    const d = bodyJson<{ id: string; path: string }>(staging);
    expect(d.path).toBe(join(core.dataDir, 'downloads', d.id, 'audit log.jsonl'));
    const exported = await call<{ path: string; count: number }>(ws, 'audit.export', { path: d.path });
    expect(exported.ok).toBe(true);
    const onDisk = readFileSync(d.path);

    const url = `/files/download/${d.id}/${encodeURIComponent('audit log.jsonl')}`;
    expect((await send(host.port, url, { token: null })).status).toBe(401);
    const p = await core.invoke('profiles.create', { name: 'Ana', role: 'admin' });
    const other = (await core.invoke('profiles.issueToken', { profileId: p.id })).token;
    expect((await send(host.port, url, { token: other })).status).toBe(404);
    expect((await send(host.port, `/files/download/${d.id}/..%2Flamplight.db`)).status).toBe(404);

    const got = await send(host.port, url);
    expect(got.status).toBe(200);
    expect(got.headers['content-disposition']).toBe(`attachment; filename="audit log.jsonl"; filename*=UTF-8''audit%20log.jsonl`);
    expect(got.body.equals(onDisk)).toBe(true);
    expect(got.body.toString('utf8').split('\n').filter(Boolean).length).toBe(exported.value.count);
    await until('the sent file to be removed', () => !existsSync(join(core.dataDir, 'downloads', d.id)));
    expect((await send(host.port, url)).status).toBe(404);
  });

  it('archives a training package folder as one .tar download', async () => {
    const src = join(core.dataDir, 'chats.jsonl');
    writeFileSync(src, ['hi', 'bye'].map((q) => JSON.stringify({ messages: [{ role: 'user', content: q }, { role: 'assistant', content: `${q}!` }] })).join('\n'));
    const { dataset } = await core.invoke('datasets.import', { path: src, name: 'chats' });
    for (const r of (await core.invoke('datasets.rows', { datasetId: dataset.id, limit: 10 })).rows) {
      await core.invoke('datasets.label', { datasetId: dataset.id, rowId: r.id, labelerId: core.profiles.ownerId, patch: { status: 'accepted' } });
    }
    const model = (await core.invoke('models.list', {}))[0];
    const t = await core.invoke('training.package', { datasetId: dataset.id, baseModelId: model?.id ?? '', trainBaseModel: 'org/base', split: 'all', outDir: join(core.dataDir, 'run-1') });

    expect((await send(host.port, '/files/download?purpose=training&trainingId=01HZZZZZZZZZZZZZZZZZZZZZZZ', { method: 'POST' })).status).toBe(404);
    const staged = await send(host.port, `/files/download?purpose=training&trainingId=${t.id}`, { method: 'POST' });
    expect(staged.status).toBe(201);
    const d = bodyJson<{ id: string; path: string; files: number }>(staged);
    expect(d.files).toBe(t.files.length);
    const got = await send(host.port, `/files/download/${d.id}/run-1.tar`);
    expect(got.status).toBe(200);
    expect(got.headers['content-disposition']).toContain('filename="run-1.tar"');
    const tar = join(tempDir(), 'run-1.tar');
    writeFileSync(tar, got.body);
    const listed = execFileSync('tar', ['-tf', tar], { encoding: 'utf8' });
    for (const f of t.files) expect(listed).toContain(`run-1/${f}`);
  });

  it('a labeler may not stage an export', async () => {
    const p = await core.invoke('profiles.create', { name: 'Kim', role: 'labeler' });
    const { token } = await core.invoke('profiles.issueToken', { profileId: p.id });
    expect((await send(host.port, '/files/download?purpose=dataset&name=x.jsonl', { method: 'POST', token })).status).toBe(403);
  });
});

describe('expiry', () => {
  it('removes an upload no command used within the TTL', async () => {
    const dataDir = tempDir();
    const c2 = openTestCore({ dataDir });
    const h2 = await startHost({ core: c2, staticDir: tempDir(), port: 0, files: { ttlMs: 200 } });
    try {
      const r = await send(h2.port, '/files/upload?purpose=testset&name=t.csv', { method: 'PUT', token: h2.token, headers: { Host: `127.0.0.1:${h2.port}`, 'Content-Length': '4' }, body: ['a\n1\n'] });
      expect(r.status).toBe(201);
      expect(staged(dataDir).length).toBe(1);
      await until('the unused upload to expire', () => staged(dataDir).length === 0);
    } finally {
      await h2.close();
      await c2.close();
    }
  });

  it('empties the staging folders when the host closes', async () => {
    const dataDir = tempDir();
    const c2 = openTestCore({ dataDir });
    const h2 = await startHost({ core: c2, staticDir: tempDir(), port: 0 });
    try {
      const r = await send(h2.port, '/files/upload?purpose=testset&name=t.csv', { method: 'PUT', token: h2.token, headers: { Host: `127.0.0.1:${h2.port}`, 'Content-Length': '4' }, body: ['a\n1\n'] });
      expect(r.status).toBe(201);
      expect(staged(dataDir)).toHaveLength(1);
    } finally {
      await h2.close();
      await c2.close();
    }
    expect(existsSync(join(dataDir, 'uploads'))).toBe(false);
  });
});
