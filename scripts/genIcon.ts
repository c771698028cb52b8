// Writes resources/icons/<n>x<n>.png, the app icons electron-builder packs for Linux (a folder of PNGs
// named by size): a lamp's glow on the window's dark background, drawn pixel by pixel at each size (no
// resampling, so 16×16 stays sharp) and encoded with node:zlib so no image tool or dependency is needed.
// Deterministic: the packaging test redraws them and compares pixels. Run: node --import tsx scripts/genIcon.ts
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { crc32, deflateSync } from 'node:zlib';

export const ICON_SIZE = 512;
/** The hicolor sizes desktops look for; electron-builder installs each under its own size. */
export const ICON_SIZES = [16, 24, 32, 48, 64, 128, 256, 512] as const;

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** RGBA pixels → PNG bytes (colour type 6, 8 bits, filter 0 on every row). */
export function encodePng(width: number, height: number, rgba: Buffer): Buffer {
  const raw = Buffer.alloc(height * (1 + width * 4));
  for (let y = 0; y < height; y++) rgba.copy(raw, y * (1 + width * 4) + 1, y * width * 4, (y + 1) * width * 4);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

export function drawIcon(size = ICON_SIZE): Buffer {
  const px = Buffer.alloc(size * size * 4);
  const c = size / 2;
  const corner = size * 0.18;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      // Rounded square: distance outside the inner rectangle, against the corner radius.
      const dx = Math.max(Math.abs(x + 0.5 - c) - (c - corner), 0);
      const dy = Math.max(Math.abs(y + 0.5 - c) - (c - corner), 0);
      const alpha = Math.min(Math.max(corner - Math.hypot(dx, dy), 0), 1);
      // Glow: amber at the centre fading into #111418.
      const r = Math.hypot(x + 0.5 - c, y + 0.5 - c * 0.92) / (size * 0.34);
      const glow = Math.max(0, 1 - r * r);
      const flame = r < 0.32 ? 1 : 0;
      const i = (y * size + x) * 4;
      px[i] = Math.round(0x11 + (0xf5 - 0x11) * glow + (0xff - 0xf5) * flame);
      px[i + 1] = Math.round(0x14 + (0xa6 - 0x14) * glow + (0xe8 - 0xa6) * flame);
      px[i + 2] = Math.round(0x18 + (0x23 - 0x18) * glow + (0xb0 - 0x23) * flame);
      px[i + 3] = Math.round(alpha * 255);
    }
  }
  return encodePng(size, size, px);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const size of ICON_SIZES) {
    const out = fileURLToPath(new URL(`../resources/icons/${size}x${size}.png`, import.meta.url));
    writeFileSync(out, drawIcon(size));
    process.stdout.write(`wrote ${out}\n`);
  }
}
