// What guard.previewImage says for one (image, remote target), asked once: OCR takes a second or two, and the
// rendered prompt re-renders on every keystroke, so each pair is fetched once and shared by every caller.
import type { ImagePreview } from '../../../shared/guard.schema';

export type PreviewFetch = (hash: string, targetId: string) => Promise<ImagePreview>;

export class GuardPreviewCache {
  private readonly entries = new Map<string, Promise<ImagePreview>>();
  constructor(private readonly fetch: PreviewFetch) {}

  /** The preview for this pair; a failed fetch is forgotten so the next render asks again. */
  get(hash: string, targetId: string): Promise<ImagePreview> {
    const key = `${targetId}\u0000${hash}`;
    const hit = this.entries.get(key);
    if (hit) return hit;
    const p = this.fetch(hash, targetId);
    this.entries.set(key, p);
    p.catch(() => {
      if (this.entries.get(key) === p) this.entries.delete(key);
    });
    return p;
  }

  /** Forget every answer (the image policy changed). */
  clear(): void {
    this.entries.clear();
  }
}

/** "2 regions painted: id_card 1, phone 1" — counts by type, never values. */
export function regionsLine(counts: Record<string, number>): string {
  const entries = Object.entries(counts).filter(([, n]) => n > 0);
  const total = entries.reduce((a, [, n]) => a + n, 0);
  if (total === 0) return 'nothing found to paint over';
  const by = entries.map(([t, n]) => `${t} ${n}`).join(', ');
  return `${total} ${total === 1 ? 'region' : 'regions'} painted: ${by}`;
}
