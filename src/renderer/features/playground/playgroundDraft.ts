// The Playground's draft (texts, variables, images by hash) kept across a reload of the tab. sessionStorage,
// not localStorage: it is this tab's work, and in the browser host another profile may use the same origin.
import type { AttachedImage } from '../../ui/images/imagePrompt';

export interface PlaygroundDraft {
  systemPrompt: string;
  userMessage: string;
  variables: Record<string, string>;
  images: AttachedImage[];
  imageSlots: Record<string, AttachedImage>;
}

const KEY = 'lamplight.playground.draft';
const HASH = /^[0-9a-f]{64}$/;

const isRecordOfStrings = (v: unknown): v is Record<string, string> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');

function image(v: unknown): AttachedImage | null {
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  if (typeof o.hash !== 'string' || !HASH.test(o.hash) || typeof o.name !== 'string') return null;
  const num = (x: unknown): number | undefined => (typeof x === 'number' && Number.isFinite(x) ? x : undefined);
  const notes = Array.isArray(o.notes) ? o.notes.filter((n): n is string => typeof n === 'string') : [];
  return { hash: o.hash, name: o.name, width: num(o.width), height: num(o.height), bytes: num(o.bytes), ...(notes.length ? { notes } : {}) };
}

/** A stored draft, or null when there is none or it is not one (a draft from another version is dropped). */
export function parseDraft(text: string | null): PlaygroundDraft | null {
  if (!text) return null;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  if (typeof o.systemPrompt !== 'string' || typeof o.userMessage !== 'string' || !isRecordOfStrings(o.variables)) return null;
  const images = Array.isArray(o.images) ? o.images.map(image).filter((i): i is AttachedImage => i !== null) : [];
  const imageSlots: Record<string, AttachedImage> = {};
  if (typeof o.imageSlots === 'object' && o.imageSlots !== null) {
    for (const [k, x] of Object.entries(o.imageSlots)) {
      const img = image(x);
      if (img) imageSlots[k] = img;
    }
  }
  return { systemPrompt: o.systemPrompt, userMessage: o.userMessage, variables: o.variables, images, imageSlots };
}

export function loadDraft(): PlaygroundDraft | null {
  try {
    return parseDraft(globalThis.sessionStorage?.getItem(KEY) ?? null);
  } catch {
    return null; // storage disabled
  }
}

export function saveDraft(d: PlaygroundDraft): void {
  try {
    globalThis.sessionStorage?.setItem(KEY, JSON.stringify(d));
  } catch {
    // full or disabled: the draft is a convenience
  }
}
