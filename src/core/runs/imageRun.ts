// The images of a run: which go where in the user message (attached ones first, then each {{image:name}}
// where it stands), the refusals known before anything is sent, and the preparation of the bytes that are
// sent (under the target's pixel budget), timed apart from the reply so TTFT starts after it.
import { performance } from 'node:perf_hooks';
import type { RunImage } from '../../shared/images.schema';
import type { RenderedPrompt, RunRequest } from '../../shared/runs.schema';
import { splitImageVariables, type TemplatePart } from '../../shared/template';
import { CoreError } from '../errors';
import { imagePart, type ChatContentPart } from '../remote/openaiClient';
import type { RunImageStore } from './runPorts';

type ImageRef = { hash: string; name: string };
export type ImagePart = TemplatePart<ImageRef>;

/** The user message as ordered parts with images; missing image variables named. */
export function imageLayout(req: Pick<RunRequest, 'images' | 'imageVariables'>, userText: string): { parts: ImagePart[]; missing: string[]; count: number } {
  const values: Record<string, ImageRef> = {};
  for (const [name, hash] of Object.entries(req.imageVariables ?? {})) values[name] = { hash, name };
  const split = splitImageVariables(userText, values);
  const attached: ImagePart[] = (req.images ?? []).map((i) => ({ kind: 'image', name: i.name, value: { hash: i.hash, name: i.name } }));
  const parts = [...attached, ...split.parts];
  return { parts, missing: split.missing, count: parts.filter((p) => p.kind === 'image').length };
}

/** Refuses a run whose {{image:name}} variables have no image, naming them (like text variables). */
export function assertImagesFilled(missing: readonly string[]): void {
  if (missing.length === 0) return;
  const names = missing.map((n) => `{{image:${n}}}`).join(', ');
  throw new CoreError('BAD_INPUT', `imageVariables: no image for ${names}; attach one to each image variable before running`);
}

/** Every image must be in the store before the run is stored (throws the store's NOT_FOUND naming it). */
export function assertImagesStored(parts: readonly ImagePart[], store: RunImageStore | null): void {
  if (!parts.some((p) => p.kind === 'image')) return;
  if (!store) throw new CoreError('CONFLICT', 'images: this Lamplight has no image store; images cannot be sent');
  for (const p of parts) if (p.kind === 'image') store.get(p.value.hash);
}

export interface PreparedParts {
  parts: ChatContentPart[];
  images: RunImage[];
  /** Wall time of preparing them all (decode, strip, downscale, re-encode), before the request is sent. */
  prepareMs: number;
  /** Estimated visual tokens of all images (null when the store cannot estimate). */
  estTokens: number | null;
}

/** Prepares each image under the budget and builds the content parts in order. */
export async function prepareParts(parts: readonly ImagePart[], store: RunImageStore, maxPixels: number): Promise<PreparedParts> {
  const t0 = performance.now();
  const out: ChatContentPart[] = [];
  const images: RunImage[] = [];
  let est: number | null = 0;
  for (const p of parts) {
    if (p.kind === 'text') {
      out.push({ type: 'text', text: p.text });
      continue;
    }
    const prepared = await store.prepare(p.value.hash, maxPixels);
    out.push(imagePart(prepared.mime, prepared.data));
    images.push({ hash: prepared.hash, sentHash: prepared.sentHash, width: prepared.width, height: prepared.height, bytes: prepared.bytes, name: p.value.name });
    est = est === null || prepared.estTokens === null ? null : est + prepared.estTokens;
  }
  return { parts: out, images, prepareMs: performance.now() - t0, estTokens: est };
}

/** prompt.render's image fields: the parts with each image's token estimate under the budget. */
export async function renderImageParts(
  parts: readonly ImagePart[],
  missing: string[],
  store: RunImageStore | null,
  maxPixels: number,
  /** The loaded projector's own count, for a local model on the vision engine (else Qwen2-VL's rules). */
  projector?: (width: number, height: number) => number | null,
): Promise<Pick<RenderedPrompt, 'parts' | 'imageTokens' | 'missingImages'>> {
  if (!parts.some((p) => p.kind === 'image')) return missing.length ? { missingImages: missing } : {};
  let total: number | null = 0;
  const out: NonNullable<RenderedPrompt['parts']> = [];
  for (const p of parts) {
    if (p.kind === 'text') {
      out.push({ kind: 'text', text: p.text });
      continue;
    }
    let est: number | null = null;
    try {
      est = store ? (await store.prepare(p.value.hash, maxPixels, { projector })).estTokens : null;
    } catch {
      // An image that cannot be prepared is refused by the run with its reason; the preview shows no estimate.
    }
    total = total === null || est === null ? null : total + est;
    out.push({ kind: 'image', hash: p.value.hash, name: p.value.name, estTokens: est });
  }
  return { parts: out, imageTokens: total, missingImages: missing };
}
