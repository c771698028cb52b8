// Exact and near-duplicate detection for dataset rows: a normalized 64-bit key for exact duplicates, and
// MinHash signatures over character shingles (CJK has no spaces, so words would not do) with LSH banding
// for near duplicates. All hashing is 32-bit Math.imul arithmetic: no BigInt in the hot loops.

export interface MinHashOptions {
  /** Signature length (default 64). */
  numHashes?: number;
  /** Shingle length in UTF-16 code units (default 5). */
  shingle?: number;
  seed?: number;
}

const PUNCT = /[\p{P}]+/gu;
const SPACES = /\s+/g;
const NON_ASCII = /[\u0080-\uffff]/;
// Scripts written without spaces: a space between two of their characters is layout, not a word break.
const UNSPACED_GAP = /(?<=[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]) (?=[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}])/gu;

/** NFKC, lowercase (locale-free), punctuation (incl. CJK and fullwidth) to spaces, whitespace collapsed. */
export function normalizeForDup(text: string): string {
  const s = text.normalize('NFKC').toLowerCase().replace(PUNCT, ' ').replace(SPACES, ' ').trim();
  return NON_ASCII.test(s) ? s.replace(UNSPACED_GAP, '') : s;
}

/** murmur3 finalizer: a full-avalanche 32-bit mix. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const hex8 = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');

/** 64-bit key of the normalized text as 16 hex characters: two independent 32-bit FNV-1a lanes. */
export function exactKey(text: string): string {
  const s = normalizeForDup(text);
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return hex8(fmix32(a ^ s.length)) + hex8(fmix32(b));
}

/** Per-hash multipliers (odd) and offsets for the given seed and length, cached. */
const paramCache = new Map<string, { mul: Int32Array; add: Int32Array }>();
function hashParams(numHashes: number, seed: number): { mul: Int32Array; add: Int32Array } {
  const key = `${numHashes}:${seed}`;
  let p = paramCache.get(key);
  if (!p) {
    const mul = new Int32Array(numHashes);
    const add = new Int32Array(numHashes);
    let x = fmix32(seed ^ 0x9e3779b9) || 1;
    for (let i = 0; i < numHashes; i++) {
      x = fmix32(x + 0x9e3779b9);
      mul[i] = x | 1;
      x = fmix32(x + 0x9e3779b9);
      add[i] = x;
    }
    p = { mul, add };
    paramCache.set(key, p);
  }
  return p;
}

/**
 * MinHash signature of the normalized text's character shingles. Each shingle is hashed once (FNV-1a,
 * then fmix32), and hash i is the bijection h → mul[i]·h + add[i] (mod 2³², odd mul) of it, so the 64
 * "permutations" cost one multiply, add and compare each. Text shorter than a shingle is one shingle.
 */
export function minhash(text: string, opts: MinHashOptions = {}): Uint32Array {
  const numHashes = opts.numHashes ?? 64;
  const k = opts.shingle ?? 5;
  if (!Number.isInteger(numHashes) || numHashes < 1) throw new Error(`numHashes must be a positive integer, got ${numHashes}`);
  if (!Number.isInteger(k) || k < 1) throw new Error(`shingle must be a positive integer, got ${k}`);
  const { mul, add } = hashParams(numHashes, (opts.seed ?? 0) >>> 0);
  const s = normalizeForDup(text);
  // Minimum in signed int32 order: any fixed total order works for MinHash, and staying in int32 keeps
  // V8 on small-integer arithmetic (uint32 values ≥ 2³¹ would become heap doubles).
  const sig = new Int32Array(numHashes).fill(0x7fffffff);
  const last = Math.max(0, s.length - k);
  const seedMix = (opts.seed ?? 0) >>> 0;
  for (let start = 0; start <= last; start++) {
    let h = 0x811c9dc5 ^ seedMix;
    const end = Math.min(s.length, start + k);
    for (let i = start; i < end; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    h = fmix32(h) | 0;
    for (let i = 0; i < numHashes; i++) {
      const v = (Math.imul(h, mul[i] as number) + (add[i] as number)) | 0;
      if (v < (sig[i] as number)) sig[i] = v;
    }
  }
  return new Uint32Array(sig.buffer);
}

/** Fraction of equal positions: an unbiased estimate of the shingle sets' Jaccard similarity. */
export function estimateJaccard(a: Uint32Array, b: Uint32Array): number {
  if (a.length !== b.length) throw new Error(`signature lengths differ: ${a.length} vs ${b.length}`);
  if (a.length === 0) return 0;
  let eq = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) eq++;
  return eq / a.length;
}

// ---------- LSH index ----------

/** Rows per band: the largest r whose banding still makes a pair at the threshold a candidate with
 *  probability ≥ 0.99 (64 hashes, 0.8 → 12 bands of 5). Fewer bands mean less memory and fewer false
 *  candidates. */
function defaultBands(numHashes: number, threshold: number): number {
  let best = numHashes;
  for (let r = 1; r <= numHashes; r++) {
    const b = Math.floor(numHashes / r);
    if (1 - Math.pow(1 - Math.pow(threshold, r), b) >= 0.99) best = b;
    else break;
  }
  return best;
}

const CHUNK_ROWS = 1 << 16;

/**
 * Incremental LSH near-duplicate index.
 *
 * Memory (the choice): signatures are kept for every row, but as 8-bit b-bit MinHash fingerprints (the
 * low byte of each value, Li & König) in fixed 64 Ki-row chunks, so growth never copies: 64 B/row at
 * 64 hashes. Candidates are verified with the b-bit estimator J ≈ (m − 2⁻⁸)/(1 − 2⁻⁸), m = fraction of
 * equal bytes, which is within ~0.01 of the full-signature estimate. Band buckets live in one shared
 * open-addressing Uint32Array (row index + 1 per slot, no stored key): a probed slot's row is the bucket's
 * owner when it was stored for the same band (slot value = row·bands + band + 1) and its band bytes equal
 * ours; bucket keys hash those bytes, so a doubling re-hashes from them. About 12 bands × 4 B / 0.72 load ≈ 64 B/row. Total ≈ 136 MB for
 * 1M rows at the defaults (plus 8 B/row for the caller's ids).
 */
export class NearDupIndex {
  readonly #numHashes: number;
  readonly #bands: number;
  readonly #rows: number;
  readonly #threshold: number;
  #table = new Uint32Array(1 << 16);
  #used = 0;
  #count = 0;
  readonly #sigChunks: Uint8Array[] = [];
  readonly #idChunks: Float64Array[] = [];

  constructor(opts: { numHashes?: number; bands?: number; threshold?: number } = {}) {
    this.#numHashes = opts.numHashes ?? 64;
    this.#threshold = opts.threshold ?? 0.8;
    if (!Number.isInteger(this.#numHashes) || this.#numHashes < 1) throw new Error(`numHashes must be a positive integer, got ${this.#numHashes}`);
    if (!(this.#threshold > 0 && this.#threshold <= 1)) throw new Error(`threshold must be in (0, 1], got ${this.#threshold}`);
    this.#bands = opts.bands ?? defaultBands(this.#numHashes, this.#threshold);
    if (!Number.isInteger(this.#bands) || this.#bands < 1 || this.#bands > this.#numHashes) {
      throw new Error(`bands must be an integer in 1..${this.#numHashes}, got ${this.#bands}`);
    }
    this.#rows = Math.floor(this.#numHashes / this.#bands);
  }

  get size(): number {
    return this.#count;
  }

  /** Returns the id of an earlier row whose estimated Jaccard ≥ threshold (first found), or null; then adds this row. */
  add(id: number, sig: Uint32Array): number | null {
    const n = this.#numHashes;
    if (sig.length !== n) throw new Error(`signature has ${sig.length} hashes, the index expects ${n}`);
    const row = this.#count;
    const chunk = row >>> 16;
    if (chunk === this.#sigChunks.length) {
      this.#sigChunks.push(new Uint8Array(CHUNK_ROWS * n));
      this.#idChunks.push(new Float64Array(CHUNK_ROWS));
    }
    const bytes = this.#sigChunks[chunk] as Uint8Array;
    const off = (row & (CHUNK_ROWS - 1)) * n;
    for (let i = 0; i < n; i++) bytes[off + i] = (sig[i] as number) & 0xff;
    (this.#idChunks[chunk] as Float64Array)[row & (CHUNK_ROWS - 1)] = id;
    this.#count++;

    if ((this.#used + this.#bands) * 4 > this.#table.length * 3) this.#grow();
    if (row * this.#bands + this.#bands >= 0xffffffff) throw new Error('NearDupIndex is full');
    let found: number | null = null;
    let checked = -1;
    for (let b = 0; b < this.#bands; b++) {
      const mask = this.#table.length - 1;
      let slot = this.#bandHash(bytes, off, b) & mask;
      for (;;) {
        const v = this.#table[slot] as number;
        if (v === 0) {
          this.#table[slot] = row * this.#bands + b + 1;
          this.#used++;
          break;
        }
        const other = Math.floor((v - 1) / this.#bands);
        if ((v - 1) - other * this.#bands === b && this.#sameBand(other, bytes, off, b)) {
          // The bucket already has its first row; this one is only a candidate to verify.
          if (found === null && other !== checked) {
            checked = other;
            if (this.#similar(other, bytes, off)) found = this.#idOf(other);
          }
          break;
        }
        slot = (slot + 1) & mask;
      }
    }
    return found;
  }

  /** Bucket key of band `b`: a hash of its fingerprint bytes (what #sameBand compares) and its index. */
  #bandHash(bytes: Uint8Array, off: number, b: number): number {
    let h = Math.imul(b + 1, 0x9e3779b1);
    for (let i = off + b * this.#rows, end = i + this.#rows; i < end; i++) h = Math.imul(h ^ (bytes[i] as number), 0x01000193);
    return fmix32(h);
  }

  #idOf(row: number): number {
    return (this.#idChunks[row >>> 16] as Float64Array)[row & (CHUNK_ROWS - 1)] as number;
  }

  #sameBand(other: number, bytes: Uint8Array, off: number, band: number): boolean {
    const n = this.#numHashes;
    const ob = this.#sigChunks[other >>> 16] as Uint8Array;
    const oo = (other & (CHUNK_ROWS - 1)) * n;
    for (let i = band * this.#rows; i < (band + 1) * this.#rows; i++) if (ob[oo + i] !== bytes[off + i]) return false;
    return true;
  }

  #similar(other: number, bytes: Uint8Array, off: number): boolean {
    const n = this.#numHashes;
    const ob = this.#sigChunks[other >>> 16] as Uint8Array;
    const oo = (other & (CHUNK_ROWS - 1)) * n;
    let eq = 0;
    for (let i = 0; i < n; i++) if (ob[oo + i] === bytes[off + i]) eq++;
    const est = (eq / n - 1 / 256) / (1 - 1 / 256);
    return est >= this.#threshold - 1e-12;
  }

  /** Doubles the bucket table; each slot says its row and band, so its key is recomputed from the bytes. */
  #grow(): void {
    const old = this.#table;
    const next = new Uint32Array(old.length * 2);
    const mask = next.length - 1;
    const n = this.#numHashes;
    for (let s = 0; s < old.length; s++) {
      const v = old[s] as number;
      if (v === 0) continue;
      const row = Math.floor((v - 1) / this.#bands);
      const b = v - 1 - row * this.#bands;
      let slot = this.#bandHash(this.#sigChunks[row >>> 16] as Uint8Array, (row & (CHUNK_ROWS - 1)) * n, b) & mask;
      while (next[slot] !== 0) slot = (slot + 1) & mask;
      next[slot] = v;
    }
    this.#table = next;
  }
}
