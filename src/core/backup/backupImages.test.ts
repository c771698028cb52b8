// Backups hold every image a user stored (by content hash, streamed, in the manifest), and a restore into a
// fresh data folder gives them all back: the run's image, the image dataset (which still exports), the test
// set's image column; the collector keeps what the restored database refers to. An image whose bytes do not
// hash to its name is refused by the name it was stored under, with the workspace unchanged.
import { createReadStream, existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackupManifest, BackupProgress } from '../../shared/backup.schema';
import { FileSecretStore } from '../secrets/secretStore';
import { closeAfterEach } from '../testing/closeAfterEach';
import { failureOf, openTestCore, tempDir } from '../testing/testCore';
import { restoreNow } from './backup.service';
import { createBackup } from './backupCreate';
import { applyRestore } from './restoreApply';
import { stageRestore, partPath } from './restoreStage';
import { endOfArchive, padding, readTar, tarHeader } from './tar';
import { imageRows, makeImageWorkspace, sha256, type ImageWorkspace } from './testing/imageWorkspace';
import { treeDigest } from './testing/workspace';

const open = closeAfterEach();
const restore = (dataDir: string, archive: string) => restoreNow({ dataDir, secrets: new FileSecretStore(dataDir), appVersion: '0.0.0-test', archive });

async function entries(file: string): Promise<{ name: string; data: Buffer }[]> {
  const raw = createReadStream(file);
  const src = readFileSync(file).subarray(0, 2).equals(Buffer.from([0x1f, 0x8b])) ? raw.pipe(createGunzip()) : raw;
  const out: { name: string; data: Buffer }[] = [];
  for await (const e of readTar(src)) {
    const chunks: Buffer[] = [];
    for await (const c of e.body) chunks.push(c);
    out.push({ name: e.name, data: Buffer.concat(chunks) });
  }
  return out;
}

const manifestOf = (es: { name: string; data: Buffer }[]): BackupManifest => JSON.parse(es.find((e) => e.name === 'manifest.json')!.data.toString()) as BackupManifest;

/** The archive again with its entries changed by `edit` (a plain tar). */
async function repack(from: string, to: string, edit: (es: { name: string; data: Buffer }[], m: BackupManifest) => void): Promise<void> {
  const es = (await entries(from)).filter((e) => e.name !== 'manifest.json');
  const m = manifestOf(await entries(from));
  edit(es, m);
  const bufs = [...es, { name: 'manifest.json', data: Buffer.from(JSON.stringify(m)) }].flatMap((e) => [tarHeader({ name: e.name, size: e.data.length, mtimeMs: 0 }), e.data, padding(e.data.length)]);
  writeFileSync(to, Buffer.concat([...bufs, endOfArchive()]));
}

let ws: ImageWorkspace;
let archive: string;
const seen: BackupProgress[] = [];

beforeAll(async () => {
  ws = await makeImageWorkspace();
  // A downscaled form in the prepared cache: a cache, which the backup leaves out.
  await ws.core.images.prepare(ws.testSetImages[0]!, 784);
  archive = join(tempDir('lamplight-bkimg-out-'), 'ws.tar.gz');
  const off = ws.core.on('backup.progress', (p) => seen.push(p));
  await ws.core.invoke('backup.create', { path: archive, gzip: true });
  off();
  await ws.core.close();
}, 240_000);

afterAll(async () => {
  await ws?.core.close();
});

describe('backups with images', () => {
  it('hold every stored image by its content hash, and only those (no prepared cache, no temp files)', async () => {
    expect(ws.rows.length).toBe(7); // the run's, three dataset images, two test set images, the loose one
    expect(readdirSync(join(ws.dataDir, 'images', 'prepared')).length).toBeGreaterThan(0);
    const es = await entries(archive);
    const m = manifestOf(es);
    const images = m.parts.filter((p) => p.path?.startsWith('images/'));
    expect(images.map((p) => p.path).sort()).toEqual(ws.rows.map((r) => `images/${r.hash.slice(0, 2)}/${r.hash}.${r.mime === 'image/jpeg' ? 'jpg' : r.mime.slice(6)}`).sort());
    for (const p of images) {
      expect(p.source).toBe('images.hash');
      expect(p.path).toContain(p.sha256);
      expect(sha256(es.find((e) => e.name === p.name)!.data)).toBe(p.sha256);
    }
    expect(m.external).toEqual([expect.objectContaining({ source: 'models.path' })]);
    // Progress counted the images: the total is every part's bytes, and it ended there.
    const total = m.parts.reduce((n, p) => n + p.size, 0);
    expect(seen.at(-1)).toMatchObject({ phase: 'done', bytesDone: total, bytesTotal: total });
    expect(seen.filter((p) => p.phase === 'files').every((p) => p.bytesTotal === total)).toBe(true);
  });

  it('restore into a fresh data folder: every image readable with its hash, the run, the test set and the dataset export work, and the collector keeps what they refer to', async () => {
    const target = join(tempDir('lamplight-bkimg-to-'), 'data');
    await restore(target, archive);
    const c = open.core(openTestCore({ dataDir: target }));
    expect(imageRows(c)).toEqual(ws.rows);
    for (const r of ws.rows) {
      const file = c.images.filePath(r.hash);
      expect(sha256(readFileSync(file))).toBe(r.hash);
      expect(await sharp(file).metadata()).toMatchObject({ width: r.width, height: r.height });
    }
    expect(existsSync(join(target, 'images', 'prepared'))).toBe(false);
    const r0 = ws.rows[0]!.hash;
    for (const d of ['images', `images/${r0.slice(0, 2)}`]) expect(statSync(join(target, d)).mode & 0o777).toBe(0o700);

    const run = c.runs.get(ws.runId);
    expect(run.images?.map((i) => i.hash)).toEqual([ws.runImage]);
    expect((await c.invoke('runs.list', {})).find((r) => r.id === ws.runId)?.imageHashes).toEqual([ws.runImage]);
    expect((await c.invoke('images.thumbnail', { hash: ws.runImage, size: 64 })).dataUrl).toMatch(/^data:image\/(png|jpeg);base64,/);
    const setRows = (await c.invoke('testsets.rows', { testSetId: ws.testSetId })).rows;
    expect(setRows.map((r) => r.variables.receipt)).toEqual(ws.testSetImages);
    for (const h of ws.testSetImages) expect((await c.images.prepare(h, 784)).data.length).toBeGreaterThan(0);

    const out = join(tempDir('lamplight-bkimg-export-'), 'invoices.json');
    const ex = await c.invoke('datasets.export', { datasetId: ws.datasetId, format: 'llamafactory-vision', path: out });
    expect(ex).toMatchObject({ rows: 1, images: 1 });
    const [row] = JSON.parse(readFileSync(out, 'utf8')) as { images: string[] }[];
    const copied = readFileSync(join(out, '..', row!.images[0]!));
    expect(ws.rows.map((r) => r.hash)).toContain(sha256(copied));

    // Restored rows keep their old added time, so only references protect them: all but the loose one stay.
    expect(await c.images.gc({ graceMs: -1 })).toMatchObject({ removed: 1 });
    expect(imageRows(c).map((r) => r.hash)).toEqual(ws.rows.map((r) => r.hash).filter((h) => h !== ws.loose));
    for (const r of imageRows(c)) expect(existsSync(c.images.filePath(r.hash))).toBe(true);
  }, 120_000);

  it('refuses an image whose bytes do not hash to its name, by the name it was stored under, even with the manifest rewritten to match', async () => {
    const before = treeDigest(ws.dataDir);
    const dir = tempDir('lamplight-bkimg-bad-');
    const victim = ws.rows.find((r) => r.name === 'img-02.jpg')!;
    const other = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } }).jpeg().toBuffer();
    // Other bytes under the image's name, the manifest's size and sha256 made to agree with them.
    await repack(archive, join(dir, 'swapped.tar'), (es, m) => {
      const p = m.parts.find((x) => x.path?.includes(victim.hash))!;
      es.find((e) => e.name === p.name)!.data = other;
      Object.assign(p, { size: other.length, sha256: sha256(other) });
    });
    const f = await failureOf(restore(ws.dataDir, join(dir, 'swapped.tar')));
    expect(f.message).toContain(`1 stored image failed the content-hash check (altered or damaged since stored): "img-02.jpg" (images/${victim.hash.slice(0, 2)}/${victim.hash}.jpg): its bytes hash to ${sha256(other).slice(0, 12)}…, not to the hash it is named by; nothing was changed`);
    // One bit flipped, the manifest left as it was.
    await repack(archive, join(dir, 'flipped.tar'), (es, m) => {
      const e = es.find((x) => x.name === m.parts.find((p) => p.path?.includes(victim.hash))!.name)!;
      e.data[e.data.length >> 1] = (e.data[e.data.length >> 1] as number) ^ 1;
    });
    expect((await failureOf(restore(ws.dataDir, join(dir, 'flipped.tar')))).message).toMatch(/"img-02\.jpg" \(images\/.*\.jpg\): its bytes hash to [0-9a-f]{12}…, not to the hash it is named by; nothing was changed/);
    // A file slipped into the store's folder under a name that is not a stored image's.
    await repack(archive, join(dir, 'cache.tar'), (es, m) => {
      const p = m.parts.find((x) => x.path?.startsWith('images/'))!;
      p.path = `images/prepared/${victim.hash}-784.jpg`;
    });
    expect((await failureOf(restore(ws.dataDir, join(dir, 'cache.tar')))).message).toMatch(/\(images\/prepared\/[0-9a-f]{64}-784\.jpg\): it is in the image folder but not named as a stored image/);
    expect(treeDigest(ws.dataDir)).toEqual(before);
  });

  it('over a workspace with images: its image folder is kept aside whole; a restore that fails midway puts it back', async () => {
    const cur = await makeImageWorkspace({ withRun: false });
    await cur.core.close();
    const before = treeDigest(cur.dataDir);
    // Fails while placing: a staged image part is gone after verification.
    const staging = join(cur.dataDir, '.restore-staging-test');
    const staged = await stageRestore({ archive, stagingDir: staging, secrets: new FileSecretStore(cur.dataDir), appVersion: '0.0.0-test', knownSchema: 9999 });
    const last = staged.manifest.parts.filter((p) => p.path?.startsWith('images/')).at(-1)!;
    rmSync(partPath(staging, last.name));
    expect(() => applyRestore({ dataDir: cur.dataDir, stagingDir: staging, manifest: staged.manifest, summary: staged.summary, secrets: new FileSecretStore(cur.dataDir), adoptKey: null, by: 'test' })).toThrow(/ENOENT/);
    rmSync(staging, { recursive: true });
    expect(treeDigest(cur.dataDir)).toEqual(before);

    const r = await restore(cur.dataDir, archive);
    const aside = treeDigest(r.asideDir!);
    for (const [p, h] of Object.entries(before)) if (p.startsWith('images/')) expect(aside[p]).toBe(h);
    const c = open.core(openTestCore({ dataDir: cur.dataDir }));
    // Only the backup's images are in the store now (the current ones would be orphans: no row lists them).
    const files = readdirSync(join(cur.dataDir, 'images'), { recursive: true, withFileTypes: true }).filter((d) => d.isFile());
    expect(files.map((d) => d.name.split('.')[0]).sort()).toEqual(ws.rows.map((x) => x.hash));
    expect(imageRows(c)).toEqual(ws.rows);
  }, 60_000);

  it('lists an image whose file was already gone as missing (the rest is backed up); restored, it is reported missing by name', async () => {
    const cur = await makeImageWorkspace({ withRun: false });
    const c = open.core(cur.core);
    const gone = c.images.filePath(cur.loose);
    rmSync(gone);
    const out = join(tempDir('lamplight-bkimg-gone-'), 'ws.tar');
    await c.invoke('backup.create', { path: out });
    const m = manifestOf(await entries(out));
    expect(m.external).toEqual([{ path: gone, source: 'images.hash', exists: false }]);
    expect(m.parts.filter((p) => p.path?.startsWith('images/'))).toHaveLength(cur.rows.length - 1);
    const target = join(tempDir('lamplight-bkimg-to-'), 'data');
    expect(await restore(target, out)).toMatchObject({ external: 1 });
    const r = open.core(openTestCore({ dataDir: target }));
    await expect(r.invoke('images.thumbnail', { hash: cur.loose, size: 64 })).rejects.toThrow(/image draft\.png \([0-9a-f]{64}\): its file is missing from the data folder/);
    expect((await r.invoke('images.thumbnail', { hash: cur.runImage, size: 64 })).dataUrl).toMatch(/^data:image/);
  }, 60_000);

  it('pauses the image collector while it copies, so an image the database copy lists is in the archive', async () => {
    const cur = await makeImageWorkspace({ withRun: false });
    const c = open.core(cur.core);
    let collecting: Promise<{ removed: number }> | null = null;
    const out = join(tempDir('lamplight-bkimg-hold-'), 'ws.tar');
    let t = 0;
    const seenHere: BackupProgress[] = [];
    await createBackup({
      db: c.db, dataDir: cur.dataDir, secrets: new FileSecretStore(cur.dataDir), appVersion: '0.0.0-test', backupId: '01HZZZZZZZZZZZZZZZZZZZZZZZ', path: out, gzip: false,
      signal: new AbortController().signal,
      holdImages: () => c.images.holdCollection(),
      // Every progress call is reported (the clock jumps a second each time).
      now: () => (t += 1000),
      onProgress: (p) => {
        seenHere.push(p);
        collecting ??= c.images.gc({ graceMs: -1 });
      },
    });
    expect(await collecting).toMatchObject({ removed: 0 });
    const m = manifestOf(await entries(out));
    expect(m.parts.some((p) => p.path?.includes(cur.loose))).toBe(true);
    // Each image was reported as the part being written.
    for (const r of cur.rows) expect(seenHere.some((p) => p.phase === 'files' && p.part?.includes(r.hash))).toBe(true);
    // Released afterwards: the two images nothing refers to go now (the draft, and square.png with no run).
    expect(await c.images.gc({ graceMs: -1 })).toMatchObject({ removed: 2 });
    expect(existsSync(join(cur.dataDir, 'images', cur.loose.slice(0, 2), `${cur.loose}.png`))).toBe(false);
  }, 60_000);
});
