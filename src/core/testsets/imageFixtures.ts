// Small real images for tests, made with sharp (deterministic: the same seed gives the same bytes).
import sharp from 'sharp';

/** A W×H gradient PNG; the seed sets its blue channel, so different seeds are different images. */
export function gradientPng(w: number, h: number, seed: number): Promise<Buffer> {
  const raw = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) raw.set([(x * 255) / w, (y * 255) / h, (seed * 53) % 256], (y * w + x) * 3);
  return sharp(raw, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer();
}
