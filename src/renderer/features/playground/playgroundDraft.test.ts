import { describe, expect, it } from 'vitest';
import { parseDraft } from './playgroundDraft';

const h = 'ab'.repeat(32);

describe('parseDraft', () => {
  it('reads back what was saved, images by hash', () => {
    const d = { systemPrompt: 's', userMessage: 'see {{image:r}}', variables: { a: '1' }, images: [{ hash: h, name: 'a.png', width: 4, height: 3, bytes: 9 }], imageSlots: { r: { hash: h, name: 'r.png' } } };
    expect(parseDraft(JSON.stringify(d))).toEqual({ ...d, imageSlots: { r: { hash: h, name: 'r.png', width: undefined, height: undefined, bytes: undefined } } });
  });

  it('keeps what storing an image changed with the image, strings only', () => {
    const d = { systemPrompt: '', userMessage: '', variables: {}, images: [{ hash: h, name: 'a.gif', notes: ['animated GIF with 2 frames: only the first frame is kept', 7] }, { hash: h, name: 'b.png', notes: 'x' }] };
    expect(parseDraft(JSON.stringify(d))?.images.map((i) => i.notes)).toEqual([['animated GIF with 2 frames: only the first frame is kept'], undefined]);
  });

  it('drops what is not a draft, and images that are not hashes', () => {
    expect(parseDraft(null)).toBeNull();
    expect(parseDraft('{')).toBeNull();
    expect(parseDraft(JSON.stringify({ systemPrompt: 1, userMessage: '', variables: {} }))).toBeNull();
    const d = parseDraft(JSON.stringify({ systemPrompt: '', userMessage: '', variables: {}, images: [{ hash: 'nope', name: 'x' }, { hash: h, name: 'ok' }] }));
    expect(d?.images.map((i) => i.name)).toEqual(['ok']);
    expect(d?.imageSlots).toEqual({});
  });
});
