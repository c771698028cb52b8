// The ids of the rows a labeler walks, fetched 100 at a time around the current position. Labeling can
// move a row out of the filter (status "new" → accepted), which shifts the offsets of later pages; so
// forward pages are asked for a little early and rows already seen (by ord) are dropped. Pure.

export const PAGE = 100;

export interface RowEntry {
  id: number;
  ord: number;
}

export interface RowWindow {
  /** Offset (in the filtered order, as first seen) of entries[0]. */
  base: number;
  entries: RowEntry[];
  /** Matching rows when the panel opened; later pages may find fewer. */
  total: number;
  totalExact: boolean;
  /** No more rows after the last entry. */
  end: boolean;
}

export interface PageOut {
  rows: readonly RowEntry[];
  total: number;
  totalExact: boolean;
}

export type FetchPage = (offset: number, limit: number) => Promise<PageOut>;

export async function openWindow(fetchPage: FetchPage, startOffset: number): Promise<{ window: RowWindow; position: number }> {
  let base = Math.max(0, Math.floor(startOffset / PAGE) * PAGE);
  let page = await fetchPage(base, PAGE);
  if (page.rows.length === 0 && page.total > 0 && base > 0) {
    base = Math.floor((page.total - 1) / PAGE) * PAGE;
    page = await fetchPage(base, PAGE);
  }
  const entries = [...page.rows];
  const window: RowWindow = { base, entries, total: page.total, totalExact: page.totalExact, end: entries.length < PAGE };
  const position = Math.min(Math.max(startOffset, base), base + Math.max(0, entries.length - 1));
  return { window, position };
}

/**
 * Appends the next page. `shift` is how many listed rows this session changed (and so may have left the
 * filter): the page is fetched that much earlier and rows not after the last known ord are dropped.
 */
export async function extendForward(win: RowWindow, fetchPage: FetchPage, shift: number): Promise<RowWindow> {
  if (win.end) return win;
  const lastOrd = win.entries.length ? (win.entries[win.entries.length - 1] as RowEntry).ord : -Infinity;
  let offset = Math.max(win.base, win.base + win.entries.length - Math.max(0, shift));
  for (;;) {
    const page = await fetchPage(offset, PAGE);
    const fresh = page.rows.filter((r) => r.ord > lastOrd);
    const end = page.rows.length < PAGE;
    if (fresh.length > 0 || end) {
      return { ...win, entries: [...win.entries, ...fresh], end };
    }
    offset += page.rows.length;
  }
}

/** Prepends the page before `base` (rows before the window are not affected by labeling done after it). */
export async function extendBackward(win: RowWindow, fetchPage: FetchPage): Promise<RowWindow> {
  if (win.base === 0) return win;
  const limit = Math.min(PAGE, win.base);
  const offset = win.base - limit;
  const page = await fetchPage(offset, limit);
  const firstOrd = win.entries.length ? (win.entries[0] as RowEntry).ord : Infinity;
  const fresh = page.rows.filter((r) => r.ord < firstOrd);
  return { ...win, base: win.base - fresh.length, entries: [...fresh, ...win.entries] };
}

export function entryAt(win: RowWindow, position: number): RowEntry | null {
  return win.entries[position - win.base] ?? null;
}

export function positionOf(win: RowWindow, rowId: number): number | null {
  const i = win.entries.findIndex((e) => e.id === rowId);
  return i === -1 ? null : win.base + i;
}
