// BLEU exactly as sacreBLEU 2.x computes it (github.com/mjpost/sacrebleu, sacrebleu/metrics/bleu.py):
// the 13a (mteval-v13a) tokenizer, clipped n-gram counts against the max over references, the closest
// reference length for the brevity penalty, and its smoothing methods with 'exp' as the default.
import { pyFixed, pyRstrip, pySplit } from './pyCompat';

export type BleuSmoothMethod = 'exp' | 'floor' | 'add-k' | 'none';
export type BleuTokenizer = '13a' | 'none';

export interface BleuOptions {
  /** Lowercase hypotheses and references before tokenizing (sacreBLEU's --lowercase). Default false. */
  lowercase?: boolean;
  /** Default '13a'; 'none' splits on whitespace only. */
  tokenize?: BleuTokenizer;
  /** Default 'exp' (mteval-v13a's smoothing of zero counts). */
  smoothMethod?: BleuSmoothMethod;
  /** For 'floor' (default 0.1) and 'add-k' (default 1); ignored otherwise. */
  smoothValue?: number;
  /** Only use the n-gram orders the hypotheses have; false for corpus BLEU, true for sentenceBleu(). */
  effectiveOrder?: boolean;
  /** Default 4. */
  maxNgramOrder?: number;
}

/** sacreBLEU's BLEUScore: precisions are percentages, score is 0–100. */
export interface BleuScore {
  score: number;
  counts: number[];
  totals: number[];
  precisions: number[];
  bp: number;
  sysLen: number;
  refLen: number;
}

const SMOOTH_DEFAULTS: Record<BleuSmoothMethod, number | undefined> = { none: undefined, floor: 0.1, 'add-k': 1, exp: undefined };

// sacrebleu/tokenizers/tokenizer_re.py — the language-dependent part of mteval-v13a, in order. The
// character class is ASCII { | } ~ [ \ ] ^ _ ` space ! " # $ % & ( ) * + : ; < = > ? @ /.
const REGEXP_13A: ReadonlyArray<readonly [RegExp, string]> = [
  [/([{-~[-` -&(-+:-@/])/g, ' $1 '],
  // period and comma unless preceded by a digit
  [/([^0-9])([.,])/g, '$1 $2 '],
  // period and comma unless followed by a digit
  [/([.,])([^0-9])/g, ' $1 $2'],
  // dash when preceded by a digit
  [/([0-9])(-)/g, '$1 $2 '],
];

/** sacreBLEU's Tokenizer13a: tokens joined by single spaces. */
export function tokenize13a(line: string): string {
  let s = line.replaceAll('<skipped>', '').replaceAll('-\n', '').replaceAll('\n', ' ');
  if (s.includes('&')) s = s.replaceAll('&quot;', '"').replaceAll('&amp;', '&').replaceAll('&lt;', '<').replaceAll('&gt;', '>');
  s = ` ${s} `;
  for (const [re, repl] of REGEXP_13A) s = s.replace(re, repl);
  return pySplit(s).join(' ');
}

interface Resolved {
  lowercase: boolean;
  tokenize: BleuTokenizer;
  smoothMethod: BleuSmoothMethod;
  smoothValue: number | undefined;
  effectiveOrder: boolean;
  maxNgramOrder: number;
}

function resolve(options: BleuOptions | undefined, effectiveOrderDefault: boolean): Resolved {
  const maxNgramOrder = options?.maxNgramOrder ?? 4;
  if (!Number.isInteger(maxNgramOrder) || maxNgramOrder < 1) throw new RangeError(`maxNgramOrder must be a positive integer, got ${maxNgramOrder}`);
  return {
    lowercase: options?.lowercase ?? false,
    tokenize: options?.tokenize ?? '13a',
    smoothMethod: options?.smoothMethod ?? 'exp',
    smoothValue: options?.smoothValue,
    effectiveOrder: options?.effectiveOrder ?? effectiveOrderDefault,
    maxNgramOrder,
  };
}

function preprocess(sent: string, o: Resolved): string {
  const s = o.lowercase ? sent.toLowerCase() : sent;
  return o.tokenize === '13a' ? tokenize13a(pyRstrip(s)) : pyRstrip(s);
}

/** Counts of the n-grams of each order 1..maxOrder (index n-1), keyed by their space-joined tokens. */
function extractNgrams(line: string, maxOrder: number): { ngrams: Map<string, number>[]; len: number } {
  const tokens = pySplit(line);
  const ngrams: Map<string, number>[] = [];
  for (let n = 1; n <= maxOrder; n++) {
    const counts = new Map<string, number>();
    for (let i = 0; i + n <= tokens.length; i++) {
      // Tokens never contain whitespace, so the joined string identifies the n-gram.
      const key = tokens.slice(i, i + n).join(' ');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    ngrams.push(counts);
  }
  return { ngrams, len: tokens.length };
}

/** Closest reference length to hypLen; ties go to the shorter reference. */
function closestRefLen(hypLen: number, refLens: number[]): number {
  let closestDiff = -1;
  let closestLen = -1;
  for (const refLen of refLens) {
    const diff = Math.abs(hypLen - refLen);
    if (closestDiff === -1 || diff < closestDiff) {
      closestDiff = diff;
      closestLen = refLen;
    } else if (diff === closestDiff && refLen < closestLen) {
      closestLen = refLen;
    }
  }
  return closestLen;
}

// sacreBLEU floors log(0) to this instead of -Infinity.
function myLog(x: number): number {
  return x === 0 ? -9999999999 : Math.log(x);
}

/** sacreBLEU's BLEU.compute_bleu: the score from summed sufficient statistics. */
export function computeBleu(
  correct: readonly number[],
  total: readonly number[],
  sysLen: number,
  refLen: number,
  options?: Pick<BleuOptions, 'smoothMethod' | 'smoothValue' | 'effectiveOrder' | 'maxNgramOrder'>,
): BleuScore {
  const smoothMethod = options?.smoothMethod ?? 'none';
  const smoothValue = options?.smoothValue ?? SMOOTH_DEFAULTS[smoothMethod] ?? 0;
  const effectiveOrder = options?.effectiveOrder ?? false;
  const maxOrder = options?.maxNgramOrder ?? 4;
  const counts = [...correct];
  const totals = [...total];

  let bp = 1.0;
  if (sysLen < refLen) bp = sysLen > 0 ? Math.exp(1 - refLen / sysLen) : 0.0;

  const precisions = new Array<number>(maxOrder).fill(0);
  // No matches at all scores 0 whatever the smoothing (sacreBLEU #141).
  if (!counts.some((c) => c !== 0)) return { score: 0.0, counts, totals, precisions, bp, sysLen, refLen };

  let smoothMteval = 1.0;
  let effOrder = maxOrder;
  for (let n = 1; n <= maxOrder; n++) {
    if (smoothMethod === 'add-k' && n > 1) {
      counts[n - 1] = (counts[n - 1] ?? 0) + smoothValue;
      totals[n - 1] = (totals[n - 1] ?? 0) + smoothValue;
    }
    const c = counts[n - 1] ?? 0;
    const t = totals[n - 1] ?? 0;
    if (t === 0) break;
    if (effectiveOrder) effOrder = n;
    if (c === 0) {
      if (smoothMethod === 'exp') {
        smoothMteval *= 2;
        precisions[n - 1] = 100 / (smoothMteval * t);
      } else if (smoothMethod === 'floor') {
        precisions[n - 1] = (100 * smoothValue) / t;
      }
    } else {
      precisions[n - 1] = (100 * c) / t;
    }
  }

  let logSum = 0;
  for (let i = 0; i < effOrder; i++) logSum += myLog(precisions[i] ?? 0);
  const score = bp * Math.exp(logSum / effOrder);
  return { score, counts, totals, precisions, bp, sysLen, refLen };
}

/** Per-segment statistics: [hypLen, refLen, correct × maxOrder, total × maxOrder]. */
function segmentStats(hyp: string, refs: readonly string[], o: Resolved): number[] {
  // Reference n-gram counts merged by max across references, so matches clip against the best one.
  let refNgrams: Map<string, number>[] | null = null;
  const refLens: number[] = [];
  for (const ref of refs) {
    const { ngrams, len } = extractNgrams(preprocess(ref, o), o.maxNgramOrder);
    refLens.push(len);
    if (refNgrams === null) refNgrams = ngrams;
    else {
      for (const [n, counts] of ngrams.entries()) {
        const merged = refNgrams[n] as Map<string, number>;
        for (const [k, v] of counts) merged.set(k, Math.max(merged.get(k) ?? 0, v));
      }
    }
  }
  const { ngrams: hypNgrams, len: hypLen } = extractNgrams(preprocess(hyp, o), o.maxNgramOrder);
  const correct = new Array<number>(o.maxNgramOrder).fill(0);
  const total = new Array<number>(o.maxNgramOrder).fill(0);
  for (const [n, counts] of hypNgrams.entries()) {
    const ref = refNgrams?.[n];
    for (const [ngram, count] of counts) {
      total[n] = (total[n] ?? 0) + count;
      const inRef = ref?.get(ngram);
      if (inRef !== undefined) correct[n] = (correct[n] ?? 0) + Math.min(count, inRef);
    }
  }
  return [hypLen, closestRefLen(hypLen, refLens), ...correct, ...total];
}

function scoreFromStats(stats: number[][], o: Resolved): BleuScore {
  const sum = new Array<number>(2 + 2 * o.maxNgramOrder).fill(0);
  for (const s of stats) for (let i = 0; i < sum.length; i++) sum[i] = (sum[i] ?? 0) + (s[i] ?? 0);
  return computeBleu(sum.slice(2, 2 + o.maxNgramOrder), sum.slice(2 + o.maxNgramOrder), sum[0] ?? 0, sum[1] ?? 0, o);
}

/**
 * Corpus BLEU (sacreBLEU's corpus_bleu). `references` is a list of reference streams, each parallel to
 * `hypotheses` (references[k][i] is the k-th reference of segment i), as sacreBLEU takes them. An empty
 * reference segment is skipped (a variable number of references); a segment with none left throws.
 */
export function corpusBleu(hypotheses: readonly string[], references: ReadonlyArray<readonly string[]>, options?: BleuOptions): BleuScore {
  const o = resolve(options, false);
  // sacreBLEU fails on an empty corpus too; a silent 0 would read as a real score.
  if (hypotheses.length === 0) throw new Error('BLEU needs at least one hypothesis');
  if (references.length === 0) throw new Error('BLEU needs at least one reference stream');
  for (const [k, stream] of references.entries()) {
    if (stream.length !== hypotheses.length) {
      throw new Error(`reference stream ${k + 1} has ${stream.length} segments but there are ${hypotheses.length} hypotheses`);
    }
  }
  const stats = hypotheses.map((hyp, i) => {
    const refs = references.map((stream) => stream[i] ?? '').filter((r) => r !== '');
    if (refs.length === 0) throw new Error(`segment ${i + 1} has no non-empty reference`);
    return segmentStats(hyp, refs, o);
  });
  return scoreFromStats(stats, o);
}

/** Sentence BLEU (sacreBLEU's sentence_bleu): exp smoothing and effective order by default. */
export function sentenceBleu(hypothesis: string, references: readonly string[], options?: BleuOptions): BleuScore {
  const o = resolve(options, true);
  const refs = references.filter((r) => r !== '');
  if (refs.length === 0) throw new Error('sentence BLEU needs at least one non-empty reference');
  return scoreFromStats([segmentStats(hypothesis, refs, o)], o);
}

/** sacreBLEU's text form: `BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)`. */
export function formatBleu(s: BleuScore, width = 2): string {
  const ratio = s.refLen ? s.sysLen / s.refLen : 0;
  const prec = s.precisions.map((p) => pyFixed(p, 1)).join('/');
  return `BLEU = ${pyFixed(s.score, width)} ${prec} (BP = ${pyFixed(s.bp, 3)} ratio = ${pyFixed(ratio, 3)} hyp_len = ${s.sysLen} ref_len = ${s.refLen})`;
}
