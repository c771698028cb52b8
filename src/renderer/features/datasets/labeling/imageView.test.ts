import { describe, expect, it } from 'vitest';
import { actionForKey } from './keymap';
import { applyViewKey, INITIAL_VIEW, MAX_ZOOM, MIN_ZOOM, panBy, transformOf, viewKey, wheelZoom } from './imageView';

describe('image view', () => {
  it('zooms with +/- and the wheel within limits, keeping the pan proportional', () => {
    const panned = panBy(INITIAL_VIEW, 40, -20);
    const zin = applyViewKey(panned, 'zoomIn');
    expect(zin.zoom).toBeCloseTo(1.25);
    expect(zin.x).toBeCloseTo(50);
    expect(zin.y).toBeCloseTo(-25);
    expect(applyViewKey(zin, 'zoomOut').zoom).toBeCloseTo(1);
    expect(wheelZoom(INITIAL_VIEW, -100).zoom).toBeCloseTo(1.25);
    expect(wheelZoom(INITIAL_VIEW, 100).zoom).toBeCloseTo(0.8);
    let v = INITIAL_VIEW;
    for (let i = 0; i < 40; i++) v = wheelZoom(v, -400);
    expect(v.zoom).toBe(MAX_ZOOM);
    for (let i = 0; i < 40; i++) v = wheelZoom(v, 400);
    expect(v.zoom).toBe(MIN_ZOOM);
  });

  it('rotates a quarter turn with capital R and resets with 0', () => {
    let v = INITIAL_VIEW;
    for (let i = 0; i < 3; i++) v = applyViewKey(v, viewKey({ key: 'R' }) ?? 'reset');
    expect(v.rotation).toBe(270);
    expect(applyViewKey(v, 'rotate').rotation).toBe(0);
    expect(transformOf(v)).toBe('translate(0px, 0px) scale(1) rotate(270deg)');
    expect(applyViewKey(v, viewKey({ key: '0' }) ?? 'zoomIn')).toEqual(INITIAL_VIEW);
  });

  it('never takes a labeling key: r rejects, 1–5 rate, Ctrl+Z undoes', () => {
    expect(viewKey({ key: 'r' })).toBeNull();
    for (const k of ['1', '2', '5', 'a', 's', 'j']) expect(viewKey({ key: k })).toBeNull();
    expect(viewKey({ key: 'z', ctrlKey: true })).toBeNull();
    // And the labeling keymap leaves the view's keys alone.
    for (const key of ['+', '=', '-', '0', '[', ']']) expect(actionForKey({ key }, { bindings: [], preference: false })).toBeNull();
    expect(actionForKey({ key: 'R', shiftKey: true }, { bindings: [], preference: false })).toBeNull();
  });
});
