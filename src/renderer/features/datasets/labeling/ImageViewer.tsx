import { useEffect, useRef, useState } from 'react';
import { api } from '../../../client/bridge';
import { toShownError, type ShownError } from '../../../client/errors';
import { ErrorNote } from '../../../ui/ErrorNote';
import { isEditableTarget, type TargetLike } from './keymap';
import { applyViewKey, INITIAL_VIEW, panBy, transformOf, viewKey, wheelZoom, type ImageView } from './imageView';

/** Enough pixels to zoom into a screenshot; the record view never needs the full original. */
const VIEW_PIXELS = 4_000_000;

/** A row's image beside its fields: wheel or +/- zoom, drag pans, Shift+R rotates, 0 resets ([ ] switch images). */
export function ImageViewer({ hashes }: { hashes: readonly string[] }): React.JSX.Element {
  const [index, setIndex] = useState(0);
  const [url, setUrl] = useState<string | null>(null);
  const [error, setError] = useState<ShownError | null>(null);
  const [view, setView] = useState<ImageView>(INITIAL_VIEW);
  const frame = useRef<HTMLDivElement>(null);
  const drag = useRef<{ x: number; y: number } | null>(null);
  const hash = hashes[Math.min(index, hashes.length - 1)] ?? '';
  const key = hashes.join(',');

  useEffect(() => {
    setIndex(0);
  }, [key]);

  useEffect(() => {
    let live = true;
    setUrl(null);
    setError(null);
    setView(INITIAL_VIEW);
    api.invoke('images.preview', { hash, maxPixels: VIEW_PIXELS }).then(
      (p) => live && setUrl(p.dataUrl),
      (e: unknown) => live && setError(toShownError(e)),
    );
    return () => {
      live = false;
    };
  }, [hash]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isEditableTarget(e.target as TargetLike | null)) return;
      const a = viewKey(e);
      if (!a) return;
      e.preventDefault();
      if (a === 'prevImage' || a === 'nextImage') setIndex((i) => (i + (a === 'nextImage' ? 1 : hashes.length - 1)) % hashes.length);
      else setView((v) => applyViewKey(v, a));
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [hashes.length]);

  // React's wheel listener is passive; zooming must stop the page from scrolling.
  useEffect(() => {
    const el = frame.current;
    if (!el) return;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      setView((v) => wheelZoom(v, e.deltaY));
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, []);

  return (
    <section className="iv" aria-label="Image">
      <div className="lb-block-head">
        <h3>
          Image{hashes.length > 1 ? ` ${index + 1} of ${hashes.length}` : ''}
        </h3>
        <span className="hint">
          wheel/<kbd>+</kbd>
          <kbd>−</kbd> zoom · drag pan · <kbd>Shift</kbd>+<kbd>R</kbd> rotate · <kbd>0</kbd> reset{hashes.length > 1 ? <> · <kbd>[</kbd><kbd>]</kbd> image</> : null}
        </span>
      </div>
      <div
        ref={frame}
        className="iv-frame"
        data-testid="labeling-image-frame"
        onPointerDown={(e) => {
          drag.current = { x: e.clientX, y: e.clientY };
          e.currentTarget.setPointerCapture(e.pointerId);
        }}
        onPointerMove={(e) => {
          const d = drag.current;
          if (!d) return;
          setView((v) => panBy(v, e.clientX - d.x, e.clientY - d.y));
          drag.current = { x: e.clientX, y: e.clientY };
        }}
        onPointerUp={() => (drag.current = null)}
        onPointerCancel={() => (drag.current = null)}
      >
        {url ? <img src={url} alt="" draggable={false} data-testid="labeling-image" data-rotation={view.rotation} data-zoom={view.zoom.toFixed(2)} style={{ transform: transformOf(view) }} /> : error ? null : <span className="muted">Loading image…</span>}
      </div>
      <div className="iv-bar">
        <span className="muted" data-testid="labeling-image-zoom">
          {Math.round(view.zoom * 100)}%{view.rotation ? ` · ${view.rotation}°` : ''}
        </span>
        <button type="button" className="btn btn-small" onClick={() => setView((v) => applyViewKey(v, 'zoomOut'))} aria-label="Zoom out">
          −
        </button>
        <button type="button" className="btn btn-small" onClick={() => setView((v) => applyViewKey(v, 'zoomIn'))} aria-label="Zoom in">
          +
        </button>
        <button type="button" className="btn btn-small" onClick={() => setView((v) => applyViewKey(v, 'rotate'))} aria-label="Rotate">
          ⟳
        </button>
        <button type="button" className="btn btn-small" onClick={() => setView(INITIAL_VIEW)} aria-label="Reset view">
          Reset
        </button>
      </div>
      <ErrorNote error={error} title="Could not show the image" />
    </section>
  );
}
