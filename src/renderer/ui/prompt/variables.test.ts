import { describe, expect, it } from 'vitest';
import { extractVariables, filledVariables, sameVariables, syncVariables } from './variables';

describe('extractVariables (shared definition)', () => {
  it('finds names across system and user text in first-seen order', () => {
    expect(extractVariables('You are {{ role }}.', 'Write about {{topic}} for {{role}} in {{lang}}')).toEqual(['role', 'topic', 'lang']);
    expect(extractVariables('no vars {here} {{ 1bad }}', '')).toEqual([]);
  });
});

describe('syncVariables', () => {
  it('keeps values while names exist and adds blanks for new names', () => {
    const r = syncVariables(['topic', 'tone'], { topic: 'cats' }, {});
    expect(r.values).toEqual({ topic: 'cats', tone: '' });
  });
  it('drops values of vanished names but remembers them', () => {
    const gone = syncVariables(['tone'], { topic: 'cats', tone: 'dry' }, {});
    expect(gone.values).toEqual({ tone: 'dry' });
    const back = syncVariables(['tone', 'topic'], gone.values, gone.memory);
    expect(back.values).toEqual({ tone: 'dry', topic: 'cats' });
  });
  it('compares records by keys, order and values', () => {
    expect(sameVariables({ a: '1', b: '' }, { a: '1', b: '' })).toBe(true);
    expect(sameVariables({ a: '1' }, { a: '2' })).toBe(false);
    expect(sameVariables({ a: '1', b: '' }, { b: '', a: '1' })).toBe(false);
  });
});

describe('filledVariables', () => {
  it('leaves out empty values so they count as missing', () => {
    expect(filledVariables({ topic: 'owls', style: '', tone: ' ' })).toEqual({ topic: 'owls', tone: ' ' });
  });
});
