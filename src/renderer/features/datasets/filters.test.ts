import { describe, expect, it } from 'vitest';
import { activeFilterCount, badTokenBound, countText, EMPTY_FILTER, toRowFilter } from './filters';

describe('toRowFilter', () => {
  it('maps an empty form to a filter that narrows nothing', () => {
    expect(toRowFilter(EMPTY_FILTER)).toEqual({
      search: '',
      status: null,
      label: null,
      tag: null,
      labelerId: null,
      minTokens: null,
      maxTokens: null,
      duplicate: null,
      pii: null,
      split: null,
    });
    expect(activeFilterCount(EMPTY_FILTER)).toBe(0);
  });
  it('maps each field, trimming text and reading token bounds', () => {
    const f = toRowFilter({
      ...EMPTY_FILTER,
      search: '  北京市 ',
      status: 'accepted',
      label: 'topic=math',
      tag: ' hard ',
      minTokens: '10',
      maxTokens: ' 200 ',
      duplicate: 'near',
      pii: 'no',
      split: 'train',
    });
    expect(f).toMatchObject({ search: '北京市', status: 'accepted', label: 'topic=math', tag: 'hard', minTokens: 10, maxTokens: 200, duplicate: 'near', pii: false, split: 'train' });
    expect(toRowFilter({ ...EMPTY_FILTER, pii: 'yes' }).pii).toBe(true);
  });
  it('ignores token bounds that are not whole numbers, and says so', () => {
    expect(toRowFilter({ ...EMPTY_FILTER, minTokens: '-3', maxTokens: '1.5' })).toMatchObject({ minTokens: null, maxTokens: null });
    expect(badTokenBound('abc')).toBe(true);
    expect(badTokenBound('')).toBe(false);
    expect(badTokenBound('12')).toBe(false);
  });
});

describe('countText', () => {
  it('marks a capped count with a plus', () => {
    expect(countText(100_000, false)).toBe('100,000+ rows');
    expect(countText(1, true)).toBe('1 row');
    expect(countText(0, true)).toBe('0 rows');
  });
});
