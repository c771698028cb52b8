// Bad input to the image store, through the commands a transport calls: each file is refused with its name
// and the reason, and the store (rows and files) is exactly as before.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../createCore';
import { failureOf, openTestCore, tempDir } from '../testing/testCore';
import { sniffImage } from './sniff';
import { heicHeader, noise, pngClaiming } from './testing/sampleImages';

let core: Core;
let dir: string;
beforeAll(async () => {
  core = openTestCore();
  dir = tempDir('lamplight-images-');
  await core.images.addData('already.png', await noise(10, 10).png().toBuffer()); // the store is not empty
});
afterAll(async () => {
  await core?.close();
});

/** Everything under the store folder, and the rows: what a refusal must leave untouched. */
function snapshot() {
  const rows = core.db.prepare('SELECT hash FROM images ORDER BY hash').all();
  const files = readdirSync(core.images.dir, { recursive: true, encoding: 'utf8' }).sort();
  return { rows, files };
}

async function refusedFile(name: string, bytes: Buffer) {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  const before = snapshot();
  const f = await failureOf(core.invoke('images.add', { path }));
  expect(snapshot()).toEqual(before);
  expect(f.code).toBe('BAD_INPUT');
  expect(f.message.startsWith(`${name}: `)).toBe(true);
  return f.message;
}

describe('refusals', () => {
  it('a truncated PNG and a truncated JPEG', async () => {
    const png = await noise(200, 150).png().toBuffer();
    expect(await refusedFile('cut.png', png.subarray(0, Math.floor(png.length / 2)))).toMatch(/the PNG image could not be decoded: it is truncated or corrupt/);
    const jpg = await noise(200, 150).jpeg().toBuffer();
    expect(await refusedFile('cut.jpg', jpg.subarray(0, Math.floor(jpg.length / 2)))).toMatch(/the JPEG image could not be decoded: it is truncated or corrupt \(.*premature end/i);
    expect(await refusedFile('header-only.png', png.subarray(0, 20))).toBe('header-only.png: the PNG header is truncated or corrupt');
  });

  it('a 0-byte file', async () => {
    expect(await refusedFile('empty.png', Buffer.alloc(0))).toBe('empty.png: the file is empty (0 bytes)');
  });

  it('a 20000×20000 image, by its header, before decoding', async () => {
    expect(await refusedFile('bomb.png', pngClaiming(20_000, 20_000))).toBe(
      'bomb.png: the image is 20000×20000 (400,000,000 pixels); at most 100,000,000 pixels are accepted',
    );
  });

  it('a PDF named .png, a HEIC photo, an SVG, a TIFF and a text file', async () => {
    expect(await refusedFile('scan.png', Buffer.from('%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n'))).toMatch(/^scan\.png: this is a PDF, not an image/);
    expect(await refusedFile('IMG_0001.HEIC', heicHeader())).toMatch(/^IMG_0001\.HEIC: HEIC\/HEIF images are not supported; convert it to JPEG or PNG first/);
    expect(await refusedFile('logo.png', Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'))).toMatch(
      /^logo\.png: SVG images are not accepted \(they can carry scripts\)/,
    );
    const tiff = await noise(8, 8).tiff().toBuffer();
    expect(await refusedFile('fax.jpg', tiff)).toMatch(/^fax\.jpg: TIFF images are not supported/);
    expect(await refusedFile('notes.jpg', Buffer.from('just some text'))).toMatch(/^notes\.jpg: not an image Lamplight can read \(Lamplight reads PNG, JPEG, WebP and GIF images\)/);
  });

  it('a missing file, a folder, and a paste that is not base64', async () => {
    const missing = await failureOf(core.invoke('images.add', { path: join(dir, 'nope.png') }));
    expect(missing).toEqual({ code: 'BAD_INPUT', message: `nope.png: no such file: ${join(dir, 'nope.png')}` });
    const folder = join(dir, 'folder.png');
    mkdirSync(folder);
    expect((await failureOf(core.invoke('images.add', { path: folder }))).message).toBe(`folder.png: not a file: ${folder}`);
    const pasted = await failureOf(core.invoke('images.addData', { name: 'clip', dataBase64: 'iVBOR#w0KGgo=' }));
    expect(pasted).toEqual({ code: 'BAD_INPUT', message: 'clip: dataBase64 is not valid base64' });
  });

  it('reads sizes from headers of every accepted format, by content not by name', async () => {
    const cases = [
      ['a.gif', await noise(33, 17).gif().toBuffer(), 'png'],
      // WebP is stored as JPEG (lossy) or PNG (lossless): llama-server cannot read WebP (vision/realWorldImages.test.ts).
      ['a.webp', await noise(33, 17).webp().toBuffer(), 'jpeg'],
      ['b.webp', await noise(33, 17).webp({ lossless: true }).toBuffer(), 'png'],
      ['c.webp', await noise(33, 17, 4).webp({ quality: 50, alphaQuality: 50 }).toBuffer(), 'jpeg'],
      ['jpeg.png', await noise(33, 17).jpeg({ progressive: true }).toBuffer(), 'jpeg'],
    ] as const;
    for (const [name, bytes] of cases) {
      const s = sniffImage(bytes, name);
      expect([s.width, s.height], name).toEqual([33, 17]);
      const img = await core.invoke('images.addData', { name, dataBase64: bytes.toString('base64') });
      expect(img.mime, name).toBe(`image/${cases.find((c) => c[0] === name)?.[2]}`);
    }
    expect(sniffImage(cases[2][1], 'b.webp').lossless).toBe(true);
    expect(sniffImage(cases[1][1], 'a.webp').lossless).toBe(false);
  });
});
