import { forwardRef, useRef } from 'react';
import { GRID_COLUMNS, widthOf, type ColumnWidths } from './gridColumns';

const KEY_STEP_PX = 16;

interface Props {
  widths: ColumnWidths;
  /** While dragging: the new width, not yet remembered. */
  onResize: (key: string, px: number | null) => void;
  /** Drag ended (or a key press): remember the widths. */
  onCommit: () => void;
}

/**
 * The grid's column headers, each with a handle on its right edge: drag it (or focus it and press ←/→) to
 * resize the column; double-click puts the default width back.
 */
export const GridHeader = forwardRef<HTMLDivElement, Props>(function GridHeader({ widths, onResize, onCommit }, ref) {
  const drag = useRef<{ key: string; startX: number; startW: number } | null>(null);
  // A flexible column is as wide as it is drawn: resizing starts from there.
  const drawn = (el: HTMLElement, fallback: number): number => el.parentElement?.getBoundingClientRect().width || fallback;
  return (
    // The outer box clips; the grid scrolls it sideways in step with the rows.
    <div className="ds-grid-head" ref={ref}>
    <div className="ds-cols ds-head-row" role="row" aria-rowindex={1}>
      {GRID_COLUMNS.map((col) => {
        const w = widthOf(widths, col);
        return (
          <span key={col.key} role="columnheader" className={`ds-head-cell${col.right ? ' right' : ''}`} data-testid={`dataset-col-${col.key}`}>
            <span className="ds-head-label">{col.label}</span>
            <span
              role="separator"
              aria-orientation="vertical"
              aria-label={`Resize the ${col.label === '#' ? 'row number' : col.label} column`}
              aria-valuenow={w}
              aria-valuemin={col.min}
              tabIndex={0}
              className="ds-col-resize"
              title="Drag to resize · double-click for the default width"
              onPointerDown={(e) => {
                e.preventDefault();
                e.currentTarget.setPointerCapture(e.pointerId);
                drag.current = { key: col.key, startX: e.clientX, startW: drawn(e.currentTarget, w) };
              }}
              onPointerMove={(e) => {
                const d = drag.current;
                if (d) onResize(d.key, d.startW + e.clientX - d.startX);
              }}
              onPointerUp={() => {
                if (!drag.current) return;
                drag.current = null;
                onCommit();
              }}
              onDoubleClick={() => {
                onResize(col.key, null);
                onCommit();
              }}
              onKeyDown={(e) => {
                if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
                e.preventDefault();
                e.stopPropagation();
                onResize(col.key, drawn(e.currentTarget, w) + (e.key === 'ArrowRight' ? KEY_STEP_PX : -KEY_STEP_PX));
                onCommit();
              }}
            />
          </span>
        );
      })}
    </div>
    </div>
  );
});
