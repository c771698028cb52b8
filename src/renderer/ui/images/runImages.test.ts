import { describe, expect, it } from 'vitest';
import { imagesOfRun } from './runImages';

const img = (c: string, name: string) => ({ hash: c.repeat(64), sentHash: c.repeat(64), name, width: 8, height: 6, bytes: 100 });

describe('imagesOfRun', () => {
  it('puts the slot map back and keeps the rest attached, in order', () => {
    const r = imagesOfRun({ userMessage: 'see {{image:receipt}}', images: [img('a', 'a.png'), img('b', 'b.png'), img('c', 'r.png')], imageVariables: { receipt: 'c'.repeat(64) } });
    expect(r.images.map((i) => i.name)).toEqual(['a.png', 'b.png']);
    expect(r.slots.receipt).toMatchObject({ hash: 'c'.repeat(64), name: 'r.png', width: 8 });
  });

  it('without a slot map, reads the last images as the variables in order of appearance', () => {
    const r = imagesOfRun({ userMessage: '{{image:logo}} x {{image:receipt}} and {{image:logo}}', images: [img('a', 'a.png'), img('b', 'l.png'), img('c', 'r.png'), img('b', 'l.png')] });
    expect(r.images.map((i) => i.name)).toEqual(['a.png']);
    expect(r.slots.logo?.name).toBe('l.png');
    expect(r.slots.receipt?.name).toBe('r.png');
  });

  it('gives nothing for a text run', () => {
    expect(imagesOfRun({ userMessage: 'hi' })).toEqual({ images: [], slots: {} });
  });
});
