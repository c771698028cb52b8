// The dataset grid's columns: default widths, widths a person dragged (remembered in localStorage by column
// name, so every dataset opens with the widths they chose) and the CSS grid template. Pure except the
// two storage calls, which tolerate a browser with storage turned off.

export interface GridColumn {
  key: string;
  label: string;
  /** Default width in px (for a flexible column: its least width until someone drags it). */
  width: number;
  min: number;
  /** Until dragged, the column shares the space left over by this weight. */
  flex?: number;
  right?: boolean;
}

export const GRID_COLUMNS: readonly GridColumn[] = [
  { key: 'num', label: '#', width: 48, min: 36, right: true },
  { key: 'prompt', label: 'Prompt', width: 260, min: 80, flex: 3 },
  { key: 'response', label: 'Response', width: 220, min: 80, flex: 2.5 },
  { key: 'status', label: 'Status', width: 74, min: 56 },
  { key: 'rating', label: 'Rating', width: 44, min: 36, right: true },
  { key: 'labels', label: 'Labels', width: 90, min: 48 },
  { key: 'flags', label: 'Flags', width: 52, min: 40 },
  { key: 'tokens', label: 'Tokens', width: 50, min: 40, right: true },
  { key: 'split', label: 'Split', width: 44, min: 40 },
  { key: 'labeler', label: 'Labeler', width: 72, min: 48 },
];

export const MAX_COLUMN_PX = 2000;
/** Pixels between columns and at each side, as the stylesheet sets them. */
export const COLUMN_GAP = 10;
export const ROW_PADDING = 10;

export type ColumnWidths = Record<string, number>;

const STORAGE_KEY = 'lamplight.datasetGrid.columnWidths';

export function clampWidth(col: GridColumn, px: number): number {
  return Math.round(Math.max(col.min, Math.min(MAX_COLUMN_PX, px)));
}

/** Stored widths, keeping only known columns with sane numbers: a hand-edited or old entry cannot break the grid. */
export function parseWidths(raw: string | null): ColumnWidths {
  if (!raw) return {};
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return {};
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
  const out: ColumnWidths = {};
  for (const col of GRID_COLUMNS) {
    const px = (value as Record<string, unknown>)[col.key];
    if (typeof px === 'number' && Number.isFinite(px)) out[col.key] = clampWidth(col, px);
  }
  return out;
}

export function widthOf(widths: ColumnWidths, col: GridColumn): number {
  return widths[col.key] ?? col.width;
}

const isFlexible = (widths: ColumnWidths, col: GridColumn): boolean => col.flex !== undefined && widths[col.key] === undefined;

/**
 * `grid-template-columns` for the header and every row. Prompt and response share the space left over
 * until dragged; a dragged column keeps its width. With none flexible, the last column takes what is left.
 */
export function gridTemplate(widths: ColumnWidths): string {
  const anyFlexible = GRID_COLUMNS.some((col) => isFlexible(widths, col));
  return GRID_COLUMNS.map((col, i) => {
    const px = widthOf(widths, col);
    if (isFlexible(widths, col)) return `minmax(${px}px, ${col.flex}fr)`;
    return !anyFlexible && i === GRID_COLUMNS.length - 1 ? `minmax(${px}px, 1fr)` : `${px}px`;
  }).join(' ');
}

/** The grid's least width: wider than its box, it scrolls sideways instead of squeezing columns back. */
export function gridMinWidth(widths: ColumnWidths): number {
  const cols = GRID_COLUMNS.reduce((sum, col) => sum + widthOf(widths, col), 0);
  return cols + COLUMN_GAP * (GRID_COLUMNS.length - 1) + 2 * ROW_PADDING;
}

/** Widths after column `key` is dragged to `px` (null: back to its default). */
export function resizeColumn(widths: ColumnWidths, key: string, px: number | null): ColumnWidths {
  const col = GRID_COLUMNS.find((c) => c.key === key);
  if (!col) return widths;
  const next = { ...widths };
  if (px === null) delete next[key];
  else next[key] = clampWidth(col, px);
  return next;
}

export function readWidths(): ColumnWidths {
  try {
    return parseWidths(globalThis.localStorage?.getItem(STORAGE_KEY) ?? null);
  } catch {
    return {};
  }
}

export function writeWidths(widths: ColumnWidths): void {
  try {
    if (Object.keys(widths).length) globalThis.localStorage?.setItem(STORAGE_KEY, JSON.stringify(widths));
    else globalThis.localStorage?.removeItem(STORAGE_KEY);
  } catch {
    // Storage turned off: the widths hold until the page reloads.
  }
}

/** The number a row was imported as (1-based), the same under every search and filter. */
export function rowNumber(row: { ord: number }): number {
  return row.ord + 1;
}
