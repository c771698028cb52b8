import { describe, expect, it } from 'vitest';
import type { ImagePreview } from '../../../shared/guard.schema';
import { GuardPreviewCache, regionsLine } from './guardPreviewCache';

const redacted: ImagePreview = { action: 'redact', dataUrl: 'data:image/png;base64,AA==', regions: [], counts: { id_card: 1 } };

describe('GuardPreviewCache', () => {
  it('asks once per (hash, target) and shares the answer', async () => {
    const calls: string[] = [];
    const c = new GuardPreviewCache((h, t) => {
      calls.push(`${h}@${t}`);
      return Promise.resolve(redacted);
    });
    const [a, b] = await Promise.all([c.get('h1', 't1'), c.get('h1', 't1')]);
    await c.get('h1', 't2');
    expect(a).toBe(b);
    expect(calls).toEqual(['h1@t1', 'h1@t2']);
  });

  it('forgets a failed fetch so the next call asks again', async () => {
    let n = 0;
    const c = new GuardPreviewCache(() => (++n === 1 ? Promise.reject(new Error('ocr down')) : Promise.resolve(redacted)));
    await expect(c.get('h', 't')).rejects.toThrow('ocr down');
    await expect(c.get('h', 't')).resolves.toBe(redacted);
    expect(n).toBe(2);
  });
});

describe('regionsLine', () => {
  it('counts by type, singular and plural', () => {
    expect(regionsLine({ id_card: 1 })).toBe('1 region painted: id_card 1');
    expect(regionsLine({ id_card: 1, phone: 2 })).toBe('3 regions painted: id_card 1, phone 2');
    expect(regionsLine({})).toBe('nothing found to paint over');
  });
});
