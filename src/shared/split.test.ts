import { describe, expect, it } from 'vitest';
import { assignSplits, type SplitName, type SplitOptions } from './split';

const OPTS: SplitOptions = { seed: 42, train: 0.8, validation: 0.1, test: 0.1, stratify: false };
const rowsOf = (n: number, labels: (string | null)[] = [null]) =>
  Array.from({ length: n }, (_, i) => ({ id: i * 7 + 3, label: labels[i % labels.length] ?? null }));
const tally = (s: SplitName[]) => ({
  train: s.filter((x) => x === 'train').length,
  validation: s.filter((x) => x === 'validation').length,
  test: s.filter((x) => x === 'test').length,
});
/** Deterministic shuffle for the order-independence test. */
function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const out = [...xs];
  let t = seed;
  for (let i = out.length - 1; i > 0; i--) {
    t = (Math.imul(t, 1103515245) + 12345) >>> 0;
    const j = t % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

describe('assignSplits', () => {
  it('is deterministic and has exact largest-remainder counts', () => {
    const rows = rowsOf(1000);
    const a = assignSplits(rows, OPTS);
    expect(assignSplits(rows, OPTS)).toEqual(a);
    expect(tally(a)).toEqual({ train: 800, validation: 100, test: 100 });
    expect(tally(assignSplits(rowsOf(7), { ...OPTS, train: 0.5, validation: 0.25, test: 0.25 }))).toEqual({ train: 3, validation: 2, test: 2 }); // 3.5, 1.75, 1.75
  });
  it('does not depend on input order', () => {
    const rows = rowsOf(500, ['a', 'b', null]);
    const byId = (r: typeof rows, s: SplitName[]) => new Map(r.map((x, i) => [x.id, s[i]]));
    for (const stratify of [false, true]) {
      const base = byId(rows, assignSplits(rows, { ...OPTS, stratify }));
      const mixed = shuffled(rows, 9);
      expect(byId(mixed, assignSplits(mixed, { ...OPTS, stratify }))).toEqual(base);
    }
  });
  it('changes with the seed', () => {
    const rows = rowsOf(200);
    expect(assignSplits(rows, { ...OPTS, seed: 1 })).not.toEqual(assignSplits(rows, { ...OPTS, seed: 2 }));
  });
  it('keeps each label in proportion when stratifying', () => {
    const rows = [...rowsOf(600, ['pos']), ...rowsOf(100, ['neg']).map((r) => ({ ...r, id: r.id + 100_000 })), ...rowsOf(10, [null]).map((r) => ({ ...r, id: r.id + 200_000 }))];
    const s = assignSplits(rows, { ...OPTS, train: 0.6, validation: 0.2, test: 0.2, stratify: true });
    const of = (label: string | null) => tally(s.filter((_, i) => rows[i]?.label === label));
    expect(of('pos')).toEqual({ train: 360, validation: 120, test: 120 });
    expect(of('neg')).toEqual({ train: 60, validation: 20, test: 20 });
    expect(of(null)).toEqual({ train: 6, validation: 2, test: 2 });
  });
  it('gives a small stratum at least one row in each non-zero split', () => {
    const rows = [...rowsOf(100, ['big']), ...[1, 2, 3].map((id) => ({ id: 1_000_000 + id, label: 'tiny' }))];
    const s = assignSplits(rows, { ...OPTS, stratify: true });
    expect(tally(s.slice(100))).toEqual({ train: 1, validation: 1, test: 1 });
    expect(tally(s.slice(0, 100))).toEqual({ train: 80, validation: 10, test: 10 });
  });
  it('handles 0 rows, 1 row and zero fractions', () => {
    expect(assignSplits([], OPTS)).toEqual([]);
    expect(assignSplits([{ id: 1, label: null }], OPTS)).toEqual(['train']);
    const s = assignSplits(rowsOf(50), { ...OPTS, train: 0.9, validation: 0, test: 0.1 });
    expect(tally(s)).toEqual({ train: 45, validation: 0, test: 5 });
    expect(tally(assignSplits(rowsOf(3), { ...OPTS, train: 1, validation: 0, test: 0 }))).toEqual({ train: 3, validation: 0, test: 0 });
  });
  it('rejects invalid fractions, naming the field', () => {
    expect(() => assignSplits([], { ...OPTS, validation: -0.1, test: 0.3 })).toThrow(/"validation"/);
    expect(() => assignSplits([], { ...OPTS, test: Number.NaN })).toThrow(/"test"/);
    expect(() => assignSplits([], { ...OPTS, train: 0.7 })).toThrow(/sum to 1/);
    expect(() => assignSplits([], { ...OPTS, seed: Number.POSITIVE_INFINITY })).toThrow(/seed/);
  });
});
