import { describe, expect, it } from 'vitest';
import { emptySelection, keepListed, toggle, toggleAll } from './selection';

const order = ['a', 'b', 'c', 'd', 'e'];
const ids = (s: { ids: ReadonlySet<string> }) => [...s.ids].sort();

describe('history selection', () => {
  it('a click toggles one row and becomes the anchor', () => {
    const s1 = toggle(emptySelection, order, 'b', false);
    expect(ids(s1)).toEqual(['b']);
    expect(s1.anchor).toBe('b');
    expect(ids(toggle(s1, order, 'b', false))).toEqual([]);
  });

  it('Shift-click selects the range from the anchor, either direction, and keeps the anchor', () => {
    const s1 = toggle(emptySelection, order, 'b', false);
    const s2 = toggle(s1, order, 'd', true);
    expect(ids(s2)).toEqual(['b', 'c', 'd']);
    expect(s2.anchor).toBe('b');
    // Back up from the same anchor: the range a..b on top of what is ticked.
    expect(ids(toggle(s2, order, 'a', true))).toEqual(['a', 'b', 'c', 'd']);
    // Shift-click on a ticked row clears the range.
    expect(ids(toggle(s2, order, 'c', true))).toEqual(['d']);
  });

  it('Shift-click without an anchor (or one no longer listed) toggles just that row', () => {
    expect(ids(toggle(emptySelection, order, 'c', true))).toEqual(['c']);
    expect(ids(toggle({ ids: new Set(), anchor: 'zz' }, order, 'c', true))).toEqual(['c']);
  });

  it('keeps only listed ids; select all toggles', () => {
    const s = keepListed({ ids: new Set(['a', 'x']), anchor: 'x' }, order);
    expect(ids(s)).toEqual(['a']);
    expect(s.anchor).toBeNull();
    expect(ids(toggleAll(s, order))).toEqual(order);
    expect(ids(toggleAll({ ids: new Set(order), anchor: null }, order))).toEqual([]);
  });
});
