// Inter-rater agreement, pure: percent agreement, Cohen's kappa (two raters), Fleiss' kappa (k raters) and
// Krippendorff's alpha (nominal, ordinal, interval; missing values allowed). Input is one array per unit
// (a row labelled by several people), one entry per rater, null where that rater gave no value. A unit
// with fewer than two values cannot be paired and is dropped. Where a statistic is undefined (every
// value in one category: no disagreement was even possible) the result is null with the reason, never NaN.

export type RatingValue = string | number;
export type Unit = readonly (RatingValue | null)[];

export interface Agreement {
  /** null when undefined for this data; `reason` says why. */
  value: number | null;
  reason: string | null;
  /** Units that entered the computation (two or more values). */
  units: number;
  /** Values in those units. */
  values: number;
}

const undef = (reason: string, units: number, values: number): Agreement => ({ value: null, reason, units, values });
const ok = (value: number, units: number, values: number): Agreement => ({ value, reason: null, units, values });

/** The units with two or more values, missing ones removed. */
function pairable(units: readonly Unit[]): RatingValue[][] {
  const out: RatingValue[][] = [];
  for (const u of units) {
    const vs = u.filter((v): v is RatingValue => v !== null);
    if (vs.length >= 2) out.push(vs);
  }
  return out;
}
const count = (us: readonly RatingValue[][]) => us.reduce((s, u) => s + u.length, 0);

/** Mean over units of the share of agreeing pairs among all pairs of values in the unit. */
export function percentAgreement(units: readonly Unit[]): Agreement {
  const us = pairable(units);
  if (us.length === 0) return undef('no unit has two or more ratings', 0, 0);
  let sum = 0;
  for (const u of us) {
    const m = u.length;
    let agree = 0;
    for (const n of tally(u).values()) agree += n * (n - 1);
    sum += agree / (m * (m - 1));
  }
  return ok(sum / us.length, us.length, count(us));
}

/** Cohen's kappa for two raters: units are [first rater, second rater]; units missing either are dropped. */
export function cohenKappa(units: readonly Unit[]): Agreement {
  const pairs = units.filter((u) => u.length >= 2 && u[0] != null && u[1] != null) as unknown as [RatingValue, RatingValue][];
  const n = pairs.length;
  if (n === 0) return undef('no unit was rated by both raters', 0, 0);
  const a = new Map<RatingValue, number>();
  const b = new Map<RatingValue, number>();
  let agree = 0;
  for (const [x, y] of pairs) {
    if (x === y) agree++;
    a.set(x, (a.get(x) ?? 0) + 1);
    b.set(y, (b.get(y) ?? 0) + 1);
  }
  const po = agree / n;
  let pe = 0;
  for (const [c, na] of a) pe += (na / n) * ((b.get(c) ?? 0) / n);
  if (pe >= 1 - 1e-12) return undef('both raters used one and the same category throughout: chance agreement is 1, kappa is undefined', n, 2 * n);
  return ok((po - pe) / (1 - pe), n, 2 * n);
}

export interface FleissResult extends Agreement {
  /** Mean observed agreement per subject (P̄) and the agreement expected by chance (P̄e). */
  pBar: number | null;
  pBarE: number | null;
  /** Share of all ratings in each category, in the table's column order. */
  categoryShares: number[];
}

/**
 * Fleiss' kappa from a subjects × categories table of counts; every subject must have the same number of
 * ratings (the statistic assumes it).
 */
export function fleissKappaFromCounts(table: readonly (readonly number[])[]): FleissResult {
  const N = table.length;
  const none = (reason: string, shares: number[] = []): FleissResult => ({ ...undef(reason, N, 0), pBar: null, pBarE: null, categoryShares: shares });
  if (N === 0) return none('no subject has ratings');
  const n = (table[0] as readonly number[]).reduce((s, x) => s + x, 0);
  const k = (table[0] as readonly number[]).length;
  for (const [i, row] of table.entries()) {
    const ni = row.reduce((s, x) => s + x, 0);
    if (row.length !== k) return none(`subject ${i + 1} has ${row.length} categories, the first has ${k}`);
    if (ni !== n) return none(`Fleiss' kappa needs the same number of ratings per subject: subject ${i + 1} has ${ni}, the first has ${n}`);
  }
  if (n < 2) return none('each subject needs two or more ratings');
  let pBar = 0;
  const totals = new Array<number>(k).fill(0);
  for (const row of table) {
    let sq = 0;
    row.forEach((x, j) => {
      sq += x * x;
      totals[j] = (totals[j] as number) + x;
    });
    pBar += (sq - n) / (n * (n - 1));
  }
  pBar /= N;
  const shares = totals.map((t) => t / (N * n));
  const pBarE = shares.reduce((s, p) => s + p * p, 0);
  const base = { units: N, values: N * n, pBar, pBarE, categoryShares: shares };
  if (pBarE >= 1 - 1e-12) return { ...base, value: null, reason: 'every rating is in one category: chance agreement is 1, kappa is undefined' };
  return { ...base, value: (pBar - pBarE) / (1 - pBarE), reason: null };
}

/**
 * Fleiss' kappa over units of ratings: units with fewer than two values are dropped, and of the rest only
 * those with the most common number of ratings are used (ties: the larger number), since Fleiss' kappa
 * needs a constant number per subject. `dropped` counts the units left out for that.
 */
export function fleissKappa(units: readonly Unit[]): FleissResult & { dropped: number } {
  const us = pairable(units);
  const freq = new Map<number, number>();
  for (const u of us) freq.set(u.length, (freq.get(u.length) ?? 0) + 1);
  let n = 0;
  for (const [m, f] of freq) if (f > (freq.get(n) ?? 0) || (f === freq.get(n) && m > n)) n = m;
  const kept = us.filter((u) => u.length === n);
  const cats = [...new Set(kept.flat())].sort(compareValues);
  const table = kept.map((u) => {
    const t = tally(u);
    return cats.map((c) => t.get(c) ?? 0);
  });
  return { ...fleissKappaFromCounts(table), dropped: us.length - kept.length };
}

export type AlphaLevel = 'nominal' | 'ordinal' | 'interval';

/**
 * Krippendorff's alpha from the coincidence matrix (Krippendorff 2011, "Computing Krippendorff's
 * Alpha-Reliability"): α = 1 − (n−1)·Σ o_ck δ²_ck / Σ n_c n_k δ²_ck. Ordinal values are ranked by their
 * natural order (numbers numerically); interval values must be numbers.
 */
export function krippendorffAlpha(units: readonly Unit[], level: AlphaLevel): Agreement {
  const us = pairable(units);
  const values = count(us);
  if (us.length === 0) return undef('no unit has two or more ratings', 0, 0);
  if (level === 'interval' && us.some((u) => u.some((v) => typeof v !== 'number'))) {
    return undef('interval alpha needs numeric values', us.length, values);
  }
  const cats = [...new Set(us.flat())].sort(compareValues);
  const idx = new Map(cats.map((c, i) => [c, i]));
  const K = cats.length;
  // o[c][k]: pairs of values c, k within units, each unit weighted 1/(m_u − 1).
  const o = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  for (const u of us) {
    const t = tally(u);
    const w = 1 / (u.length - 1);
    for (const [c, nc] of t) {
      for (const [k, nk] of t) {
        const pairs = c === k ? nc * (nc - 1) : nc * nk;
        const row = o[idx.get(c) as number] as number[];
        row[idx.get(k) as number] = (row[idx.get(k) as number] as number) + pairs * w;
      }
    }
  }
  const nc = o.map((row) => row.reduce((s, x) => s + x, 0));
  const n = nc.reduce((s, x) => s + x, 0);
  const delta2 = (c: number, k: number): number => {
    if (c === k) return 0;
    if (level === 'nominal') return 1;
    if (level === 'interval') return ((cats[c] as number) - (cats[k] as number)) ** 2;
    const [lo, hi] = c < k ? [c, k] : [k, c];
    let s = 0;
    for (let g = lo; g <= hi; g++) s += nc[g] as number;
    return (s - ((nc[c] as number) + (nc[k] as number)) / 2) ** 2;
  };
  let observed = 0;
  let expected = 0;
  for (let c = 0; c < K; c++) {
    for (let k = 0; k < K; k++) {
      const d = delta2(c, k);
      observed += (o[c] as number[])[k] as number * d;
      expected += (nc[c] as number) * (nc[k] as number) * d;
    }
  }
  if (expected === 0) return undef('every value is the same: no disagreement was possible, alpha is undefined', us.length, values);
  return ok(1 - ((n - 1) * observed) / expected, us.length, values);
}

function tally(u: readonly RatingValue[]): Map<RatingValue, number> {
  const t = new Map<RatingValue, number>();
  for (const v of u) t.set(v, (t.get(v) ?? 0) + 1);
  return t;
}

function compareValues(a: RatingValue, b: RatingValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}
