// Images as prompt input: stored once by content hash in the data folder, prepared (decoded, metadata
// stripped, downscaled to a target's pixel budget, re-encoded) before they leave, and referred to by hash
// from runs, prompt variables, test sets and datasets.
import { z } from 'zod';
import type { CommandSpec, EventSpec } from './commandSpec';

/** sha256 of the stored (already metadata-free) image bytes, lower-case hex. */
export const ImageHash = z.string().regex(/^[0-9a-f]{64}$/, 'an image hash is 64 lower-case hex digits');
export type ImageHash = z.infer<typeof ImageHash>;

/**
 * What Lamplight stores and sends. GIF is stored as PNG (first frame), WebP as PNG (lossless) or JPEG (lossy)
 * since llama-server cannot read WebP; HEIC/AVIF/TIFF/PDF are refused. 'image/webp' remains for older stores.
 */
export const ImageMime = z.enum(['image/png', 'image/jpeg', 'image/webp']);
export type ImageMime = z.infer<typeof ImageMime>;

/** Qwen2-VL's default budget (1280 × 28 × 28): images with more pixels are downscaled before sending. */
export const DEFAULT_MAX_IMAGE_PIXELS = 1_003_520;
/** Largest image accepted at all (decoded pixels), so a decompression bomb is refused before it is decoded. */
export const MAX_INPUT_IMAGE_PIXELS = 100_000_000;
/** Largest image file accepted (bytes). */
export const MAX_INPUT_IMAGE_BYTES = 64 * 1024 * 1024;
/** Images per message / per run. */
export const MAX_IMAGES_PER_RUN = 16;

export const StoredImage = z.object({
  hash: ImageHash,
  /** The file name the user gave (display only, sanitized). */
  name: z.string(),
  mime: ImageMime,
  width: z.number().int(),
  height: z.number().int(),
  bytes: z.number().int(),
  createdAt: z.number(),
  /** From an add only: what storing changed that the user should be told (an animation's first frame kept, CMYK converted, transparency flattened…). */
  notes: z.array(z.string()).optional(),
});
export type StoredImage = z.infer<typeof StoredImage>;

/** An image attached to a prompt: a stored image, by hash, with the name shown for it. */
export const PromptImage = z.object({ hash: ImageHash, name: z.string().max(255).default('image') });
export type PromptImage = z.infer<typeof PromptImage>;

/** What a prepared image is (what would be or was sent), without its bytes. */
export const PreparedImageInfo = z.object({
  /** The stored image it came from. */
  hash: ImageHash,
  /** sha256 of the bytes sent (after downscale and re-encode). */
  sentHash: ImageHash,
  mime: ImageMime,
  width: z.number().int(),
  height: z.number().int(),
  bytes: z.number().int(),
  downscaled: z.boolean(),
  /** Rough visual tokens for a Qwen2-VL-style encoder (28×28 pixels a token); null when unknown. */
  estTokens: z.number().int().nullable(),
  prepareMs: z.number(),
});
export type PreparedImageInfo = z.infer<typeof PreparedImageInfo>;

/** One image of a stored run: the stored image, what was sent, and what the model made of it. */
export const RunImage = PreparedImageInfo.pick({ hash: true, sentHash: true, width: true, height: true, bytes: true }).extend({
  name: z.string(),
});
export type RunImage = z.infer<typeof RunImage>;

export const imagesCommands = {
  /** A file on this machine (the browser host uploads it first through its file channel). */
  'images.add': { input: z.object({ path: z.string().min(1) }), output: StoredImage, permission: 'run' },
  /** Bytes from a paste or a drop (base64, ≤ MAX_INPUT_IMAGE_BYTES decoded). */
  'images.addData': {
    input: z.object({ name: z.string().max(255).default('pasted image'), dataBase64: z.string().min(1).max(Math.ceil((MAX_INPUT_IMAGE_BYTES * 4) / 3) + 8) }),
    output: StoredImage,
    permission: 'run',
  },
  'images.get': { input: z.object({ hash: ImageHash }), output: StoredImage, permission: 'view' },
  /** A small JPEG/PNG data URL for grids and history (longest side `size`). */
  'images.thumbnail': {
    input: z.object({ hash: ImageHash, size: z.number().int().min(16).max(1024).default(160) }),
    output: z.object({ dataUrl: z.string() }),
    permission: 'view',
  },
  /** What would be sent under a pixel budget (a target's, or the default), with the image itself to show. */
  'images.preview': {
    input: z.object({ hash: ImageHash, maxPixels: z.number().int().min(784).max(MAX_INPUT_IMAGE_PIXELS).default(DEFAULT_MAX_IMAGE_PIXELS) }),
    output: PreparedImageInfo.extend({ dataUrl: z.string() }),
    permission: 'view',
  },
} satisfies Record<string, CommandSpec>;

export const imagesEvents = {} satisfies Record<string, EventSpec>;
