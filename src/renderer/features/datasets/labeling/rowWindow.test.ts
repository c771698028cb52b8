import { describe, expect, it } from 'vitest';
import { extendBackward, extendForward, openWindow, PAGE, positionOf, type FetchPage } from './rowWindow';

/** A filter over 250 rows ("status = new"); `labeled` rows leave it, as they do in the core. */
function fakeRows(labeled: Set<number>): FetchPage {
  return async (offset, limit) => {
    const all = Array.from({ length: 250 }, (_, i) => ({ id: i + 1, ord: i })).filter((r) => !labeled.has(r.id));
    return { rows: all.slice(offset, offset + limit), total: all.length, totalExact: true };
  };
}

describe('row window', () => {
  it('opens on the page holding startOffset', async () => {
    const { window, position } = await openWindow(fakeRows(new Set()), 130);
    expect(window.base).toBe(PAGE);
    expect(window.entries[0]?.id).toBe(101);
    expect(position).toBe(130);
    expect(window.total).toBe(250);
  });

  it('does not skip rows that moved up after earlier rows left the filter', async () => {
    const labeled = new Set<number>();
    const fetchPage = fakeRows(labeled);
    const { window } = await openWindow(fetchPage, 0);
    // The labeler handles the first 40 rows; they leave "status = new".
    for (let id = 1; id <= 40; id++) labeled.add(id);
    const next = await extendForward(window, fetchPage, labeled.size);
    const ids = next.entries.map((e) => e.id);
    expect(ids.slice(98, 102)).toEqual([99, 100, 101, 102]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(200);
  });

  it('pages backward from a later start and marks the end', async () => {
    const fetchPage = fakeRows(new Set());
    const { window } = await openWindow(fetchPage, 210);
    expect(window.end).toBe(true);
    const back = await extendBackward(window, fetchPage);
    expect(back.base).toBe(100);
    expect(positionOf(back, 101)).toBe(100);
    expect(positionOf(back, 250)).toBe(249);
  });
});
