// images.* over the transport, typed from the images contract. The images feature (src/core/images) wires
// these commands into the contract; until that lands here the call is typed from imagesCommands directly.
import type { z } from 'zod';
import { MAX_INPUT_IMAGE_BYTES, type imagesCommands, type StoredImage } from '../../shared/images.schema';
import { api, CommandError } from './bridge';

type ImagesCommands = typeof imagesCommands;
type ImageCommand = keyof ImagesCommands;

type LooseInvoke = (name: string, input: unknown) => Promise<unknown>;

export function invokeImages<N extends ImageCommand>(name: N, input: z.input<ImagesCommands[N]['input']>): Promise<z.output<ImagesCommands[N]['output']>> {
  return (api.invoke as unknown as LooseInvoke)(name, input) as Promise<z.output<ImagesCommands[N]['output']>>;
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
  return invokeImages('images.addData', { name, dataBase64: await fileToBase64(file) });
}

const thumbCache = new Map<string, Promise<string>>();

/** A thumbnail data URL, fetched once per hash and size for the page's life. */
export function imageThumbnail(hash: string, size = 160): Promise<string> {
  const key = `${hash}:${size}`;
  let p = thumbCache.get(key);
  if (!p) {
    p = invokeImages('images.thumbnail', { hash, size }).then((r) => r.dataUrl);
    // A failure is not cached: the image may arrive (or the host come back) later.
    p.catch(() => thumbCache.delete(key));
    thumbCache.set(key, p);
  }
  return p;
}
