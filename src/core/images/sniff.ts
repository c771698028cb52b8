// What an image file really is, from its first bytes (never its name), and its size from the header alone:
// a 20000×20000 image must be refused before anything decodes it, and sharp cannot read a header whose
// pixel data is missing, so the four accepted formats' headers are read here.
import { crc32 } from 'node:zlib';
import { CoreError } from '../coreError';

export type InputFormat = 'png' | 'jpeg' | 'webp' | 'gif';

export interface SniffedImage {
  format: InputFormat;
  width: number;
  height: number;
  /** WebP only: the lossless (VP8L) codec, kept lossless when stored. */
  lossless: boolean;
  /** PNG only: the frame count an animated PNG (APNG) declares; decoders read only its default image. */
  frames?: number;
}

const refuse = (name: string, reason: string) => new CoreError('BAD_INPUT', `${name}: ${reason}`);
const ACCEPTED = 'Lamplight reads PNG, JPEG, WebP and GIF images';

const startsWith = (b: Buffer, s: string | number[], at = 0) => {
  const want = typeof s === 'string' ? Buffer.from(s, 'latin1') : Buffer.from(s);
  return b.length >= at + want.length && b.subarray(at, at + want.length).equals(want);
};

/** ISO-BMFF brands (`ftyp`): HEIC/HEIF from phones, AVIF. */
function isoBrands(b: Buffer): string[] {
  if (!startsWith(b, 'ftyp', 4)) return [];
  const size = Math.min(b.readUInt32BE(0), b.length, 256);
  const brands = [b.toString('latin1', 8, 12)];
  for (let at = 16; at + 4 <= size; at += 4) brands.push(b.toString('latin1', at, at + 4));
  return brands;
}

/** A refusal naming what the file is, for the formats people try (phone photos, scans, documents). */
function refuseKnown(b: Buffer, name: string): CoreError | null {
  const brands = isoBrands(b);
  if (brands.some((x) => ['avif', 'avis'].includes(x))) return refuse(name, `AVIF images are not supported; convert it to JPEG or PNG first (${ACCEPTED})`);
  if (brands.some((x) => ['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1'].includes(x))) {
    return refuse(name, `HEIC/HEIF images are not supported; convert it to JPEG or PNG first (${ACCEPTED})`);
  }
  if (startsWith(b, '%PDF-')) return refuse(name, `this is a PDF, not an image (${ACCEPTED})`);
  if (startsWith(b, 'II*\0') || startsWith(b, 'MM\0*')) return refuse(name, `TIFF images are not supported; convert it to PNG or JPEG first (${ACCEPTED})`);
  if (startsWith(b, 'BM') && b.length >= 26 && b.readUInt32LE(14) >= 12 && b.readUInt32LE(14) <= 124) {
    return refuse(name, `BMP images are not supported; convert it to PNG first (${ACCEPTED})`);
  }
  // SVG is refused outright: it can carry scripts and external references, and it is not pixels.
  const head = b.toString('utf8', 0, Math.min(b.length, 1024)).replace(/^\uFEFF/, '').trimStart();
  if ((head.startsWith('<?xml') || head.startsWith('<svg') || head.startsWith('<!--')) && /<svg[\s>]/i.test(head)) {
    return refuse(name, `SVG images are not accepted (they can carry scripts); export it as PNG first (${ACCEPTED})`);
  }
  return null;
}

function pngSize(b: Buffer): [number, number] | null {
  if (b.length < 24 || !startsWith(b, 'IHDR', 12)) return null;
  return [b.readUInt32BE(16), b.readUInt32BE(20)];
}

/**
 * The first critical chunk (IHDR, PLTE, IDAT, IEND) whose checksum fails, and the frames an APNG's acTL
 * declares. sharp's PNG reader ignores a bad CRC and decodes whatever the damaged bytes hold; a damaged
 * file is refused instead. A chunk cut short by the end of the file is left to the decoder (truncated).
 */
function pngScan(b: Buffer): { damage: string | null; frames?: number } {
  let frames: number | undefined;
  for (let at = 8; at + 12 <= b.length; ) {
    const len = b.readUInt32BE(at);
    const type = b.toString('latin1', at + 4, at + 8);
    if (at + 12 + len > b.length) break;
    const critical = (b[at + 4] as number) < 0x61; // upper-case first letter
    if (critical && crc32(b.subarray(at + 4, at + 8 + len)) !== b.readUInt32BE(at + 8 + len)) {
      return { damage: `the PNG is damaged: its ${type} chunk at byte ${at.toLocaleString('en-US')} fails its checksum (CRC)` };
    }
    if (type === 'acTL' && len >= 8) frames = b.readUInt32BE(at + 8);
    if (type === 'IEND') break;
    at += 12 + len;
  }
  return { damage: null, ...(frames !== undefined ? { frames } : {}) };
}

function gifSize(b: Buffer): [number, number] | null {
  return b.length < 10 ? null : [b.readUInt16LE(6), b.readUInt16LE(8)];
}

/** The first start-of-frame marker's size; the markers before it are skipped by their lengths. */
function jpegSize(b: Buffer): [number, number] | null {
  let at = 2;
  while (at + 4 <= b.length) {
    if (b[at] !== 0xff) return null;
    const marker = b[at + 1] as number;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2;
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return null; // scan data or end before any frame header
    const len = b.readUInt16BE(at + 2);
    const sof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (sof) return at + 9 <= b.length ? [b.readUInt16BE(at + 7), b.readUInt16BE(at + 5)] : null;
    at += 2 + len;
  }
  return null;
}

function webpInfo(b: Buffer): { size: [number, number]; lossless: boolean } | null {
  let size: [number, number] | null = null;
  let lossless = false;
  // Chunks: 'VP8X' (extended: canvas size), 'VP8 ' (lossy), 'VP8L' (lossless); the first image chunk decides.
  for (let at = 12; at + 8 <= b.length; ) {
    const id = b.toString('latin1', at, at + 4);
    const len = b.readUInt32LE(at + 4);
    const d = at + 8;
    if (id === 'VP8X' && d + 10 <= b.length) size = [b.readUIntLE(d + 4, 3) + 1, b.readUIntLE(d + 7, 3) + 1];
    else if (id === 'VP8L' && d + 5 <= b.length) {
      const bits = b.readUInt32LE(d + 1);
      size ??= [(bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1];
      lossless = true;
      break;
    } else if (id === 'VP8 ' && d + 10 <= b.length) {
      size ??= [b.readUInt16LE(d + 6) & 0x3fff, b.readUInt16LE(d + 8) & 0x3fff];
      break;
    } else if (id === 'ANMF') {
      // Animated: the canvas size from VP8X counts; the first frame's codec (after 16 bytes) decides lossless.
      lossless = d + 20 <= b.length && b.toString('latin1', d + 16, d + 20) === 'VP8L';
      break;
    }
    at = d + len + (len % 2);
  }
  return size ? { size, lossless } : null;
}

/**
 * The format (by content) and header size of an image file, or a BAD_INPUT refusal naming `name` and why:
 * empty, a format Lamplight does not take (HEIC, AVIF, TIFF, BMP, SVG, PDF…), or a header cut short.
 */
export function sniffImage(b: Buffer, name: string): SniffedImage {
  if (b.length === 0) throw refuse(name, 'the file is empty (0 bytes)');
  let format: InputFormat | null = null;
  let size: [number, number] | null = null;
  let lossless = false;
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) [format, size] = ['png', pngSize(b)];
  else if (startsWith(b, [0xff, 0xd8, 0xff])) [format, size] = ['jpeg', jpegSize(b)];
  else if (startsWith(b, 'GIF87a') || startsWith(b, 'GIF89a')) [format, size] = ['gif', gifSize(b)];
  else if (startsWith(b, 'RIFF') && startsWith(b, 'WEBP', 8)) {
    const info = webpInfo(b);
    [format, size, lossless] = ['webp', info?.size ?? null, info?.lossless ?? false];
  }
  if (format === null) throw refuseKnown(b, name) ?? refuse(name, `not an image Lamplight can read (${ACCEPTED})`);
  if (size === null) throw refuse(name, `the ${format.toUpperCase()} header is truncated or corrupt`);
  const [width, height] = size;
  if (width < 1 || height < 1) throw refuse(name, `the ${format.toUpperCase()} header says the image is ${width}×${height}`);
  if (format !== 'png') return { format, width, height, lossless };
  const { damage, frames } = pngScan(b);
  if (damage !== null) throw refuse(name, damage);
  return { format, width, height, lossless, ...(frames !== undefined ? { frames } : {}) };
}
