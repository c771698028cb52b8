// Images as people really make them (phones, scanners, Excel, screenshot tools), generated here and put
// through the real store (real SQLite, real sharp): what is stored must be upright, sRGB, 8-bit, opaque
// where a model would otherwise see black, and what is refused is refused by name with the reason.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_INPUT_IMAGE_PIXELS, type StoredImage } from '../../shared/images.schema';
import type { Core } from '../createCore';
import { failureOf, openTestCore, tempDir } from '../testing/testCore';
import { sniffImage } from './sniff';
import {
  animated,
  apng,
  badCrc,
  BLUE,
  bmp,
  close,
  displayP3Profile,
  exifWithThumbnail,
  flat,
  gifWithoutFrames,
  halves,
  insertBeforeIdat,
  insertJpegSegment,
  jpegClaiming,
  p3ToSrgb,
  pixel,
  pngChunk,
  RED,
  taggedPng,
} from './testing/realWorldImages';
import { heicHeader, noise, pngClaiming } from './testing/sampleImages';

let core: Core;
let dir: string;
beforeAll(() => {
  core = openTestCore();
  dir = tempDir('lamplight-realworld-');
});
afterAll(async () => {
  await core?.close();
});

const WHITE = [255, 255, 255];
const storedBytes = (img: StoredImage) => readFileSync(core.images.filePath(img.hash));
const add = (name: string, bytes: Buffer) => core.invoke('images.addData', { name, dataBase64: bytes.toString('base64') });
const meta = async (img: StoredImage) => sharp(storedBytes(img)).metadata();

/** Rows and stored files: what a refusal must leave as it was. */
const snapshot = () => ({
  rows: core.db.prepare('SELECT hash FROM images ORDER BY hash').all(),
  files: readdirSync(core.images.dir, { recursive: true, encoding: 'utf8' }).sort(),
});

async function refused(name: string, bytes: Buffer): Promise<string> {
  const before = snapshot();
  const f = await failureOf(add(name, bytes));
  expect(f.code, name).toBe('BAD_INPUT');
  expect(f.message.startsWith(`${name}: `), f.message).toBe(true);
  expect(snapshot()).toEqual(before);
  return f.message;
}

describe('colour: CMYK, Display P3, 16-bit', () => {
  it('CMYK JPEG, without and with an embedded ICC profile, is stored as 3-channel sRGB with its colours', async () => {
    const plain = await flat(40, 20, RED).toColourspace('cmyk').jpeg().toBuffer();
    const profiled = await flat(40, 20, RED).withIccProfile('cmyk').jpeg().toBuffer();
    expect((await sharp(plain).metadata()).space).toBe('cmyk');
    expect((await sharp(profiled).metadata()).icc).toBeDefined();
    for (const [name, bytes] of [['scan-cmyk.jpg', plain], ['print-cmyk-icc.jpg', profiled]] as const) {
      const img = await add(name, bytes);
      const m = await meta(img);
      expect([img.mime, m.space, m.channels, m.icc], name).toEqual(['image/jpeg', 'srgb', 3, undefined]);
      expect(close(await pixel(storedBytes(img), 20, 10), RED, 40), `${name}: ${String(await pixel(storedBytes(img), 20, 10))}`).toBe(true);
      expect(img.notes?.join(' '), name).toMatch(/CMYK/);
    }
  });

  it('a Display-P3 PNG is converted to sRGB (the values change), not just stripped of its tag', async () => {
    const p3: [number, number, number] = [200, 100, 50];
    const img = await add('iphone-screenshot.png', await taggedPng(p3, await displayP3Profile()));
    const got = await pixel(storedBytes(img), 4, 4);
    const want = p3ToSrgb(p3);
    expect(close(got, want, 4), `got ${String(got)}, want ${String(want)}`).toBe(true);
    expect(close(got, p3, 4)).toBe(false); // the tag was honoured, not dropped
    expect((await meta(img)).icc).toBeUndefined();
    expect(img.notes?.join(' ')).toMatch(/colours converted from its embedded profile .*to sRGB/);
    // A damaged profile (a scanner's, cut short) does not cost the image: the pixels are read as sRGB.
    const broken = await add('scanner-bad-icc.png', await taggedPng(p3, Buffer.alloc(300, 0x41)));
    expect(await pixel(storedBytes(broken), 4, 4)).toEqual(p3);
    expect(broken.notes).toEqual(['its embedded colour profile is unreadable and was ignored (colours taken as sRGB)']);
  });

  it('16-bit PNGs (colour and grey) are stored as 8-bit (what every vision encoder reads) with their colours', async () => {
    const bytes = await flat(30, 20, RED).toColourspace('rgb16').png().toBuffer();
    const grey = await flat(30, 20, [90, 90, 90]).toColourspace('grey16').png().toBuffer();
    for (const [name, b, want] of [['scanner-16bit.png', bytes, RED], ['xray-grey16.png', grey, [90]]] as const) {
      expect((await sharp(b).metadata()).depth, name).toBe('ushort');
      const img = await add(name, b);
      expect((await meta(img)).depth, name).toBe('uchar');
      expect(close(await pixel(storedBytes(img), 5, 5), want, 2), `${name}: ${String(await pixel(storedBytes(img), 5, 5))}`).toBe(true);
      expect(img.notes?.join(' '), name).toMatch(/16-bit channels reduced to 8-bit/);
    }
  });
});

describe('orientation and structure', () => {
  it('EXIF orientation 3, 6 and 8 (with an EXIF thumbnail) are turned upright; the thumbnail and EXIF are gone', async () => {
    const thumb = insertJpegSegment(await halves(16, 8).jpeg().toBuffer(), 0xfe, Buffer.from('THUMBNAIL-MARK'));
    const base = await halves(60, 30).jpeg({ quality: 95 }).toBuffer();
    // Where the red (left) half ends up: 3 = 180°, 6 = 90° clockwise (left → top), 8 = 90° anticlockwise (left → bottom).
    const cases = [
      [3, 60, 30, [55, 15]],
      [6, 30, 60, [15, 5]],
      [8, 30, 60, [15, 55]],
    ] as const;
    for (const [o, w, h, [x, y]] of cases) {
      const photo = insertJpegSegment(base, 0xe1, exifWithThumbnail(o, thumb));
      expect((await sharp(photo).metadata()).orientation, `orientation ${o}`).toBe(o);
      expect(sniffImage(photo, 'p.jpg')).toMatchObject({ width: 60, height: 30 }); // the frame, not the thumbnail
      const img = await add(`IMG_000${o}.jpg`, photo);
      expect([img.width, img.height], `orientation ${o}`).toEqual([w, h]);
      const stored = storedBytes(img);
      expect(close(await pixel(stored, x, y), RED, 40), `orientation ${o}: ${String(await pixel(stored, x, y))}`).toBe(true);
      const m = await sharp(stored).metadata();
      expect([m.orientation, m.exif]).toEqual([undefined, undefined]);
      expect(stored.includes('THUMBNAIL-MARK')).toBe(false);
    }
  });

  it('progressive JPEG, interlaced (Adam7) PNG and WebP are read; lossless WebP stays pixel-exact', async () => {
    const prog = await add('progressive.jpg', await halves(64, 32).jpeg({ progressive: true }).toBuffer());
    expect([prog.mime, prog.width, prog.height]).toEqual(['image/jpeg', 64, 32]);
    const adam7 = await halves(64, 32).png({ progressive: true }).toBuffer();
    expect(adam7[28]).toBe(1); // IHDR interlace method: Adam7
    const inter = await add('interlaced.png', adam7);
    expect(await pixel(storedBytes(inter), 60, 10)).toEqual(BLUE);
    const lossless = await noise(33, 17).webp({ lossless: true }).toBuffer();
    const ll = await add('lossless.webp', lossless);
    expect(ll.mime).toBe('image/png'); // llama-server cannot read WebP: lossless WebP is stored as PNG
    expect((await add('lossy.webp', await halves(32, 16).webp().toBuffer())).mime).toBe('image/jpeg');
    expect(await sharp(storedBytes(ll)).raw().toBuffer()).toEqual(await sharp(lossless).raw().toBuffer());
  });

  it('animated GIF and animated WebP: the first frame is stored and the user is told', async () => {
    for (const format of ['gif', 'webp'] as const) {
      const bytes = await animated(format, [RED, [20, 200, 20], BLUE], 20, 10);
      expect((await sharp(bytes).metadata()).pages).toBe(3);
      const img = await add(`spinner.${format}`, bytes);
      expect([img.width, img.height], format).toEqual([20, 10]);
      expect(close(await pixel(storedBytes(img), 5, 5), RED, 8), format).toBe(true);
      expect(img.notes?.join(' '), format).toMatch(/animated .*3 frames.*only the first/);
    }
    // APNG: sharp reads only the default image and does not say there are more.
    const png = await apng([RED, BLUE, BLUE], 20, 10);
    expect((await sharp(png).metadata()).pages).toBeUndefined();
    const img = await add('recording.png', png);
    expect(close(await pixel(storedBytes(img), 5, 5), RED, 0)).toBe(true);
    expect(img.notes).toEqual(['animated PNG (APNG) with 3 frames: only the first frame is kept']);
  });

  it('a phone "motion photo" (a video after the JPEG), an MPO pair and a PNG with bytes after IEND are read', async () => {
    const jpg = await halves(60, 30).jpeg().toBuffer();
    const mp4 = Buffer.concat([Buffer.from('\0\0\0\x18ftypmp42\0\0\0\0mp42isom', 'latin1'), Buffer.alloc(4000, 9)]);
    const png = await halves(60, 30).png().toBuffer();
    for (const [name, bytes] of [['PXL_motion.jpg', Buffer.concat([jpg, mp4])], ['stereo.mpo.jpg', Buffer.concat([jpg, jpg])], ['tail.png', Buffer.concat([png, Buffer.alloc(500, 1)])]] as const) {
      const img = await add(name, bytes);
      expect([img.width, img.height], name).toEqual([60, 30]);
      expect(img.bytes, name).toBeLessThan(bytes.length); // the extra data is not stored
    }
  });

  it('a file named .jpg that is a PNG is taken by its content', async () => {
    const path = join(dir, 'photo.jpg');
    writeFileSync(path, await halves(20, 10).png().toBuffer());
    const img = await core.invoke('images.add', { path });
    expect([img.mime, img.name]).toEqual(['image/png', 'photo.jpg']);
  });
});

describe('transparency', () => {
  it('palette PNG with tRNS and grey+alpha PNG are flattened onto white (llama-server drops alpha and would show the black underneath)', async () => {
    // A screenshot tool's transparent margin: alpha 0 over RGB 0 (black), then opaque blue.
    const raw = Buffer.alloc(20 * 10 * 4);
    for (let i = 0; i < 200; i++) if (i % 20 >= 10) raw.set([...BLUE, 255], i * 4);
    const palette = await sharp(raw, { raw: { width: 20, height: 10, channels: 4 } }).png({ palette: true }).toBuffer();
    const pm = await sharp(palette).metadata();
    expect([pm.isPalette, pm.hasAlpha]).toEqual([true, true]);
    const grey = await sharp(raw, { raw: { width: 20, height: 10, channels: 4 } }).toColourspace('b-w').png().toBuffer();
    expect((await sharp(grey).metadata()).channels).toBe(2);
    for (const [name, bytes] of [['palette.png', palette], ['grey-alpha.png', grey]] as const) {
      const img = await add(name, bytes);
      const stored = storedBytes(img);
      expect((await sharp(stored).metadata()).hasAlpha, name).toBe(false);
      expect((await pixel(stored, 2, 2)).slice(0, 1), name).toEqual([255]);
      expect(close((await pixel(stored, 2, 2)).concat(255, 255).slice(0, 3), WHITE, 0), name).toBe(true);
      expect(img.notes?.join(' '), name).toMatch(/transparent .*white/);
      // The thumbnail (JPEG) and the prepared form agree: white, not black.
      const thumb = (await core.invoke('images.thumbnail', { hash: img.hash, size: 16 })).dataUrl;
      expect(thumb.startsWith('data:image/jpeg;base64,')).toBe(true);
      expect((await pixel(Buffer.from(thumb.split(',')[1] as string, 'base64'), 1, 1))[0], name).toBeGreaterThan(240);
    }
  });

  it('a half-transparent red over white comes out pink, as a browser shows it', async () => {
    const img = await add('overlay.png', await flat(8, 8, RED, 0.5).png().toBuffer());
    expect(close(await pixel(storedBytes(img), 4, 4), [238, 138, 138], 3), String(await pixel(storedBytes(img), 4, 4))).toBe(true);
  });
});

describe('sizes at the edges', () => {
  it('1×1, 1×10,000 and 10,000×1: stored, and downscaling to a tiny budget never makes a 0-pixel side', async () => {
    const one = await add('dot.png', await flat(1, 1, RED).png().toBuffer());
    const p1 = await core.invoke('images.preview', { hash: one.hash });
    expect([p1.width, p1.height, p1.estTokens, p1.downscaled]).toEqual([1, 1, 4, false]); // Qwen2-VL reads at least 56×56
    for (const [w, h] of [[1, 10_000], [10_000, 1], [3, 9_000]] as const) {
      const img = await add(`strip-${w}x${h}.png`, await flat(w, h, BLUE).png().toBuffer());
      expect([img.width, img.height]).toEqual([w, h]);
      const p = await core.invoke('images.preview', { hash: img.hash, maxPixels: 784 });
      expect(p.width * p.height, `${w}×${h} → ${p.width}×${p.height}`).toBeLessThanOrEqual(784);
      expect(Math.min(p.width, p.height)).toBeGreaterThanOrEqual(1);
      expect(p.downscaled).toBe(true);
      expect(p.estTokens).toBeGreaterThanOrEqual(1);
      const sent = await sharp(Buffer.from(p.dataUrl.split(',')[1] as string, 'base64')).metadata();
      expect([sent.width, sent.height]).toEqual([p.width, p.height]);
      const thumb = (await core.invoke('images.thumbnail', { hash: img.hash, size: 32 })).dataUrl;
      const t = await sharp(Buffer.from(thumb.split(',')[1] as string, 'base64')).metadata();
      expect(Math.min(t.width, t.height)).toBeGreaterThanOrEqual(1);
      expect(Math.max(t.width, t.height)).toBe(32);
    }
  });

  it('exactly at the pixel budget is sent as stored; one pixel over is downscaled under it', async () => {
    const img = await add('at-budget.jpg', await halves(1120, 896).jpeg().toBuffer());
    const at = await core.invoke('images.preview', { hash: img.hash, maxPixels: 1120 * 896 });
    expect([at.downscaled, at.width, at.height, at.sentHash]).toEqual([false, 1120, 896, img.hash]);
    const over = await core.invoke('images.preview', { hash: img.hash, maxPixels: 1120 * 896 - 1 });
    expect(over.downscaled).toBe(true);
    expect(over.width * over.height).toBeLessThanOrEqual(1120 * 896 - 1);
  });

  it('the input bound: exactly at it is stored; one pixel (or one row) over is refused from the header', async () => {
    // 17 × 5,882,353 = 100,000,001 pixels.
    expect(await refused('over.png', pngClaiming(17, 5_882_353))).toBe(
      `over.png: the image is 17×5882353 (100,000,001 pixels); at most ${MAX_INPUT_IMAGE_PIXELS.toLocaleString('en-US')} pixels are accepted`,
    );
    // Real files (flat grey compresses to ~100 KB): 10,000 × 10,000 is stored, one row more is refused.
    const grey = (h: number) => flat(10_000, h, [200, 200, 200]).toColourspace('b-w').png({ compressionLevel: 9 }).toBuffer();
    const at = await add('at-bound.png', await grey(10_000));
    expect([at.width, at.height]).toEqual([10_000, 10_000]);
    expect(await refused('over-bound.png', await grey(10_001))).toMatch(/^over-bound\.png: the image is 10000×10001 \(100,010,000 pixels\); at most 100,000,000/);
  });
});

describe('damaged and foreign files', () => {
  it('a JPEG cut mid-scan (baseline and progressive) is refused with its name and "truncated", not stored grey-filled', async () => {
    // Decoded leniently (failOn 'none'), such a file comes out grey below the cut; failOn 'error' refuses
    // it wherever the cut falls.
    for (const progressive of [false, true]) {
      const full = await noise(300, 200).jpeg({ progressive }).toBuffer();
      for (const keep of [0.05, 0.6, 0.999]) {
        const name = `cut-${progressive ? 'progressive' : 'baseline'}-${Math.round(keep * 1000)}.jpg`;
        const msg = await refused(name, full.subarray(0, Math.floor(full.length * keep)));
        expect(msg).toMatch(new RegExp(`^${name}: the JPEG image could not be decoded: it is truncated or corrupt \\(.*premature end`, 'i'));
      }
      // Only the end-of-image marker missing: refused, or (when libjpeg had every row already) stored
      // with exactly the pixels of the whole file, never grey-filled.
      const noEnd = full.subarray(0, full.length - 2);
      const r = await add(`no-eoi-${String(progressive)}.jpg`, noEnd).then(
        async (img) => (await sharp(storedBytes(img)).raw().toBuffer()).equals(await sharp(await sharp(full).jpeg({ quality: 92 }).toBuffer()).raw().toBuffer()),
        (e: unknown) => /premature end/i.test((e as Error).message),
      );
      expect(r, `no EOI, progressive ${String(progressive)}`).toBe(true);
    }
  });

  it('a PNG with a bad CRC is refused; a GIF with no frames is refused', async () => {
    const png = await noise(40, 30).png().toBuffer();
    // sharp ignores PNG CRCs (a flipped CRC decodes without a word); a flipped pixel-data byte fails the same check.
    expect(await refused('bad-crc.png', badCrc(png, 'IDAT'))).toMatch(/^bad-crc\.png: the PNG is damaged: its IDAT chunk at byte [\d,]+ fails its checksum \(CRC\)$/);
    const flipped = Buffer.from(png);
    const at = png.indexOf('IDAT') + 200;
    flipped[at] = (png[at] as number) ^ 0x10;
    expect(await refused('bit-flip.png', flipped)).toMatch(/IDAT chunk .* fails its checksum/);
    // An ancillary chunk's bad CRC (a damaged text note) does not touch the pixels: accepted.
    const noted = insertBeforeIdat(png, pngChunk('tEXt', Buffer.from('Comment\0scanned', 'latin1')));
    expect((await add('noted.png', badCrc(noted, 'tEXt'))).mime).toBe('image/png');
    expect(await refused('empty.gif', gifWithoutFrames(20, 10))).toBe('empty.gif: the GIF has no frames (there is no picture in it)');
  });

  it('BMP, TIFF, HEIC, AVIF, SVG and PDF are named for what they are and refused', async () => {
    const avif = await flat(16, 16, RED).avif().toBuffer();
    const cases = [
      ['paint.bmp', bmp(8, 8), /BMP images are not supported/],
      ['fax.tif', await noise(8, 8).tiff().toBuffer(), /TIFF images are not supported/],
      ['IMG_1234.jpg', heicHeader(), /HEIC\/HEIF images are not supported/],
      ['photo.avif', avif, /AVIF images are not supported/],
      ['icon.png', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>'), /SVG images are not accepted/],
      ['invoice.png', Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n'), /this is a PDF, not an image/],
    ] as const;
    for (const [name, bytes, why] of cases) expect(await refused(name, bytes)).toMatch(why);
  });

  it('decompression bombs (PNG, JPEG, GIF declaring huge sizes) are refused from the header, before decoding', async () => {
    const small = await noise(16, 16).jpeg().toBuffer();
    const bombs = [
      ['bomb.png', pngClaiming(50_000, 50_000), '50000×50000 (2,500,000,000 pixels)'],
      ['bomb.jpg', jpegClaiming(small, 50_000, 50_000), '50000×50000 (2,500,000,000 pixels)'],
      ['bomb.gif', gifWithoutFrames(65_535, 65_535), '65535×65535 (4,294,836,225 pixels)'],
    ] as const;
    for (const [name, bytes, size] of bombs) {
      expect(bytes.length).toBeLessThan(2048);
      expect(await refused(name, bytes)).toBe(`${name}: the image is ${size}; at most 100,000,000 pixels are accepted`);
    }
  });
});

describe('through an image-folder import', () => {
  it('phone and scanner files are imported upright and in sRGB; damaged ones are named and nothing is imported', async () => {
    const folder = join(dir, 'inbox');
    mkdirSync(folder);
    writeFileSync(join(folder, 'IMG_0001.JPG'), await flat(40, 20, RED).toColourspace('cmyk').jpeg().toBuffer());
    writeFileSync(join(folder, 'scan.jpg'), await halves(20, 10).png().toBuffer());
    const thumb = await halves(16, 8).jpeg().toBuffer();
    writeFileSync(join(folder, 'rotated.jpeg'), insertJpegSegment(await halves(60, 30).jpeg().toBuffer(), 0xe1, exifWithThumbnail(6, thumb)));
    writeFileSync(join(folder, 'sticker.webp'), await animated('webp', [BLUE, RED], 12, 12));
    const r = await core.invoke('datasets.importImages', { dir: folder, name: 'inbox' });
    expect([r.imported, r.images]).toEqual([4, 4]);
    // The import says what storing changed, file by file.
    expect(r.notes).toEqual([
      { file: 'IMG_0001.JPG', note: 'CMYK colours converted to sRGB' },
      { file: 'rotated.jpeg', note: 'turned upright (EXIF orientation 6)' },
      { file: 'sticker.webp', note: 'animated WEBP with 2 frames: only the first frame is kept' },
    ]);
    expect((await core.invoke('datasets.get', { datasetId: r.dataset.id })).importReport?.images?.notes).toEqual(r.notes);
    const rows = (await core.invoke('datasets.rows', { datasetId: r.dataset.id })).rows;
    const stored = rows.map((row) => core.images.get(row.images[0] as string));
    // Rows in file-name order: IMG_0001.JPG (CMYK), rotated.jpeg, scan.jpg (a PNG), sticker.webp (animated, lossless).
    expect(stored.map((x) => [x.mime, x.width, x.height])).toEqual([
      ['image/jpeg', 40, 20],
      ['image/jpeg', 30, 60],
      ['image/png', 20, 10],
      ['image/png', 12, 12],
    ]);
    expect((await meta(stored[0] as StoredImage)).space).toBe('srgb');
    expect(close(await pixel(storedBytes(stored[3] as StoredImage), 6, 6), BLUE, 4)).toBe(true);
    const damaged = join(dir, 'damaged');
    mkdirSync(damaged);
    const full = await noise(100, 80).jpeg().toBuffer();
    writeFileSync(join(damaged, 'cut.jpg'), full.subarray(0, full.length >> 1));
    writeFileSync(join(damaged, 'bomb.png'), pngClaiming(50_000, 50_000));
    writeFileSync(join(damaged, 'ok.png'), await flat(4, 4, BLUE).png().toBuffer());
    const f = await failureOf(core.invoke('datasets.importImages', { dir: damaged, name: 'damaged' }));
    expect(f.message).toMatch(/^2 of 3 images in .*damaged could not be imported, nothing imported: bomb\.png: the image is 50000×50000 .*; cut\.jpg: the JPEG image could not be decoded: it is truncated/);
    expect((await core.invoke('datasets.list', {})).map((d) => d.name)).toEqual(['inbox']);
  });
});
