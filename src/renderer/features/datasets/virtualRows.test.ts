import { describe, expect, it } from 'vitest';
import { MAX_SCROLL_PX, pagesFor, pagesToDrop, rowTop, rowWindow, scrollToShow } from './virtualRows';

const base = { viewportHeight: 300, rowHeight: 30, overscan: 5 };

describe('rowWindow', () => {
  it('draws the visible rows plus overscan, clamped to the data', () => {
    const w = rowWindow({ ...base, scrollTop: 0, total: 1000 });
    expect([w.first, w.end]).toEqual([0, 16]);
    expect(w.scrollHeight).toBe(30_000);
    const mid = rowWindow({ ...base, scrollTop: 3000, total: 1000 });
    expect([mid.first, mid.end]).toEqual([95, 116]);
    expect(rowTop(mid, 100)).toBe(3000);
  });
  it('handles fewer rows than fit and an empty set', () => {
    expect(rowWindow({ ...base, scrollTop: 0, total: 3 })).toMatchObject({ first: 0, end: 3, scrollHeight: 90 });
    expect(rowWindow({ ...base, scrollTop: 50, total: 0 })).toMatchObject({ first: 0, end: 0, scrollHeight: 0 });
  });
  it('scales a million tall rows into the browser height limit, reaching the last row at the bottom', () => {
    const total = 1_000_000;
    const top = rowWindow({ ...base, scrollTop: 0, total });
    expect(top.scrollHeight).toBe(MAX_SCROLL_PX);
    expect(top.first).toBe(0);
    const bottom = rowWindow({ ...base, scrollTop: MAX_SCROLL_PX - 300, total });
    expect(bottom.end).toBe(total);
    // The last row ends exactly at the bottom of the viewport.
    expect(rowTop(bottom, total - 1) + 30).toBeCloseTo(MAX_SCROLL_PX, 6);
    const half = rowWindow({ ...base, scrollTop: (MAX_SCROLL_PX - 300) / 2, total });
    expect(half.first).toBeGreaterThan(499_000);
    expect(half.first).toBeLessThan(501_000);
  });
});

describe('pages', () => {
  it('lists the pages a row range touches', () => {
    expect(pagesFor(95, 116, 100)).toEqual([0, 1]);
    expect(pagesFor(0, 16, 100)).toEqual([0]);
    expect(pagesFor(5, 5, 100)).toEqual([]);
  });
  it('drops pages far from the window only', () => {
    expect(pagesToDrop([0, 1, 2, 7, 50], [5, 6], 2)).toEqual([0, 1, 2, 50].filter((p) => p < 3 || p > 8));
    expect(pagesToDrop([3, 4], [], 2)).toEqual([]);
  });
});

describe('scrollToShow', () => {
  const at = (scrollTop: number, total = 1000) => ({ scrollTop, viewportHeight: 300, rowHeight: 30, total });
  it('scrolls only when the row is out of view, to the nearest edge', () => {
    expect(scrollToShow(5, at(0))).toBeNull();
    expect(scrollToShow(10, at(0))).toBe(30);
    expect(scrollToShow(2, at(300))).toBe(60);
    expect(scrollToShow(999, at(0))).toBe(30_000 - 300);
  });
  it('maps through the scale for huge sets', () => {
    const s = scrollToShow(999_999, at(0, 1_000_000));
    expect(s).toBe(MAX_SCROLL_PX - 300);
  });
});
