// Preparing an image already prepared is cheap: the stored file is read and hashed once per process, then
// only stat'ed; a file changed on disk is noticed (read and hashed again, refused when its bytes no longer
// match its name). WebP originals from older stores are sent as PNG or JPEG under every budget.
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_IMAGE_PIXELS } from '../../shared/images.schema';
import type { Core } from '../createCore';
import { openTestCore } from '../testing/testCore';
import { ImageStore } from './imageStore';
import { ImagesRepo } from './images.repo';
import { sha256 } from './prepare';
import { storeWebpTheOldWay } from './testing/oldStore';
import { noise, photoLike } from './testing/sampleImages';

let core: Core;
let store: ImageStore;
/** Bytes handed to the store's hash function, by their own sha256 (what was hashed, how often). */
const hashed = new Map<string, number>();

beforeAll(() => {
  core = openTestCore();
  const hash = (b: Buffer) => {
    const h = sha256(b);
    hashed.set(h, (hashed.get(h) ?? 0) + 1);
    return h;
  };
  // A second store on the same folder and database, with the hash function counted.
  store = new ImageStore({ repo: new ImagesRepo(core.db), dir: core.images.dir, hash });
});
afterAll(async () => {
  await store?.close();
  await core?.close();
});

const timesHashed = (hash: string) => hashed.get(hash) ?? 0;

describe('a prepared image again', () => {
  it('is not read or hashed again: once per process, then a stat', async () => {
    const img = await core.images.addData('photo.png', await (await photoLike(1000, 1000)).png().toBuffer());
    const first = await store.prepare(img.hash, DEFAULT_MAX_IMAGE_PIXELS);
    expect(first).toMatchObject({ downscaled: false, sentHash: img.hash, mime: 'image/png' });
    expect(timesHashed(img.hash)).toBe(1);
    for (let i = 0; i < 20; i++) {
      const again = await store.prepare(img.hash, DEFAULT_MAX_IMAGE_PIXELS);
      expect(again.data).toBe(first.data); // the same buffer: not read from the file again
    }
    // A downscaled form: the original proven once (above), the downscale cached, nothing hashed again.
    const small = await store.prepare(img.hash, 200_000);
    expect(small.downscaled).toBe(true);
    for (let i = 0; i < 5; i++) expect((await store.prepare(img.hash, 200_000)).data).toBe(small.data);
    expect(timesHashed(img.hash)).toBe(1);
  });

  it('notices a file touched on disk (read and hashed again, still sent) and one whose bytes changed (refused)', async () => {
    const img = await core.images.addData('noise.png', await noise(300, 200).png().toBuffer());
    const file = core.images.filePath(img.hash);
    const original = readFileSync(file);
    await store.prepare(img.hash, DEFAULT_MAX_IMAGE_PIXELS);
    expect(timesHashed(img.hash)).toBe(1);

    // Same bytes, a new mtime (a copy back from a backup): proven again, then cheap again.
    const st = statSync(file);
    utimesSync(file, st.atime, new Date(st.mtimeMs + 5_000));
    expect((await store.prepare(img.hash, DEFAULT_MAX_IMAGE_PIXELS)).data.equals(original)).toBe(true);
    await store.prepare(img.hash, DEFAULT_MAX_IMAGE_PIXELS);
    expect(timesHashed(img.hash)).toBe(2);

    // Other bytes of the same size with the old mtime put back: ctime still tells, and the hash refuses it.
    const damaged = Buffer.from(original);
    damaged[damaged.length - 20] = (damaged[damaged.length - 20] ?? 0) ^ 0xff;
    const before = statSync(file);
    writeFileSync(file, damaged);
    utimesSync(file, before.atime, before.mtime);
    await expect(store.prepare(img.hash, DEFAULT_MAX_IMAGE_PIXELS)).rejects.toThrow(
      new RegExp(`image noise\\.png \\(${img.hash}\\): its file in the data folder was changed since it was stored .*Restore .*${img.hash}\\.png from a backup, or add the image again`),
    );
    // Nothing stored is lost: the row stays, and adding the image again puts the right bytes back.
    expect(store.get(img.hash).name).toBe('noise.png');
    await store.addData('noise.png', original);
    expect(readFileSync(file).equals(original)).toBe(true);
    expect((await store.prepare(img.hash, DEFAULT_MAX_IMAGE_PIXELS)).sentHash).toBe(img.hash);
  });

  it('a missing file is NOT_FOUND naming the image, also after it was prepared', async () => {
    const img = await core.images.addData('gone.png', await noise(40, 40).png().toBuffer());
    await store.prepare(img.hash, DEFAULT_MAX_IMAGE_PIXELS);
    const file = core.images.filePath(img.hash);
    const bytes = readFileSync(file);
    writeFileSync(file, ''); // replaced below; an empty file is a changed file
    await expect(store.prepare(img.hash, DEFAULT_MAX_IMAGE_PIXELS)).rejects.toThrow(/changed since it was stored/);
    writeFileSync(file, bytes);
    rmSync(file);
    await expect(store.prepare(img.hash, DEFAULT_MAX_IMAGE_PIXELS)).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/image gone\.png .*its file is missing from the data folder/) });
  });
});

describe('WebP originals from older stores', () => {
  it('are sent as PNG (lossless) or JPEG (lossy) under every budget, never as WebP', async () => {
    const lossless = await storeWebpTheOldWay(core, 'old-lossless.webp', await noise(120, 90).webp({ lossless: true }).toBuffer());
    const lossy = await storeWebpTheOldWay(core, 'old-lossy.webp', await (await photoLike(400, 300)).webp({ quality: 80 }).toBuffer());
    const alpha = await storeWebpTheOldWay(core, 'old-alpha.webp', await noise(64, 64, 4).webp({ quality: 80 }).toBuffer());
    for (const [img, mime, format] of [[lossless, 'image/png', 'png'], [lossy, 'image/jpeg', 'jpeg'], [alpha, 'image/png', 'png']] as const) {
      for (const budget of [DEFAULT_MAX_IMAGE_PIXELS, 2_000]) {
        const p = await store.prepare(img.hash, budget);
        const m = await sharp(p.data).metadata();
        expect([p.mime, m.format, m.width, m.height, p.sentHash], `${img.name} @${budget}`).toEqual([mime, format, p.width, p.height, sha256(p.data)]);
        expect(p.downscaled).toBe(budget === 2_000);
        expect(m.hasAlpha, img.name).toBe(false); // flattened onto white, as storing does now
      }
    }
    // The lossless one keeps its pixels exactly.
    const sent = await store.prepare(lossless.hash, DEFAULT_MAX_IMAGE_PIXELS);
    const stored = readFileSync(join(core.images.dir, lossless.hash.slice(0, 2), `${lossless.hash}.webp`));
    expect((await sharp(sent.data).raw().toBuffer()).equals(await sharp(stored).removeAlpha().raw().toBuffer())).toBe(true);
  });

  it('a WebP prepared form cached by older code is prepared again', async () => {
    const img = await storeWebpTheOldWay(core, 'cached.webp', await (await photoLike(400, 300)).webp().toBuffer());
    const key = `${img.hash}-50000`;
    const dir = join(core.images.dir, 'prepared');
    const webp = await (await photoLike(258, 193)).webp().toBuffer();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${key}.webp`), webp);
    writeFileSync(join(dir, `${key}.json`), JSON.stringify({ hash: img.hash, sentHash: sha256(webp), mime: 'image/webp', width: 258, height: 193, bytes: webp.length, downscaled: true, estTokens: 70 }));
    const fresh = new ImageStore({ repo: new ImagesRepo(core.db), dir: core.images.dir });
    try {
      const p = await fresh.prepare(img.hash, 50_000);
      expect([p.mime, (await sharp(p.data).metadata()).format]).toEqual(['image/jpeg', 'jpeg']);
      expect(existsSync(join(dir, `${key}.jpg`))).toBe(true);
    } finally {
      await fresh.close();
    }
  });
});
