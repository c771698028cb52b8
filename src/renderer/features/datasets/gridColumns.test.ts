import { describe, expect, it } from 'vitest';
import { GRID_COLUMNS, gridMinWidth, gridTemplate, MAX_COLUMN_PX, parseWidths, resizeColumn, rowNumber } from './gridColumns';

describe('dataset grid columns', () => {
  it('lets prompt and response share the room left over until dragged', () => {
    expect(gridTemplate({})).toBe('48px minmax(260px, 3fr) minmax(220px, 2.5fr) 74px 44px 90px 52px 50px 44px 72px');
    expect(gridTemplate({ prompt: 500 })).toMatch(/^48px 500px minmax\(220px, 2\.5fr\) /);
    // Both dragged: the last column takes what is left, so the rows still fill the box.
    expect(gridTemplate({ prompt: 500, response: 400 })).toMatch(/ 500px 400px .* minmax\(72px, 1fr\)$/);
  });
  it('resizes a column within its limits and puts the default back on null', () => {
    let w = resizeColumn({}, 'prompt', 612.4);
    expect(w).toEqual({ prompt: 612 });
    expect(gridTemplate(w).split(' ')[1]).toBe('612px');
    w = resizeColumn(w, 'response', 3);
    expect(w.response).toBe(GRID_COLUMNS.find((c) => c.key === 'response')?.min);
    expect(resizeColumn(w, 'prompt', 1e9).prompt).toBe(MAX_COLUMN_PX);
    expect(resizeColumn(w, 'prompt', null)).toEqual({ response: 80 });
    expect(resizeColumn(w, 'nope', 100)).toBe(w);
  });
  it('reads remembered widths by column name, dropping junk', () => {
    expect(parseWidths(JSON.stringify({ prompt: 500, response: 'wide', nope: 9, status: Number.NaN }))).toEqual({ prompt: 500 });
    expect(parseWidths('not json')).toEqual({});
    expect(parseWidths('[1,2]')).toEqual({});
    expect(parseWidths(null)).toEqual({});
  });
  it('grows the least grid width with the columns, so wide columns scroll instead of squeezing', () => {
    expect(gridMinWidth({ prompt: 840 }) - gridMinWidth({})).toBe(840 - 260);
  });
  it('numbers a row by its place in the import, not its place in a search', () => {
    expect(rowNumber({ ord: 0 })).toBe(1);
    expect(rowNumber({ ord: 56 })).toBe(57);
  });
});
