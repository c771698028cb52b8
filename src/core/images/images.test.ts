// The image store with a real core (real SQLite, real sharp): what is stored (no metadata, pixels kept,
// upright, GIF's first frame), what is sent (downscaled under the budget, cached), dedup and gc.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_IMAGE_PIXELS } from '../../shared/images.schema';
import type { Core } from '../createCore';
import { failureOf, openTestCore } from '../testing/testCore';
import { estimateTokens, fitInside, sha256 } from './prepare';
import { jpegWithExif, noise, SECRET_EXIF, SECRET_STRINGS, XMP } from './testing/sampleImages';

let core: Core;
beforeAll(() => {
  core = openTestCore();
});
afterAll(async () => {
  await core?.close();
});

const rows = () => (core.db.prepare('SELECT count(*) AS n FROM images').get() as { n: number }).n;
/** Stored image files (not the prepared cache). */
const files = () => readdirSync(core.images.dir, { recursive: true, encoding: 'utf8' }).filter((f) => /^[0-9a-f]{2}[\\/][0-9a-f]{64}\./.test(f));

async function expectNoMetadata(bytes: Buffer): Promise<void> {
  const m = await sharp(bytes).metadata();
  expect(m.exif).toBeUndefined();
  expect(m.xmp).toBeUndefined();
  expect(m.iptc).toBeUndefined();
  expect(m.icc).toBeUndefined();
  expect(m.orientation).toBeUndefined();
  // Strings of 6+ bytes: shorter ones could occur by chance in compressed pixel data.
  for (const s of [...SECRET_STRINGS, 'Exif\0\0', 'xmpmeta']) expect(bytes.includes(s), s).toBe(false);
}

describe('storing', () => {
  it('removes EXIF (GPS, camera, owner), XMP and ICC from the stored and the sent bytes', async () => {
    const original = await jpegWithExif(1600, 1200);
    const m = await sharp(original).metadata();
    expect(m.exif?.includes('SN-0423817')).toBe(true); // the test image really carries them
    expect(original.includes('Jane Doe')).toBe(true);
    expect([m.xmp === undefined, m.icc === undefined]).toEqual([false, false]);

    const img = await core.images.addData('holiday.jpg', original);
    expect(img).toMatchObject({ name: 'holiday.jpg', mime: 'image/jpeg', width: 1600, height: 1200 });
    const stored = await readFile(core.images.filePath(img.hash));
    expect(sha256(stored)).toBe(img.hash);
    expect(img.bytes).toBe(stored.length);
    await expectNoMetadata(stored);
    expect(statSync(core.images.filePath(img.hash)).mode & 0o777).toBe(0o600);
    expect(core.images.filePath(img.hash)).toBe(join(core.images.dir, img.hash.slice(0, 2), `${img.hash}.jpg`));

    const sent = await core.images.prepare(img.hash, 400_000);
    expect(sent.downscaled).toBe(true);
    await expectNoMetadata(sent.data);
    const unscaled = await core.images.prepare(img.hash, 2_000_000);
    expect(unscaled.downscaled).toBe(false);
    await expectNoMetadata(unscaled.data);
  });

  it('removes EXIF and XMP from PNG and WebP too', async () => {
    for (const [name, enc] of [['meta.png', (x: sharp.Sharp) => x.png()], ['meta.webp', (x: sharp.Sharp) => x.webp()]] as const) {
      const original = await enc(noise(64, 48)).withExif(SECRET_EXIF).withXmp(XMP).toBuffer();
      expect((await sharp(original).metadata()).exif, name).toBeDefined();
      const img = await core.images.addData(name, original);
      await expectNoMetadata(await readFile(core.images.filePath(img.hash)));
    }
  });

  it('converts a Display P3 image to sRGB before dropping its profile, so colours stay right', async () => {
    // sRGB (200, 100, 50) written as P3 numbers (about 187, 105, 62) with the P3 profile attached.
    const raw = Buffer.alloc(16 * 16 * 3);
    for (let i = 0; i < 256; i++) raw.set([200, 100, 50], i * 3);
    const p3 = await sharp(raw, { raw: { width: 16, height: 16, channels: 3 } }).withIccProfile('p3').png().toBuffer();
    const asWritten = [...(await sharp(p3, { ignoreIcc: true }).raw().toBuffer()).subarray(0, 3)];
    expect(Math.abs((asWritten[0] ?? 0) - 200)).toBeGreaterThan(6); // stripping the profile alone would shift colours
    const img = await core.images.addData('p3.png', p3);
    const stored = await readFile(core.images.filePath(img.hash));
    expect((await sharp(stored).metadata()).icc).toBeUndefined();
    const px = [...(await sharp(stored).raw().toBuffer()).subarray(0, 3)];
    px.forEach((v, i) => expect(Math.abs(v - ([200, 100, 50][i] ?? 0))).toBeLessThanOrEqual(2));
  });

  it('keeps a PNG’s pixels exactly when it is not downscaled', async () => {
    // RGB: transparency is flattened onto white when stored (realWorld.test.ts says why).
    const png = await noise(97, 61, 3).png().toBuffer();
    const img = await core.images.addData('noise.png', png);
    expect(img).toMatchObject({ mime: 'image/png', width: 97, height: 61 });
    const raw = (b: Buffer) => sharp(b).raw().toBuffer();
    const sent = await core.images.prepare(img.hash, DEFAULT_MAX_IMAGE_PIXELS);
    expect(sent).toMatchObject({ downscaled: false, sentHash: img.hash, width: 97, height: 61, estTokens: 3 * 2 }); // sides rounded to 84×56
    expect((await raw(sent.data)).equals(await raw(png))).toBe(true);
  });

  it('applies the EXIF orientation: a sideways photo is stored upright', async () => {
    // 40×20, red left half, blue right; orientation 6 says "turn 90° clockwise to view": red ends on top.
    const sideways = await sharp({ create: { width: 40, height: 20, channels: 3, background: 'red' } })
      .composite([{ input: { create: { width: 20, height: 20, channels: 3, background: 'blue' } }, left: 20, top: 0 }])
      .jpeg({ quality: 95 })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const img = await core.images.addData('sideways.jpg', sideways);
    expect([img.width, img.height]).toEqual([20, 40]);
    const { data } = await sharp(core.images.filePath(img.hash)).raw().toBuffer({ resolveWithObject: true });
    const px = (x: number, y: number) => [...data.subarray((y * 20 + x) * 3, (y * 20 + x) * 3 + 3)];
    expect(px(10, 5)[0]).toBeGreaterThan(200); // top: red
    expect(px(10, 5)[2]).toBeLessThan(60);
    expect(px(10, 35)[2]).toBeGreaterThan(200); // bottom: blue
    expect(px(10, 35)[0]).toBeLessThan(60);
  });

  it('stores a GIF’s first frame as PNG', async () => {
    const w = 16;
    const frames = Buffer.alloc(w * w * 2 * 3);
    for (let i = 0; i < w * w; i++) frames[i * 3] = 255; // frame 1 red
    for (let i = w * w; i < 2 * w * w; i++) frames[i * 3 + 2] = 255; // frame 2 blue
    const gif = await sharp(frames, { raw: { width: w, height: w * 2, channels: 3, pageHeight: w } }).gif().toBuffer();
    expect((await sharp(gif).metadata()).pages).toBe(2);
    const img = await core.images.addData('anim.gif', gif);
    expect(img).toMatchObject({ mime: 'image/png', width: w, height: w });
    const stored = await sharp(core.images.filePath(img.hash)).raw().toBuffer();
    expect([stored[0], stored[2]]).toEqual([255, 0]);
    expect(core.images.filePath(img.hash).endsWith('.png')).toBe(true);
  });

  it('stores the same image once, however often and under whatever name it is added', async () => {
    const png = await noise(30, 30).png().toBuffer();
    const before = { rows: rows(), files: files().length };
    const a = await core.images.addData('a.png', png);
    const b = await core.images.addData('b.png', png);
    const c = await core.invoke('images.addData', { name: 'c.png', dataBase64: png.toString('base64') });
    expect(new Set([a.hash, b.hash, c.hash]).size).toBe(1);
    expect([a.name, b.name, c.name]).toEqual(['a.png', 'b.png', 'c.png']);
    expect(rows()).toBe(before.rows + 1);
    expect(files().length).toBe(before.files + 1);
    expect((await core.invoke('images.get', { hash: a.hash })).name).toBe('a.png'); // the row keeps the first name
  });

  it('answers NOT_FOUND for a hash it does not hold', async () => {
    const f = await failureOf(core.invoke('images.get', { hash: 'f'.repeat(64) }));
    expect(f).toEqual({ code: 'NOT_FOUND', message: `no stored image ${'f'.repeat(64)}` });
  });
});

describe('preparing', () => {
  it('downscales a 3000×2000 photo under the default budget, keeping the aspect, and caches it', async () => {
    const img = await core.images.addData('big.jpg', await noise(3000, 2000).jpeg().toBuffer());
    const p = await core.images.prepare(img.hash, DEFAULT_MAX_IMAGE_PIXELS);
    expect(p.downscaled).toBe(true);
    expect(p.width * p.height).toBeLessThanOrEqual(DEFAULT_MAX_IMAGE_PIXELS);
    expect(p.width * p.height).toBeGreaterThan(DEFAULT_MAX_IMAGE_PIXELS * 0.99);
    expect(Math.abs(p.width / p.height - 1.5)).toBeLessThan(0.01);
    const m = await sharp(p.data).metadata();
    expect([m.format, m.width, m.height]).toEqual(['jpeg', p.width, p.height]);
    expect(p).toMatchObject({ hash: img.hash, mime: 'image/jpeg', bytes: p.data.length, sentHash: sha256(p.data), estTokens: estimateTokens(p.width, p.height) });
    expect(p.sentHash).not.toBe(img.hash);
    expect(p.prepareMs).toBeGreaterThan(0);

    // Cached: the same bytes again, from memory, and from disk for a new core on the same data folder.
    const again = await core.images.prepare(img.hash, DEFAULT_MAX_IMAGE_PIXELS);
    expect(again.sentHash).toBe(p.sentHash);
    const cached = readdirSync(join(core.images.dir, 'prepared'));
    expect(cached).toEqual(expect.arrayContaining([`${img.hash}-${DEFAULT_MAX_IMAGE_PIXELS}.jpg`, `${img.hash}-${DEFAULT_MAX_IMAGE_PIXELS}.json`]));
    const other = openTestCore({ dataDir: core.dataDir });
    try {
      const fromDisk = await other.images.prepare(img.hash, DEFAULT_MAX_IMAGE_PIXELS);
      expect(fromDisk.sentHash).toBe(p.sentHash);
      expect(fromDisk.data.equals(p.data)).toBe(true);
    } finally {
      await other.close();
    }

    // Several at once (Compare: one image, several targets) share one downscale.
    const together = await Promise.all([1, 2, 3].map(() => core.images.prepare(img.hash, 500_000)));
    expect(together[1]?.data).toBe(together[0]?.data);
    expect(together[2]?.data).toBe(together[0]?.data);

    const preview = await core.invoke('images.preview', { hash: img.hash, maxPixels: 50_000 });
    expect(preview.width * preview.height).toBeLessThanOrEqual(50_000);
    expect(preview.dataUrl.startsWith('data:image/jpeg;base64,')).toBe(true);
    const thumb = await core.invoke('images.thumbnail', { hash: img.hash, size: 64 });
    const t = await sharp(Buffer.from(thumb.dataUrl.split(',')[1] ?? '', 'base64')).metadata();
    expect([t.width, t.height]).toEqual([64, 43]);
  });

  it('fits inside the budget with no side under 28 px unless the original is smaller', () => {
    expect(fitInside(800, 600, DEFAULT_MAX_IMAGE_PIXELS)).toEqual({ width: 800, height: 600 });
    expect(fitInside(60_000, 30, DEFAULT_MAX_IMAGE_PIXELS)).toEqual({ width: 35_840, height: 28 });
    expect(fitInside(60_000, 20, 1_000)).toEqual({ width: 50, height: 20 });
    const f = fitInside(4000, 3000, DEFAULT_MAX_IMAGE_PIXELS);
    expect(f.width * f.height).toBeLessThanOrEqual(DEFAULT_MAX_IMAGE_PIXELS);
    expect(f.width / f.height).toBeCloseTo(4 / 3, 2);
    // Qwen2-VL's rules: at least 56×56 pixels (4 tokens), sides rounded to multiples of 28.
    expect(estimateTokens(28, 28)).toBe(4);
    expect(estimateTokens(56, 84)).toBe(6);
    expect(estimateTokens(1400, 1000)).toBe(50 * 36);
  });
});

describe('garbage collection', () => {
  it('removes images no reference list mentions (file, row, prepared forms) and keeps the rest', async () => {
    const c = openTestCore();
    try {
      const keep = await c.images.addData('keep.jpg', await noise(1200, 1000).jpeg().toBuffer());
      const dropBytes = await noise(1100, 1000).jpeg().toBuffer();
      const drop = await c.images.addData('drop.jpg', dropBytes);
      await c.images.prepare(drop.hash, 100_000);
      const dropFile = c.images.filePath(drop.hash);

      c.images.registerRefs('test', () => [keep.hash]);
      expect(await c.images.gc()).toEqual({ removed: 0, bytes: 0 }); // both added just now: within the grace period

      const r = await c.images.gc({ graceMs: 0 });
      expect(r).toEqual({ removed: 1, bytes: drop.bytes });
      expect(existsSync(dropFile)).toBe(false);
      expect(readdirSync(join(c.images.dir, 'prepared')).filter((n) => n.startsWith(drop.hash))).toEqual([]);
      expect((await failureOf(c.invoke('images.get', { hash: drop.hash }))).code).toBe('NOT_FOUND');
      expect(existsSync(c.images.filePath(keep.hash))).toBe(true);

      // Added again after collection: stored again, whole.
      const back = await c.images.addData('drop.jpg', dropBytes);
      expect(back.hash).toBe(drop.hash);
      expect(existsSync(dropFile)).toBe(true);
    } finally {
      await c.close();
    }
  });

  it('a reference list that fails stops the collection before anything is removed', async () => {
    const c = openTestCore();
    try {
      const img = await c.images.addData('x.png', await noise(20, 20).png().toBuffer());
      c.images.registerRefs('broken', () => {
        throw new Error('runs table unreadable');
      });
      await expect(c.images.gc({ graceMs: 0 })).rejects.toThrow('runs table unreadable');
      expect(existsSync(c.images.filePath(img.hash))).toBe(true);
    } finally {
      await c.close();
    }
  });
});
