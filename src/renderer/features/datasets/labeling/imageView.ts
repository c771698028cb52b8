// How the record view shows an image: zoom, pan and rotation. View state only: the stored image never
// changes. Pure, so the keys and the wheel are tested without a browser.
export interface ImageView {
  zoom: number;
  x: number;
  y: number;
  /** Degrees clockwise: 0, 90, 180 or 270. */
  rotation: number;
}

export const INITIAL_VIEW: ImageView = { zoom: 1, x: 0, y: 0, rotation: 0 };
export const MIN_ZOOM = 0.25;
export const MAX_ZOOM = 8;
const STEP = 1.25;

const clampZoom = (z: number) => Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, z));

export function zoomBy(v: ImageView, factor: number): ImageView {
  const zoom = clampZoom(v.zoom * factor);
  // Pan scales with the zoom so the point at the centre stays at the centre.
  const k = zoom / v.zoom;
  return { ...v, zoom, x: v.x * k, y: v.y * k };
}

/** A wheel notch up zooms in one step, down zooms out; trackpads send small deltas, which zoom a little. */
export function wheelZoom(v: ImageView, deltaY: number): ImageView {
  const steps = Math.max(-4, Math.min(4, -deltaY / 100));
  return zoomBy(v, STEP ** steps);
}

export function panBy(v: ImageView, dx: number, dy: number): ImageView {
  return { ...v, x: v.x + dx, y: v.y + dy };
}

export function rotate(v: ImageView): ImageView {
  return { ...v, rotation: (v.rotation + 90) % 360 };
}

export type ViewKeyAction = 'zoomIn' | 'zoomOut' | 'rotate' | 'reset' | 'prevImage' | 'nextImage';

/**
 * Keys the image takes. Lower-case r is the labeler's reject, so rotate is Shift+R (a capital R); digits
 * 1–5 rate, so reset is 0. Everything else is left to the labeling keymap.
 */
export function viewKey(e: { key: string; ctrlKey?: boolean; metaKey?: boolean; altKey?: boolean }): ViewKeyAction | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  switch (e.key) {
    case '+':
    case '=':
      return 'zoomIn';
    case '-':
    case '_':
      return 'zoomOut';
    case 'R':
      return 'rotate';
    case '0':
      return 'reset';
    case '[':
      return 'prevImage';
    case ']':
      return 'nextImage';
  }
  return null;
}

export function applyViewKey(v: ImageView, a: ViewKeyAction): ImageView {
  switch (a) {
    case 'zoomIn':
      return zoomBy(v, STEP);
    case 'zoomOut':
      return zoomBy(v, 1 / STEP);
    case 'rotate':
      return rotate(v);
    case 'reset':
      return INITIAL_VIEW;
    default:
      return v;
  }
}

export function transformOf(v: ImageView): string {
  return `translate(${Math.round(v.x)}px, ${Math.round(v.y)}px) scale(${v.zoom}) rotate(${v.rotation}deg)`;
}
