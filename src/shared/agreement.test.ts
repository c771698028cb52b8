// Agreement statistics against published worked examples: Fleiss (1971) as reproduced on Wikipedia's
// "Fleiss' kappa" page, and Krippendorff (2011) "Computing Krippendorff's Alpha-Reliability".
import { describe, expect, it } from 'vitest';
import { cohenKappa, fleissKappa, fleissKappaFromCounts, krippendorffAlpha, percentAgreement, type Unit } from './agreement';

// 10 subjects, 14 raters, 5 categories (counts of raters per category).
const FLEISS_TABLE = [
  [0, 0, 0, 0, 14],
  [0, 2, 6, 4, 2],
  [0, 0, 3, 5, 6],
  [0, 3, 9, 2, 0],
  [2, 2, 8, 1, 1],
  [7, 7, 0, 0, 0],
  [3, 2, 6, 3, 0],
  [2, 5, 3, 2, 2],
  [6, 5, 2, 1, 0],
  [0, 2, 2, 3, 7],
];

/** Krippendorff 2011, section C: 4 observers × 12 units, values 1–5, '.' missing. Rows are observers. */
const OBSERVERS: (number | null)[][] = [
  [1, 2, 3, 3, 2, 1, 4, 1, 2, null, null, null],
  [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, null, 3],
  [null, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, null],
  [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, null],
];
const UNITS_C: Unit[] = (OBSERVERS[0] as unknown[]).map((_, u) => OBSERVERS.map((o) => o[u] as number | null));

describe('Fleiss kappa', () => {
  it('matches the 10-subject, 14-rater, 5-category example: P̄ = 0.378, P̄e = 0.213, κ = 0.210', () => {
    const r = fleissKappaFromCounts(FLEISS_TABLE);
    expect(r.pBar).toBeCloseTo(0.378, 3);
    expect(r.pBarE).toBeCloseTo(0.213, 3);
    expect(r.value).toBeCloseTo(0.21, 3);
    // p_j as the example lists them.
    expect(r.categoryShares.map((p) => Math.round(p * 1000) / 1000)).toEqual([0.143, 0.2, 0.279, 0.15, 0.229]);
  });

  it('gives the same κ from units of raw ratings as from the count table', () => {
    const units = FLEISS_TABLE.map((row) => row.flatMap((n, c) => Array<string>(n).fill(`c${c}`)));
    const r = fleissKappa(units);
    expect(r.value).toBeCloseTo(fleissKappaFromCounts(FLEISS_TABLE).value as number, 12);
    expect(r.dropped).toBe(0);
  });

  it('refuses a table with unequal ratings per subject, and is null (not NaN) when all agree on one category', () => {
    expect(fleissKappaFromCounts([[2, 0], [1, 2]]).reason).toMatch(/same number of ratings per subject: subject 2 has 3/);
    const all = fleissKappa([['a', 'a', 'a'], ['a', 'a', 'a']]);
    expect(all.value).toBeNull();
    expect(all.reason).toMatch(/one category/);
  });
});

describe("Krippendorff's alpha", () => {
  it('matches the 4-observer, 12-unit example with missing data: nominal 0.743, ordinal 0.815, interval 0.849', () => {
    // Unit 12 has one value and is dropped: 11 units, 40 pairable values (the paper's n = 40).
    const nominal = krippendorffAlpha(UNITS_C, 'nominal');
    expect(nominal).toMatchObject({ units: 11, values: 40 });
    // By hand from the paper's coincidence matrix: n_c = 9, 13, 10, 5, 3 (n = 40), Σ o_cc = 32
    // → off-diagonal mass 40 − 32 = 8; D_e ∝ (40² − Σ n_c²)/(n − 1) = (1600 − 384)/39; α = 1 − 8·39/1216 = 0.7434.
    expect(nominal.value).toBeCloseTo(1 - (8 * 39) / 1216, 10);
    expect(nominal.value).toBeCloseTo(0.743, 3);
    expect(krippendorffAlpha(UNITS_C, 'ordinal').value).toBeCloseTo(0.815, 3);
    expect(krippendorffAlpha(UNITS_C, 'interval').value).toBeCloseTo(0.849, 3);
  });

  it('matches the two-observer binary example: α = 0.095', () => {
    const a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0];
    const b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0];
    const units = a.map((x, i) => [x, b[i] as number]);
    // o_00 = 10, o_01 = o_10 = 4, o_11 = 2; n_0 = 14, n_1 = 6: α = 1 − 19·4/(14·6) = 0.0952.
    const r = krippendorffAlpha(units, 'nominal');
    expect(r.value).toBeCloseTo(1 - (19 * 4) / (14 * 6), 12);
    expect(r.value).toBeCloseTo(0.095, 3);
  });

  it('drops units with fewer than two values and is null with a reason when every value is the same', () => {
    const same = krippendorffAlpha([[3, 3], [3, null, 3], [5]], 'ordinal');
    expect(same).toMatchObject({ value: null, units: 2, values: 4 });
    expect(same.reason).toMatch(/every value is the same/);
    expect(krippendorffAlpha([['x', 'y']], 'interval').reason).toMatch(/numeric/);
    expect(krippendorffAlpha([[1], [null, 2]], 'nominal')).toMatchObject({ value: null, units: 0 });
  });

  it('is 1 for perfect agreement and the ordinal metric ranks values, not their distances', () => {
    expect(krippendorffAlpha([[1, 1], [2, 2], [5, 5]], 'ordinal').value).toBeCloseTo(1, 12);
    // Relabelling the values monotonically leaves ordinal alpha unchanged; interval alpha moves.
    const mapped = UNITS_C.map((u) => u.map((v) => (v === null ? null : (v as number) ** 3)));
    expect(krippendorffAlpha(mapped, 'ordinal').value).toBeCloseTo(krippendorffAlpha(UNITS_C, 'ordinal').value as number, 12);
    expect(krippendorffAlpha(mapped, 'interval').value).not.toBeCloseTo(krippendorffAlpha(UNITS_C, 'interval').value as number, 3);
  });
});

describe("Cohen's kappa and percent agreement", () => {
  it("computes Cohen's kappa on a 2×2 example by hand and drops units one rater left out", () => {
    // 50 units: both yes 20, both no 15, A yes/B no 5, A no/B yes 10. p_o = 0.7; p_e = 0.5·0.6 + 0.5·0.4 = 0.5; κ = 0.4.
    const units: Unit[] = [
      ...Array.from({ length: 20 }, () => ['yes', 'yes']),
      ...Array.from({ length: 15 }, () => ['no', 'no']),
      ...Array.from({ length: 5 }, () => ['yes', 'no']),
      ...Array.from({ length: 10 }, () => ['no', 'yes']),
      ['yes', null],
    ];
    const r = cohenKappa(units);
    expect(r.value).toBeCloseTo(0.4, 12);
    expect(r.units).toBe(50);
    const same = cohenKappa([['a', 'a'], ['a', 'a']]);
    expect(same.value).toBeNull();
    expect(same.reason).toMatch(/same category/);
    expect(Number.isNaN(same.value)).toBe(false);
  });

  it('percent agreement is the mean share of agreeing pairs per unit', () => {
    // Unit 1: 3 of 3 pairs agree; unit 2: 1 of 3 (a,a,b); unit 3: two values that differ; unit 4 dropped.
    const r = percentAgreement([['a', 'a', 'a'], ['a', 'a', 'b'], ['x', 'y'], ['z', null]]);
    expect(r.value).toBeCloseTo((1 + 1 / 3 + 0) / 3, 12);
    expect(r.units).toBe(3);
    // Fleiss' P̄ is the same quantity.
    const units = FLEISS_TABLE.map((row) => row.flatMap((n, c) => Array<number>(n).fill(c)));
    expect(percentAgreement(units).value).toBeCloseTo(fleissKappaFromCounts(FLEISS_TABLE).pBar as number, 12);
  });
});
