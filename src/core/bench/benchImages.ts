// The image workload: its images (generated with sharp from a seed, so every run sends the same bytes, or
// a test set's image column), stored in the image store, and k of them per request.
import { Mulberry32 } from '../../shared/prng';
import sharp from 'sharp';
import type { BenchImageSource, Workload } from '../../shared/bench.schema';
import type { StoredImage } from '../../shared/images.schema';
import { isImageHash } from '../../shared/imageVars';
import { CoreError } from '../errors';
import type { BenchPrompt } from './benchJob';
import type { ImageWorkloadInfo } from './benchMetrics';

export type ImagesWorkload = Extract<Workload, { kind: 'images' }>;

/** What the image workload needs of the image store (core.images). */
export interface BenchImageStore {
  addData(name: string, bytes: Buffer): Promise<StoredImage>;
  get(hash: string): StoredImage;
}

/** The shared seeded generator (mulberry32): the same run gives the same numbers. */
function prng(seed: number): () => number {
  const g = new Mulberry32(seed);
  return () => g.next();
}

/** Image `index` of a generated source, as JPEG (quality 90, as photos and scans usually arrive). */
export async function generateImage(src: Extract<BenchImageSource, { kind: 'generated' }>, index: number): Promise<Buffer> {
  const { width: w, height: h } = src;
  const raw = Buffer.alloc(w * h * 3);
  if (src.pattern === 'noise') {
    const next = prng(src.seed * 1_000_003 + index);
    for (let i = 0; i < raw.length; i += 4) {
      const v = (next() * 4294967296) >>> 0;
      raw[i] = v & 255;
      if (i + 1 < raw.length) raw[i + 1] = (v >>> 8) & 255;
      if (i + 2 < raw.length) raw[i + 2] = (v >>> 16) & 255;
      if (i + 3 < raw.length) raw[i + 3] = v >>> 24;
    }
  } else {
    // Each image its own tint, so no two are the same bytes (no cache can serve one for another).
    const tint = (src.seed * 97 + index * 61) % 256;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const o = (y * w + x) * 3;
        raw[o] = Math.floor((x * 255) / Math.max(1, w - 1));
        raw[o + 1] = Math.floor((y * 255) / Math.max(1, h - 1));
        raw[o + 2] = tint;
      }
    }
  }
  return sharp(raw, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
}

/** The workload's stored images, in order. */
async function sourceImages(src: BenchImageSource, store: BenchImageStore, testSetRows: (id: string) => Promise<{ variables: Record<string, string> }[]>): Promise<StoredImage[]> {
  if (src.kind === 'generated') {
    const out: StoredImage[] = [];
    for (let i = 0; i < src.count; i++) {
      out.push(await store.addData(`bench-${src.pattern}-${src.width}x${src.height}-${src.seed}-${i}.jpg`, await generateImage(src, i)));
    }
    return out;
  }
  const rows = await testSetRows(src.testSetId);
  const hashes = rows.map((r) => r.variables[src.column]).filter(isImageHash);
  if (hashes.length === 0) throw new CoreError('BAD_INPUT', `workload.images.column: no row of the test set has an image in "${src.column}"`);
  return hashes.map((h) => store.get(h));
}

/** Request i carries images i·k … i·k+k−1 of the source, cycling; the prompts repeat with period N/gcd. */
export async function imageWorkload(
  w: ImagesWorkload,
  needed: number,
  store: BenchImageStore,
  testSetRows: (id: string) => Promise<{ variables: Record<string, string> }[]>,
): Promise<{ prompts: BenchPrompt[]; info: ImageWorkloadInfo }> {
  const images = await sourceImages(w.images, store, testSetRows);
  const k = w.perRequest;
  const n = Math.max(1, Math.min(needed, images.length));
  const prompts: BenchPrompt[] = Array.from({ length: n }, (_, i) => ({
    systemPrompt: '',
    userMessage: w.prompt,
    images: Array.from({ length: k }, (_, j) => {
      const img = images[(i * k + j) % images.length] as StoredImage;
      return { hash: img.hash, name: img.name };
    }),
  }));
  const mean = (f: (s: StoredImage) => number) => images.reduce((a, s) => a + f(s), 0) / images.length;
  return { prompts, info: { perRequest: k, width: mean((s) => s.width), height: mean((s) => s.height), meanBytes: mean((s) => s.bytes) } };
}
