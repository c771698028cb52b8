// Images made on the spot for tests and the vision benchmark: real encoders (sharp), with the metadata a
// phone photo carries, and hand-written headers for files an encoder would refuse to make.
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';

/** What a phone writes: camera, serial, owner, GPS position. Each string must be gone after storing. */
export const SECRET_EXIF = {
  IFD0: { Make: 'Canon', Model: 'EOS 5D Mark IV', Artist: 'Jane Doe', Copyright: 'Jane Doe 2026' },
  IFD2: { BodySerialNumber: 'SN-0423817', CameraOwnerName: 'Jane Doe' },
  IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 2600/100', GPSLongitudeRef: 'W', GPSLongitude: '0/1 7/1 3900/100' },
};
export const SECRET_STRINGS = ['Jane Doe', 'SN-0423817', 'EOS 5D Mark', 'Canon'];
export const XMP = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>Jane Doe</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>`;

/** Gaussian noise: every pixel differs, so an encoder cannot cheat and a lossless round trip is checkable. */
export function noise(width: number, height: number, channels: 3 | 4 = 3): sharp.Sharp {
  return sharp({ create: { width, height, channels, background: { r: 0, g: 0, b: 0, alpha: 1 }, noise: { type: 'gaussian', mean: 128, sigma: 40 } } });
}

/**
 * A photo-like picture: a colour gradient, soft noise and a few shapes, so a JPEG encoder does real work
 * (a flat colour would compress to almost nothing and time nothing).
 */
export async function photoLike(width: number, height: number): Promise<sharp.Sharp> {
  const grad = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      grad[i] = (x * 255) / width;
      grad[i + 1] = (y * 255) / height;
      grad[i + 2] = 128 + 100 * Math.sin((x + y) / 97);
    }
  }
  const shapes = Array.from({ length: 12 }, (_, k) => {
    const cx = ((k * 7919) % 97) / 97;
    const cy = ((k * 104729) % 89) / 89;
    const r = Math.round(Math.min(width, height) * (0.04 + (k % 5) * 0.02));
    return `<circle cx="${Math.round(cx * width)}" cy="${Math.round(cy * height)}" r="${r}" fill="hsl(${k * 30},80%,50%)" opacity="0.8"/>` +
      `<rect x="${Math.round(cy * width)}" y="${Math.round(cx * height)}" width="${r * 2}" height="${r}" fill="hsl(${k * 45},60%,40%)"/>`;
  }).join('');
  const svg = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${shapes}</svg>`);
  const soft = await noise(width, height).raw().toBuffer();
  const base = await sharp(grad, { raw: { width, height, channels: 3 } })
    .composite([{ input: soft, raw: { width, height, channels: 3 }, blend: 'soft-light' }, { input: svg }])
    .png({ compressionLevel: 0 })
    .toBuffer();
  return sharp(base);
}

/** A JPEG photo-like picture carrying camera, owner and GPS EXIF, XMP and a Display P3 ICC profile. */
export async function jpegWithExif(width: number, height: number): Promise<Buffer> {
  return (await photoLike(width, height)).withIccProfile('p3').jpeg({ quality: 90 }).withExif(SECRET_EXIF).withXmp(XMP).toBuffer();
}

function crc32(buf: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of buf) {
    let c = (crc ^ byte) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A PNG whose header claims `width`×`height` (a decompression bomb's shape) with one tiny data chunk. */
export function pngClaiming(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([sig, pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(Buffer.alloc(64))), pngChunk('IEND', Buffer.alloc(0))]);
}

/** The first bytes of an iPhone photo: an ISO-BMFF `ftyp` box branded heic. */
export function heicHeader(): Buffer {
  const box = Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypheic\0\0\0\0mif1heic', 'latin1')]);
  return Buffer.concat([box, Buffer.alloc(200, 7)]);
}
