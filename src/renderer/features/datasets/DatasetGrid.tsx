import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { DatasetRowSummary } from '../../../shared/datasets.schema';
import { ErrorNote } from '../../ui/ErrorNote';
import { formatCount, preview } from '../../ui/format';
import { KEEP_PAGES, PAGE_SIZE, useDatasetsStore } from './datasets.store';
import { gridMinWidth, gridTemplate, readWidths, resizeColumn, rowNumber, writeWidths, type ColumnWidths } from './gridColumns';
import { GridHeader } from './GridHeader';
import { Thumbnail } from './Thumbnail';
import { pagesFor, pagesToDrop, rowTop, rowWindow, scrollToShow } from './virtualRows';

export const ROW_HEIGHT = 30;
const OVERSCAN = 12;
/** A dragged scrollbar passes thousands of pages; fetch only where it comes to rest. */
const FETCH_DELAY_MS = 60;

/** Column widths as dragged; remembered (by column name) when a drag ends. */
function useColumnWidths(): { widths: ColumnWidths; resize: (key: string, px: number | null) => void; commit: () => void } {
  const [widths, setWidths] = useState<ColumnWidths>(readWidths);
  const latest = useRef(widths);
  const resize = useCallback((key: string, px: number | null) => {
    latest.current = resizeColumn(latest.current, key, px);
    setWidths(latest.current);
  }, []);
  const commit = useCallback(() => writeWidths(latest.current), []);
  return { widths, resize, commit };
}

export function DatasetGrid(): React.JSX.Element {
  const total = useDatasetsStore((s) => s.total);
  const pages = useDatasetsStore((s) => s.pages);
  const gen = useDatasetsStore((s) => s.gen);
  const filter = useDatasetsStore((s) => s.filter);
  const cursor = useDatasetsStore((s) => s.cursor);
  const error = useDatasetsStore((s) => s.rowsError);
  const profiles = useDatasetsStore((s) => s.profiles);
  const { ensurePages, setCursor, openLabeling } = useDatasetsStore.getState();
  const ref = useRef<HTMLDivElement>(null);
  const headRef = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewH, setViewH] = useState(480);
  const rows = total ?? 0;
  const w = rowWindow({ scrollTop, viewportHeight: viewH, rowHeight: ROW_HEIGHT, total: rows, overscan: OVERSCAN });
  const names = useMemo(() => new Map(profiles.map((p) => [p.id, p.name])), [profiles]);
  const { widths, resize, commit } = useColumnWidths();
  const colStyle = { '--ds-cols': gridTemplate(widths), '--ds-min-width': `${gridMinWidth(widths)}px` } as React.CSSProperties;
  const shownRow = rows ? pages[Math.floor(cursor / PAGE_SIZE)]?.[cursor % PAGE_SIZE] : undefined;

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setViewH(el.clientHeight));
    ro.observe(el);
    setViewH(el.clientHeight);
    return () => ro.disconnect();
  }, []);

  // A new filter starts at the top.
  useEffect(() => {
    if (ref.current) ref.current.scrollTop = 0;
    setScrollTop(0);
  }, [filter]);

  const counted = total !== null;
  useEffect(() => {
    const needed = counted ? pagesFor(w.first, w.end, PAGE_SIZE) : [0];
    const t = setTimeout(() => {
      const cached = Object.keys(useDatasetsStore.getState().pages).map(Number);
      ensurePages(needed, pagesToDrop(cached, needed, KEEP_PAGES));
    }, FETCH_DELAY_MS);
    return () => clearTimeout(t);
  }, [w.first, w.end, gen, counted, ensurePages]);

  const moveTo = (index: number): void => {
    if (rows === 0) return;
    const i = Math.max(0, Math.min(rows - 1, index));
    setCursor(i);
    const el = ref.current;
    if (!el) return;
    const next = scrollToShow(i, { scrollTop: el.scrollTop, viewportHeight: el.clientHeight, rowHeight: ROW_HEIGHT, total: rows });
    if (next !== null) el.scrollTop = next;
  };

  const onKeyDown = (e: React.KeyboardEvent): void => {
    const page = Math.max(1, Math.floor(viewH / ROW_HEIGHT) - 1);
    const keys: Record<string, () => void> = {
      ArrowDown: () => moveTo(cursor + 1),
      ArrowUp: () => moveTo(cursor - 1),
      PageDown: () => moveTo(cursor + page),
      PageUp: () => moveTo(cursor - page),
      Home: () => moveTo(0),
      End: () => moveTo(rows - 1),
      Enter: () => rows > 0 && openLabeling(cursor),
    };
    const action = keys[e.key];
    if (action) {
      e.preventDefault();
      action();
    }
  };

  const drawn: React.JSX.Element[] = [];
  for (let i = w.first; i < w.end; i++) {
    const row = pages[Math.floor(i / PAGE_SIZE)]?.[i % PAGE_SIZE];
    drawn.push(
      <GridRow
        key={i}
        index={i}
        top={rowTop(w, i)}
        row={row ?? null}
        selected={i === cursor}
        labeler={row?.labelerId ? (names.get(row.labelerId) ?? row.labelerId) : ''}
        onPick={() => setCursor(i)}
        onOpen={() => openLabeling(i)}
      />,
    );
  }

  return (
    <div className="ds-grid-wrap">
      <ErrorNote error={error} title="Could not read rows" />
      <div
        className="ds-grid"
        role="grid"
        aria-label="Dataset rows"
        aria-rowcount={rows + 1}
        aria-activedescendant={rows ? `ds-row-${cursor}` : undefined}
        tabIndex={0}
        onKeyDown={onKeyDown}
        data-testid="dataset-grid"
        style={colStyle}
      >
        <GridHeader ref={headRef} widths={widths} onResize={resize} onCommit={commit} />
        <div className="ds-grid-body" ref={ref} onScroll={(e) => {
            setScrollTop(e.currentTarget.scrollTop);
            if (headRef.current) headRef.current.scrollLeft = e.currentTarget.scrollLeft;
          }}>
          <div className="ds-grid-spacer" role="rowgroup" style={{ height: w.scrollHeight }}>
            {drawn}
          </div>
          {counted && rows === 0 ? <p className="ds-grid-empty muted">No rows match.</p> : null}
        </div>
      </div>
      <p className="hint">
        <kbd>↑</kbd> <kbd>↓</kbd> move · <kbd>Enter</kbd> label from the selected row · row {rows ? formatCount(cursor + 1) : 0} of {formatCount(rows)}
        {shownRow ? ` · imported as #${formatCount(rowNumber(shownRow))}` : ''} · drag a column’s edge to widen it
      </p>
    </div>
  );
}

interface RowProps {
  index: number;
  top: number;
  row: DatasetRowSummary | null;
  selected: boolean;
  labeler: string;
  onPick: () => void;
  onOpen: () => void;
}

function GridRow({ index, top, row, selected, labeler, onPick, onOpen }: RowProps): React.JSX.Element {
  const style = { top, height: ROW_HEIGHT };
  const cls = `ds-row ds-cols${selected ? ' selected' : ''}`;
  if (!row) {
    return (
      <div id={`ds-row-${index}`} className={`${cls} ds-row-loading`} style={style} role="row" aria-rowindex={index + 2} aria-selected={selected} onClick={onPick}>
        <span role="gridcell" className="right num muted">
          …
        </span>
      </div>
    );
  }
  const labels = Object.entries(row.labels)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('|') : v}`)
    .join(', ');
  return (
    <div
      id={`ds-row-${index}`}
      className={cls}
      style={style}
      role="row"
      aria-rowindex={index + 2}
      aria-selected={selected}
      data-testid="dataset-grid-row"
      onClick={onPick}
      onDoubleClick={onOpen}
    >
      <span role="gridcell" className="right num muted" data-testid="dataset-row-number" title={`Row ${formatCount(rowNumber(row))} of the import${row.line != null ? `, line ${formatCount(row.line)} of the file` : ''}`}>
        {formatCount(rowNumber(row))}
      </span>
      <span role="gridcell" className="ds-cell-text" title={row.prompt}>
        {row.images.length > 0 ? <Thumbnail hashes={row.images} /> : null}
        {preview(row.prompt, 200)}
      </span>
      <span role="gridcell" className="ds-cell-text" title={row.response ?? ''}>
        {row.response == null ? <span className="muted">{row.hasDraft ? 'draft' : '—'}</span> : preview(row.response, 200)}
      </span>
      <span role="gridcell">
        <span className={`tag ds-status-${row.status}`}>{row.status}</span>
      </span>
      <span role="gridcell" className="right num">
        {row.rating ?? ''}
      </span>
      <span role="gridcell" className="ds-cell-text" title={[labels, row.tags.map((t) => `#${t}`).join(' ')].filter(Boolean).join(' ')}>
        {labels}
        {row.tags.length ? <span className="muted"> {row.tags.map((t) => `#${t}`).join(' ')}</span> : null}
      </span>
      <span role="gridcell" className="ds-flags">
        <Flags row={row} />
      </span>
      <span role="gridcell" className="right num">
        {row.tokens ?? ''}
      </span>
      <span role="gridcell">{row.split ?? ''}</span>
      <span role="gridcell" className="ds-cell-text">
        {labeler}
      </span>
    </div>
  );
}

function Flags({ row }: { row: DatasetRowSummary }): React.JSX.Element {
  return (
    <>
      {row.dupOf != null ? (
        <span className="ds-flag ds-flag-dup" title={`Exact duplicate of row id ${row.dupOf}`} aria-label="exact duplicate">
          dup
        </span>
      ) : null}
      {row.nearDupOf != null ? (
        <span className="ds-flag ds-flag-near" title={`Near duplicate of row id ${row.nearDupOf}`} aria-label="near duplicate">
          near
        </span>
      ) : null}
      {row.pii.length ? (
        <span className="ds-flag ds-flag-pii" title={`Personal data: ${row.pii.join(', ')}`} aria-label={`personal data: ${row.pii.join(', ')}`}>
          PII
        </span>
      ) : null}
    </>
  );
}
