// images.* over the transport (the contract has them: plain api.invoke), and file → stored image.
import type { CommandInput, CommandName, CommandOutput } from '../../shared/contract';
import { MAX_INPUT_IMAGE_BYTES, type StoredImage } from '../../shared/images.schema';
import { api, CommandError } from './bridge';

type ImageCommand = Extract<CommandName, `images.${string}`>;

/** api.invoke narrowed to the images.* commands (kept for the callers that import it). */
export function invokeImages<N extends ImageCommand>(name: N, input: CommandInput<N>): Promise<CommandOutput<N>> {
  return api.invoke(name, input);
}

/** Base64 of a file's bytes (no data: prefix), in chunks so a large file does not blow the call stack. */
export async function fileToBase64(file: Blob): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(binary);
}

/**
 * Stores a dropped, pasted or picked file with the core (images.addData), in Electron and the browser host
 * alike: the bytes travel once, the core decodes and checks them (a HEIC or PDF is refused there, by name).
 */
export async function addImageFile(file: File, fallbackName = 'pasted image'): Promise<StoredImage> {
  const name = (file.name || fallbackName).slice(0, 255);
  if (file.size === 0) throw new CommandError('BAD_INPUT', `${name} is empty (0 bytes)`);
  if (file.size > MAX_INPUT_IMAGE_BYTES) {
    throw new CommandError('BAD_INPUT', `${name} is ${Math.round(file.size / 1024 / 1024)} MiB; images up to ${MAX_INPUT_IMAGE_BYTES / 1024 / 1024} MiB are accepted`);
  }
  return api.invoke('images.addData', { name, dataBase64: await fileToBase64(file) });
}

const thumbCache = new Map<string, Promise<string>>();

/** A thumbnail data URL, fetched once per hash and size for the page's life. */
export function imageThumbnail(hash: string, size = 160): Promise<string> {
  const key = `${hash}:${size}`;
  let p = thumbCache.get(key);
  if (!p) {
    p = api.invoke('images.thumbnail', { hash, size }).then((r) => r.dataUrl);
    // A failure is not cached: the image may arrive (or the host come back) later.
    p.catch(() => thumbCache.delete(key));
    thumbCache.set(key, p);
  }
  return p;
}
