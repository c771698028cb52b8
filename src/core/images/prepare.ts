// Decoding and re-encoding with sharp: what an added image becomes when stored (metadata-free, upright,
// sRGB) and what a stored image becomes when sent under a pixel budget (downscaled, re-encoded).
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { MAX_INPUT_IMAGE_PIXELS, type ImageMime } from '../../shared/images.schema';
import { CoreError } from '../coreError';
import { sniffImage, type SniffedImage } from './sniff';

export { estimateTokens } from './imageTokens';

/** Side of one visual token for a Qwen2-VL-style encoder: 14 px patches merged 2×2. */
export const TOKEN_PATCH_PX = 28;
/** Downscaling never makes a side shorter than this (one token) unless the original already is. */
const MIN_SIDE = TOKEN_PATCH_PX;
export const JPEG_QUALITY = 92;
const WEBP_QUALITY = 92;

export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/**
 * The largest size inside `maxPixels` keeping the aspect ratio (fit inside), never larger than the
 * original and no side below 28 px unless the original side is; a very long, thin image gives up the
 * aspect ratio before the 28 px floor.
 */
export function fitInside(width: number, height: number, maxPixels: number): { width: number; height: number } {
  if (width * height <= maxPixels) return { width, height };
  const s = Math.sqrt(maxPixels / (width * height));
  let w = Math.max(Math.min(width, MIN_SIDE), Math.floor(width * s));
  let h = Math.max(Math.min(height, MIN_SIDE), Math.floor(height * s));
  // The floor on one side may push the product over the budget: take it from the other side.
  if (w * h > maxPixels) {
    if (w > h) w = Math.max(1, Math.floor(maxPixels / h));
    else h = Math.max(1, Math.floor(maxPixels / w));
  }
  return { width: w, height: h };
}

/**
 * What each input is stored as. WebP becomes PNG (lossless WebP) or JPEG (lossy): llama-server's image
 * loader (stb_image in mtmd) cannot read WebP and answers "Failed to load image or audio file".
 */
function storedMime(s: SniffedImage): ImageMime {
  if (s.format === 'jpeg') return 'image/jpeg';
  return s.format === 'webp' && !s.lossless ? 'image/jpeg' : 'image/png';
}

export function extensionOf(mime: ImageMime): 'png' | 'jpg' | 'webp' {
  return mime === 'image/png' ? 'png' : mime === 'image/jpeg' ? 'jpg' : 'webp';
}

function encode(img: sharp.Sharp, mime: ImageMime, lossless: boolean): sharp.Sharp {
  if (mime === 'image/png') return img.png();
  if (mime === 'image/jpeg') return img.jpeg({ quality: JPEG_QUALITY });
  return lossless ? img.webp({ lossless: true }) : img.webp({ quality: WEBP_QUALITY });
}

/** sharp's own reasons for a file it could not decode, in words a person can act on. */
function decodeRefusal(name: string, format: string, e: unknown): CoreError {
  const why = (e as Error).message.replace(/\s+/g, ' ').trim();
  if (/no frames in GIF/i.test(why)) return new CoreError('BAD_INPUT', `${name}: the GIF has no frames (there is no picture in it)`);
  return new CoreError('BAD_INPUT', `${name}: the ${format.toUpperCase()} image could not be decoded: it is truncated or corrupt (${why})`);
}

/** The description of an ICC profile ('desc' tag: ICC v2 text or v4 multi-language), or null. */
export function iccDescription(icc: Buffer): string | null {
  if (icc.length < 132) return null;
  const count = icc.readUInt32BE(128);
  for (let i = 0; i < count && 132 + i * 12 + 12 <= icc.length; i++) {
    const at = 132 + i * 12;
    if (icc.toString('latin1', at, at + 4) !== 'desc') continue;
    const off = icc.readUInt32BE(at + 4);
    if (off + 12 > icc.length) return null;
    const type = icc.toString('latin1', off, off + 4);
    if (type === 'desc') return icc.toString('latin1', off + 12, Math.min(icc.length, off + 12 + icc.readUInt32BE(off + 8))).replace(/\0+$/, '');
    if (type === 'mluc' && off + 28 <= icc.length) {
      const len = icc.readUInt32BE(off + 20);
      const start = off + icc.readUInt32BE(off + 24);
      return start + len <= icc.length ? Buffer.from(icc.subarray(start, start + len)).swap16().toString('utf16le') : null;
    }
    return null;
  }
  return null;
}

export interface Normalized {
  data: Buffer;
  mime: ImageMime;
  width: number;
  height: number;
  /** What storing changed that the user should know (first frame of an animation, colours converted…). */
  notes: string[];
}

/**
 * The form an image is stored in: fully decoded (a truncated or corrupt file is refused rather than half
 * stored), turned upright by its EXIF orientation, converted to 8-bit sRGB (CMYK and ICC profiles such as
 * Display P3 included), transparency flattened onto white, and re-encoded without any metadata (EXIF, XMP,
 * IPTC, ICC, comments: sharp writes none unless asked). GIF and lossless WebP become PNG, lossy WebP JPEG;
 * an animation keeps its first frame.
 */
export async function normalizeForStore(input: Buffer, sniffed: SniffedImage, name: string): Promise<Normalized> {
  const mime = storedMime(sniffed);
  const notes: string[] = [];
  try {
    const img = sharp(input, { failOn: 'error', limitInputPixels: MAX_INPUT_IMAGE_PIXELS, pages: 1 });
    const meta = await img.metadata();
    const frames = Math.max(meta.pages ?? 1, sniffed.frames ?? 1);
    if (frames > 1) notes.push(`animated ${sniffed.frames ? 'PNG (APNG)' : sniffed.format.toUpperCase()} with ${frames} frames: only the first frame is kept`);
    let pipeline = img.rotate(); // no argument: apply the EXIF orientation, then drop it
    if ((meta.orientation ?? 1) > 1) notes.push(`turned upright (EXIF orientation ${meta.orientation})`);
    // An embedded ICC profile is converted to sRGB by sharp; CMYK and other spaces need asking.
    if (meta.space && !['srgb', 'b-w', 'rgb16', 'grey16'].includes(meta.space)) pipeline = pipeline.toColourspace('srgb');
    if (meta.space === 'cmyk') notes.push(`CMYK colours converted to sRGB${meta.icc ? ' with its embedded profile' : ''}`);
    else if (meta.icc && meta.icc.toString('latin1', 36, 40) !== 'acsp') {
      // libvips cannot use a profile without the ICC signature and decodes the pixels as sRGB.
      notes.push('its embedded colour profile is unreadable and was ignored (colours taken as sRGB)');
    } else if (meta.icc) {
      const desc = iccDescription(meta.icc);
      if (!desc || !/sRGB/i.test(desc)) notes.push(`colours converted from its embedded profile${desc ? ` (${desc})` : ''} to sRGB`);
    }
    if (meta.depth === 'ushort') notes.push('16-bit channels reduced to 8-bit');
    // llama-server's image loader (stb_image, 3 channels) drops alpha and shows the colour underneath,
    // often black: transparency is flattened onto white here, as a browser shows it on a white page.
    if (meta.hasAlpha) {
      pipeline = pipeline.flatten({ background: '#ffffff' });
      if (!(await img.clone().stats()).isOpaque) notes.push('transparent areas flattened onto white');
    }
    const { data, info } = await encode(pipeline, mime, sniffed.lossless).toBuffer({ resolveWithObject: true });
    return { data, mime, width: info.width, height: info.height, notes };
  } catch (e) {
    throw decodeRefusal(name, sniffed.format, e);
  }
}

/**
 * A stored image at `width`×`height` as it is sent: re-encoded in its own format, except WebP (stores made
 * before WebP was converted on add), which llama-server cannot read: lossless or transparent WebP goes as
 * PNG, lossy as JPEG, transparency flattened onto white as storing does now. Same size: only converted.
 */
export async function reencodeForSending(stored: Buffer, mime: ImageMime, width: number, height: number): Promise<{ data: Buffer; mime: ImageMime }> {
  let img = sharp(stored, { limitInputPixels: MAX_INPUT_IMAGE_PIXELS });
  const meta = await img.metadata();
  if (meta.width !== width || meta.height !== height) img = img.resize(width, height, { fit: 'fill', kernel: 'lanczos3' });
  if (mime !== 'image/webp') return { data: await encode(img, mime, false).toBuffer(), mime };
  const lossless = sniffImage(stored, 'stored image').lossless || meta.hasAlpha === true;
  if (meta.hasAlpha) img = img.flatten({ background: '#ffffff' });
  const to: ImageMime = lossless ? 'image/png' : 'image/jpeg';
  return { data: await encode(img, to, false).toBuffer(), mime: to };
}

/** A small preview for lists: JPEG, or PNG where the image has transparency; longest side `size`. */
export async function thumbnailOf(stored: Buffer, size: number): Promise<string> {
  const img = sharp(stored).resize(size, size, { fit: 'inside', withoutEnlargement: true });
  const { hasAlpha } = await sharp(stored).metadata();
  const data = await (hasAlpha ? img.png() : img.jpeg({ quality: 80 })).toBuffer();
  return `data:image/${hasAlpha ? 'png' : 'jpeg'};base64,${data.toString('base64')}`;
}
