// Images in a prompt, as the Playground and Compare hold them: attached images, `{{image:name}}` slots, the
// request fields they become, token totals, and whether a target takes images at all. Pure.
import { DEFAULT_MAX_IMAGE_PIXELS, MAX_IMAGES_PER_RUN, type PromptImage, type StoredImage } from '../../../shared/images.schema';
import type { RenderedPrompt, RunTarget } from '../../../shared/runs.schema';
import type { TargetCheck, TargetInfo } from '../../../shared/targets.schema';
import { extractImageVariables, splitImageVariables } from '../../../shared/template';
import { cleanNotes } from './imageNotes';

// One definition of `{{image:name}}` (shared/template.ts), as the core and the CLI read it.
export { extractImageVariables };

/** An attached image with what the UI shows beside its thumbnail (size known once stored). */
export interface AttachedImage extends PromptImage {
  width?: number;
  height?: number;
  bytes?: number;
  /** What storing it changed (StoredImage.notes), shown under its thumbnail while it is in the draft. */
  notes?: string[];
}

/** Every place a `{{image:name}}` stands, in order, repeats included (each place is one image sent). */
export function imageVariableOccurrences(text: string): string[] {
  // Every name given a value, so the shared splitter turns each place into an image part.
  const values = Object.fromEntries(extractImageVariables(text).map((n) => [n, n]));
  return splitImageVariables(text, values).parts.flatMap((p) => (p.kind === 'image' ? [p.name] : []));
}

export function attachedFromStored(s: StoredImage): AttachedImage {
  const notes = cleanNotes(s.notes);
  return { hash: s.hash, name: s.name, width: s.width, height: s.height, bytes: s.bytes, ...(notes.length ? { notes } : {}) };
}

/** Adds an image unless the same bytes are already attached; refuses past the per-run limit. */
export function withImage(list: readonly AttachedImage[], image: AttachedImage): { images: AttachedImage[]; error: string | null } {
  if (list.some((i) => i.hash === image.hash)) return { images: list.slice(), error: null };
  if (list.length >= MAX_IMAGES_PER_RUN) return { images: list.slice(), error: `At most ${MAX_IMAGES_PER_RUN} images per message; ${image.name} was not attached.` };
  return { images: [...list, image], error: null };
}

/** The request's image fields: attached images and the filled slots of the variables the user message names now (the core places images in the user message only). */
export function imageRequestFields(
  images: readonly AttachedImage[],
  slots: Readonly<Record<string, AttachedImage>>,
  texts: readonly string[],
): { images?: PromptImage[]; imageVariables?: Record<string, string>; missing: string[] } {
  const names = extractImageVariables(...texts);
  const imageVariables: Record<string, string> = {};
  const missing: string[] = [];
  for (const n of names) {
    const slot = slots[n];
    if (slot) imageVariables[n] = slot.hash;
    else missing.push(n);
  }
  return {
    ...(images.length ? { images: images.map((i) => ({ hash: i.hash, name: i.name })) } : {}),
    ...(names.length ? { imageVariables } : {}),
    missing,
  };
}

/** How many images a request carries (attached plus filled slots). */
export function imageCount(fields: { images?: readonly unknown[]; imageVariables?: Readonly<Record<string, string>> }): number {
  return (fields.images?.length ?? 0) + Object.keys(fields.imageVariables ?? {}).length;
}

/** "Fill in the image {{image:a}} first" for slots without a file. */
export function missingImagesMessage(missing: readonly string[]): string | null {
  if (!missing.length) return null;
  const names = missing.map((n) => `{{image:${n}}}`).join(', ');
  return `Choose ${missing.length === 1 ? 'an image for' : 'images for'} ${names} first.`;
}

/** The image parts of a rendered prompt and their estimated tokens (null when no part has an estimate). */
export function imageTokenTotal(parts: RenderedPrompt['parts']): number | null {
  let total: number | null = null;
  for (const p of parts ?? []) if (p.kind === 'image' && p.estTokens != null) total = (total ?? 0) + p.estTokens;
  return total;
}

export type Acceptance = { ok: true; maxPixels: number | null } | { ok: false; reason: string };

/**
 * Whether a run target takes images, as far as the UI can tell; the core decides again and refuses anyway.
 * Local models are left to the core (it knows whether the vision engine holds the model with a projector).
 * 'auto' with no check yet is left to the core too; a check that lists the model without saying it takes
 * images counts as text-only, as the core counts it.
 */
export function imageAcceptance(target: RunTarget | null, info: TargetInfo | undefined, check: TargetCheck | undefined): Acceptance {
  if (!target || target.kind === 'local') return { ok: true, maxPixels: null };
  const maxPixels = info?.maxImagePixels ?? DEFAULT_MAX_IMAGE_PIXELS;
  const name = info?.name ?? 'this target';
  const mode = info?.acceptsImages ?? 'auto';
  if (mode === 'yes') return { ok: true, maxPixels };
  if (mode === 'no') return { ok: false, reason: `${name} is set to text only (Accepts images: no in Targets); remove the images or pick a vision target.` };
  if (!check) return { ok: true, maxPixels };
  const model = check.models.find((m) => m.id === target.model);
  if (model?.vision === true) return { ok: true, maxPixels };
  if (model?.vision === false) return { ok: false, reason: `${name} says ${target.model} takes no images; remove the images or pick a vision model.` };
  return { ok: false, reason: `${name} does not say whether ${target.model} takes images; set Accepts images to yes in Targets if it does.` };
}

/** "1,003,520 px (≈ 1002×1002)" */
export function describePixels(pixels: number): string {
  const side = Math.round(Math.sqrt(pixels));
  return `${pixels.toLocaleString('en-US')} px (≈ ${side}×${side})`;
}
