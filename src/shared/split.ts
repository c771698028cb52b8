// Train/validation/test assignment for dataset rows. Depends only on the seed and the set of (id, label):
// rows are ordered by a seeded hash of their id, so reordering or re-importing rows keeps every row's split.

export type SplitName = 'train' | 'validation' | 'test';

export interface SplitOptions {
  seed: number;
  /** Fractions summing to 1 (±1e-9). */
  train: number;
  validation: number;
  test: number;
  /** Split each label separately so every label keeps the proportions. */
  stratify: boolean;
}

const NAMES: readonly SplitName[] = ['train', 'validation', 'test'];

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Seeded 32-bit hash of a number id (both 32-bit halves of integers up to 2⁵³; fractions via their string). */
function idHash(id: number, seedLo: number, seedHi: number): number {
  let lo: number;
  let hi: number;
  if (Number.isSafeInteger(id)) {
    lo = id >>> 0;
    hi = Math.floor(id / 4294967296) | 0;
  } else {
    const s = String(id);
    lo = 0x811c9dc5;
    for (let i = 0; i < s.length; i++) lo = Math.imul(lo ^ s.charCodeAt(i), 0x01000193);
    hi = 0x5bd1e995;
  }
  return fmix32(fmix32(lo ^ seedLo) ^ Math.imul(hi ^ seedHi, 0x9e3779b1));
}

function validate(opts: SplitOptions): [number, number, number] {
  if (!Number.isFinite(opts.seed)) throw new Error(`split seed must be a finite number, got ${opts.seed}`);
  const f = NAMES.map((name) => {
    const v = opts[name];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) {
      throw new Error(`split fraction "${name}" must be a number between 0 and 1, got ${String(v)}`);
    }
    return v;
  }) as [number, number, number];
  const sum = f[0] + f[1] + f[2];
  if (Math.abs(sum - 1) > 1e-9) {
    throw new Error(`split fractions "train" + "validation" + "test" must sum to 1, got ${f[0]} + ${f[1]} + ${f[2]} = ${sum}`);
  }
  return f;
}

/** Exact counts for `n` rows: largest remainder, then at least one row per non-zero split when n ≥ 3. */
function counts(n: number, f: readonly [number, number, number]): number[] {
  const exact = f.map((x) => x * n);
  const c = exact.map(Math.floor);
  const get = (i: number): number => c[i] as number;
  const rem = (i: number): number => (exact[i] as number) - get(i);
  const nonZero = [0, 1, 2].filter((i) => (f[i] as number) > 0);
  const order = [...nonZero].sort((a, b) => rem(b) - rem(a) || a - b);
  let left = n - (get(0) + get(1) + get(2));
  for (let k = 0; left > 0 && order.length > 0; k = (k + 1) % order.length, left--) c[order[k] as number] = get(order[k] as number) + 1;
  if (n >= 3 && n >= nonZero.length) {
    for (const i of nonZero) {
      if (get(i) > 0) continue;
      const donor = nonZero.reduce((best, j) => (get(j) > get(best) ? j : best), nonZero[0] as number);
      if (get(donor) <= 1) break;
      c[donor] = get(donor) - 1;
      c[i] = 1;
    }
  }
  return c;
}

/** The split of each row, in the order of `rows`. */
export function assignSplits(rows: readonly { id: number; label: string | null }[], opts: SplitOptions): SplitName[] {
  const f = validate(opts);
  const seedLo = opts.seed >>> 0;
  const seedHi = Math.floor(opts.seed / 4294967296) | 0;
  const strata = new Map<string | null, number[]>();
  rows.forEach((row, i) => {
    const key = opts.stratify ? row.label : '';
    let list = strata.get(key);
    if (!list) strata.set(key, (list = []));
    list.push(i);
  });
  const hashes = new Uint32Array(rows.length);
  rows.forEach((row, i) => (hashes[i] = idHash(row.id, seedLo, seedHi)));
  const out = new Array<SplitName>(rows.length);
  for (const list of strata.values()) {
    list.sort((a, b) => (hashes[a] as number) - (hashes[b] as number) || (rows[a] as { id: number }).id - (rows[b] as { id: number }).id);
    const [train = 0, validation = 0] = counts(list.length, f);
    list.forEach((rowIndex, k) => {
      out[rowIndex] = k < train ? 'train' : k < train + validation ? 'validation' : 'test';
    });
  }
  return out;
}
