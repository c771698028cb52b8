// A stored run's images back as Playground fields: which were attached and which filled `{{image:name}}`. Pure.
import type { RunRecord } from '../../../shared/runs.schema';
import { imageVariableOccurrences, type AttachedImage } from './imagePrompt';

export function imagesOfRun(record: Pick<RunRecord, 'images' | 'imageVariables' | 'userMessage'>): { images: AttachedImage[]; slots: Record<string, AttachedImage> } {
  const sent: AttachedImage[] = (record.images ?? []).map((i) => ({ hash: i.hash, name: i.name, width: i.width, height: i.height }));
  const slots: Record<string, AttachedImage> = {};
  if (record.imageVariables) {
    const rest = sent.slice();
    for (const [name, hash] of Object.entries(record.imageVariables)) {
      const at = rest.findIndex((i) => i.hash === hash);
      slots[name] = at === -1 ? { hash, name } : (rest.splice(at, 1)[0] as AttachedImage);
    }
    return { images: rest, slots };
  }
  // Records without the slot map: attached images go first (before the text), then one image for each
  // place a variable stands in the user message, in order (the core's layout, core/runs/imageRun.ts).
  const places = imageVariableOccurrences(record.userMessage);
  const attached = Math.max(0, sent.length - places.length);
  places.forEach((name, i) => {
    const img = sent[attached + i];
    if (img && !slots[name]) slots[name] = img;
  });
  return { images: sent.slice(0, attached), slots };
}
