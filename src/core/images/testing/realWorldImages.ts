// Image files as phones, scanners and screenshot tools make them, generated on the spot: sharp writes what
// it can (CMYK, 16-bit, palette, interlaced, animated, AVIF), and the rest is written byte by byte (an EXIF
// block with a thumbnail, an ICC chunk that tags without converting, a BMP, a GIF with no frames, bad CRCs).
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';

export type Rgb = [number, number, number];
export const RED: Rgb = [220, 20, 20];
export const BLUE: Rgb = [20, 20, 220];

/** Red on the left half, blue on the right: after a rotation, where the red went says which way it turned. */
export function halves(width: number, height: number): sharp.Sharp {
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) raw.set(x < width / 2 ? RED : BLUE, (y * width + x) * 3);
  return sharp(raw, { raw: { width, height, channels: 3 } });
}

export const flat = (width: number, height: number, [r, g, b]: Rgb, alpha = 1): sharp.Sharp =>
  sharp({ create: { width, height, channels: alpha === 1 ? 3 : 4, background: { r, g, b, alpha } } });

/** The RGB(A) of one pixel of an encoded image. */
export async function pixel(image: Buffer, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(image).raw().toBuffer({ resolveWithObject: true });
  const at = (y * info.width + x) * info.channels;
  return [...data.subarray(at, at + info.channels)];
}

export function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([head, body, crc]);
}

/** PNG chunks in order: [type, start offset, total length]. */
function pngChunks(png: Buffer): Array<[string, number, number]> {
  const out: Array<[string, number, number]> = [];
  for (let at = 8; at + 12 <= png.length; ) {
    const len = png.readUInt32BE(at);
    out.push([png.toString('latin1', at + 4, at + 8), at, len + 12]);
    at += len + 12;
  }
  return out;
}

/** `chunk` inserted before the first IDAT (where iCCP, tEXt and friends live). */
export function insertBeforeIdat(png: Buffer, chunk: Buffer): Buffer {
  const idat = pngChunks(png).find(([t]) => t === 'IDAT');
  if (!idat) throw new Error('no IDAT');
  return Buffer.concat([png.subarray(0, idat[1]), chunk, png.subarray(idat[1])]);
}

/** The first chunk of `type` with its CRC flipped (the data itself untouched). */
export function badCrc(png: Buffer, type: string): Buffer {
  const c = pngChunks(png).find(([t]) => t === type);
  if (!c) throw new Error(`no ${type}`);
  const out = Buffer.from(png);
  const at = c[1] + c[2] - 1;
  out[at] = (out[at] as number) ^ 0xff;
  return out;
}

/** Raw RGB pixels of one colour in a PNG tagged with `icc` (an iCCP chunk: tagged, not converted). */
export async function taggedPng(color: Rgb, icc: Buffer, size = 8): Promise<Buffer> {
  const png = await flat(size, size, color).png().toBuffer();
  return insertBeforeIdat(png, pngChunk('iCCP', Buffer.concat([Buffer.from('Display P3\0\0', 'latin1'), deflateSync(icc)])));
}

/** The Display P3 ICC profile sharp ships, read back from an image it tagged. */
export async function displayP3Profile(): Promise<Buffer> {
  const tagged = await flat(2, 2, [128, 128, 128]).withIccProfile('p3').png().toBuffer();
  const icc = (await sharp(tagged).metadata()).icc;
  if (!icc) throw new Error('sharp wrote no ICC profile');
  return icc;
}

/** sRGB of a Display P3 colour, computed by hand: both use the sRGB curve, so only the primaries differ. */
export function p3ToSrgb(c: Rgb): Rgb {
  const lin = c.map((v) => (v / 255 <= 0.04045 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4));
  const [r, g, b] = lin as Rgb;
  const m = [
    [1.2249, -0.2247, 0],
    [-0.042, 1.0419, 0],
    [-0.0197, -0.0786, 1.0979],
  ];
  return m.map(([a, d, e]) => {
    const v = Math.min(1, Math.max(0, (a as number) * r + (d as number) * g + (e as number) * b));
    return Math.round(255 * (v <= 0.0031308 ? 12.92 * v : 1.055 * v ** (1 / 2.4) - 0.055));
  }) as Rgb;
}

/** A JPEG segment (APPn, COM…) inserted after SOI and a JFIF APP0, where a camera puts its EXIF. */
export function insertJpegSegment(jpeg: Buffer, marker: number, payload: Buffer): Buffer {
  let at = 2;
  if (jpeg[2] === 0xff && jpeg[3] === 0xe0) at += 2 + jpeg.readUInt16BE(4);
  const head = Buffer.from([0xff, marker, 0, 0]);
  head.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, at), head, payload, jpeg.subarray(at)]);
}

/** An EXIF block (big-endian TIFF) with an orientation in IFD0 and a JPEG thumbnail in IFD1, as cameras write. */
export function exifWithThumbnail(orientation: number, thumbnail: Buffer): Buffer {
  const entry = (tag: number, type: number, value: number) => {
    const e = Buffer.alloc(12);
    e.writeUInt16BE(tag, 0);
    e.writeUInt16BE(type, 2);
    e.writeUInt32BE(1, 4);
    if (type === 3) e.writeUInt16BE(value, 8);
    else e.writeUInt32BE(value, 8);
    return e;
  };
  const ifd0At = 8;
  const ifd1At = ifd0At + 2 + 12 + 4;
  const thumbAt = ifd1At + 2 + 3 * 12 + 4;
  const ifd0 = Buffer.concat([Buffer.from([0, 1]), entry(0x0112, 3, orientation), Buffer.alloc(4)]);
  ifd0.writeUInt32BE(ifd1At, 14);
  const ifd1 = Buffer.concat([Buffer.from([0, 3]), entry(0x0103, 3, 6), entry(0x0201, 4, thumbAt), entry(0x0202, 4, thumbnail.length), Buffer.alloc(4)]);
  return Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), Buffer.from('MM\0*\0\0\0\x08', 'latin1'), ifd0, ifd1, thumbnail]);
}

/** A JPEG whose frame header (SOF) claims `width`×`height`: a bomb's shape, the scan data a small image's. */
export function jpegClaiming(jpeg: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(jpeg);
  for (let at = 2; at + 9 <= out.length; at += 2 + out.readUInt16BE(at + 2)) {
    const m = out[at + 1] as number;
    if (m >= 0xc0 && m <= 0xc2) {
      out.writeUInt16BE(height, at + 5);
      out.writeUInt16BE(width, at + 7);
      return out;
    }
  }
  throw new Error('no SOF');
}

/** A GIF with a screen descriptor and a trailer and nothing between: a valid header, no frames. */
export function gifWithoutFrames(width: number, height: number): Buffer {
  const b = Buffer.alloc(14);
  b.write('GIF89a', 0, 'latin1');
  b.writeUInt16LE(width, 6);
  b.writeUInt16LE(height, 8);
  b[13] = 0x3b;
  return b;
}

/** An animated PNG (APNG, what screen recorders and sticker tools write): frame 1 is the default image. */
export async function apng(colors: Rgb[], width: number, height: number): Promise<Buffer> {
  const pngs = await Promise.all(colors.map((c) => flat(width, height, c).png().toBuffer()));
  const data = (png: Buffer) => Buffer.concat(pngChunks(png).filter(([t]) => t === 'IDAT').map(([, at, len]) => png.subarray(at + 8, at + len - 4)));
  const u32 = (...v: number[]) => Buffer.concat(v.map((x) => Buffer.from([x >>> 24, (x >>> 16) & 255, (x >>> 8) & 255, x & 255])));
  // fcTL: sequence, size, offset, delay 1/10 s, dispose and blend 0.
  const fctl = (seq: number) => pngChunk('fcTL', Buffer.concat([u32(seq, width, height, 0, 0), Buffer.from([0, 1, 0, 10, 0, 0])]));
  const first = pngs[0] as Buffer;
  const ihdr = pngChunks(first)[0] as [string, number, number];
  const parts = [first.subarray(0, 8), first.subarray(ihdr[1], ihdr[1] + ihdr[2]), pngChunk('acTL', u32(pngs.length, 0)), fctl(0), pngChunk('IDAT', data(first))];
  let seq = 1;
  for (const p of pngs.slice(1)) {
    parts.push(fctl(seq++), pngChunk('fdAT', Buffer.concat([u32(seq++), data(p)])));
  }
  parts.push(pngChunk('IEND', Buffer.alloc(0)));
  return Buffer.concat(parts);
}

/** A 24-bit Windows bitmap (what Paint saves). */
export function bmp(width: number, height: number): Buffer {
  const row = Math.ceil((width * 3) / 4) * 4;
  const b = Buffer.alloc(54 + row * height, 0x80);
  b.write('BM', 0, 'latin1');
  b.writeUInt32LE(b.length, 2);
  b.writeUInt32LE(54, 10);
  b.writeUInt32LE(40, 14);
  b.writeInt32LE(width, 18);
  b.writeInt32LE(height, 22);
  b.writeUInt16LE(1, 26);
  b.writeUInt16LE(24, 28);
  b.writeUInt32LE(row * height, 34);
  return b;
}

/** `frames` flat-coloured frames as an animated GIF or WebP. */
export async function animated(format: 'gif' | 'webp', colors: Rgb[], width: number, height: number): Promise<Buffer> {
  const frames = await Promise.all(colors.map((c) => flat(width, height, c).png().toBuffer()));
  const joined = sharp(frames, { join: { animated: true } });
  return (format === 'gif' ? joined.gif() : joined.webp({ lossless: true })).toBuffer();
}

/** The first channels of `got` (alpha ignored when `want` has none) within `tolerance` of `want`. */
export const close = (got: readonly number[], want: readonly number[], tolerance: number): boolean =>
  want.every((v, i) => Math.abs(v - (got[i] as number)) <= tolerance);
