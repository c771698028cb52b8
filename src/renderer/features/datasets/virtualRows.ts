// Window math for the virtualized dataset grid: which rows a scroll position shows, which pages of rows
// they need, and which cached pages are far enough away to drop. Pure, so it is unit-tested in node.

/** Browsers cap an element's height (Chrome ~33.5M px, Firefox ~17.9M px): taller content is scaled. */
export const MAX_SCROLL_PX = 15_000_000;

export interface RowWindow {
  /** First row drawn (inclusive) and the row after the last one drawn (exclusive). */
  first: number;
  end: number;
  /** Height of the scrollable spacer. */
  scrollHeight: number;
  /** Where row `i` is drawn, in the spacer's coordinates, is `rowTop(window, i)`. */
  offset: number;
  rowHeight: number;
}

export interface WindowInput {
  scrollTop: number;
  viewportHeight: number;
  rowHeight: number;
  total: number;
  overscan: number;
}

/**
 * Rows visible at `scrollTop`, plus `overscan` rows each side. When all rows would be taller than
 * MAX_SCROLL_PX, the scrollbar covers them proportionally: the top maps to row 0, the bottom to the last row.
 */
export function rowWindow({ scrollTop, viewportHeight, rowHeight, total, overscan }: WindowInput): RowWindow {
  const contentHeight = total * rowHeight;
  const scrollHeight = Math.min(contentHeight, MAX_SCROLL_PX);
  const maxScroll = Math.max(0, scrollHeight - viewportHeight);
  const top = Math.max(0, Math.min(scrollTop, maxScroll));
  const virtualMax = Math.max(0, contentHeight - viewportHeight);
  const virtualTop = maxScroll > 0 ? (top / maxScroll) * virtualMax : 0;
  const firstVisible = Math.floor(virtualTop / rowHeight);
  const visibleCount = Math.ceil(viewportHeight / rowHeight) + 1;
  const first = Math.max(0, firstVisible - overscan);
  const end = Math.min(total, firstVisible + visibleCount + overscan);
  // Row i sits at virtual position i*rowHeight; shift so the virtual top lands at the real scroll top.
  return { first, end, scrollHeight, offset: top - virtualTop, rowHeight };
}

export function rowTop(w: RowWindow, index: number): number {
  return w.offset + index * w.rowHeight;
}

/** Page numbers (of `pageSize` rows) that rows [first, end) fall in. */
export function pagesFor(first: number, end: number, pageSize: number): number[] {
  if (end <= first) return [];
  const pages: number[] = [];
  for (let p = Math.floor(first / pageSize); p <= Math.floor((end - 1) / pageSize); p++) pages.push(p);
  return pages;
}

/** Cached pages more than `keep` pages away from the needed ones: dropped so memory stays flat. */
export function pagesToDrop(cached: Iterable<number>, needed: readonly number[], keep: number): number[] {
  if (needed.length === 0) return [];
  const lo = Math.min(...needed) - keep;
  const hi = Math.max(...needed) + keep;
  return [...cached].filter((p) => p < lo || p > hi);
}

/** The scrollTop that brings row `index` fully into view (at the nearest edge), or null when it already is. */
export function scrollToShow(index: number, input: Omit<WindowInput, 'overscan'>): number | null {
  const { scrollTop, viewportHeight, rowHeight, total } = input;
  const contentHeight = total * rowHeight;
  const maxScroll = Math.max(0, Math.min(contentHeight, MAX_SCROLL_PX) - viewportHeight);
  const virtualMax = Math.max(0, contentHeight - viewportHeight);
  if (maxScroll === 0 || virtualMax === 0) return null;
  const virtualTop = (Math.min(scrollTop, maxScroll) / maxScroll) * virtualMax;
  let want: number | null = null;
  if (index * rowHeight < virtualTop) want = index * rowHeight;
  else if ((index + 1) * rowHeight > virtualTop + viewportHeight) want = (index + 1) * rowHeight - viewportHeight;
  if (want === null) return null;
  return Math.max(0, Math.min(maxScroll, (want / virtualMax) * maxScroll));
}
