// ROUGE-1, ROUGE-2 and ROUGE-L as Google's rouge-score package computes them (rouge_score/rouge_scorer.py,
// tokenize.py, tokenizers.py): its default tokenizer, optional Porter stemming of tokens longer than three
// characters with NLTK's PorterStemmer() in its default NLTK_EXTENSIONS mode, sentence-level LCS for
// ROUGE-L (not rougeLsum), and score_multi's choice of the reference with the highest F-measure.
import { PorterStemmer } from './porter';

export interface RougeScore {
  precision: number;
  recall: number;
  fmeasure: number;
}

export interface RougeResult {
  rouge1: RougeScore;
  rouge2: RougeScore;
  rougeL: RougeScore;
}

export type RougeType = keyof RougeResult;
export const ROUGE_TYPES: readonly RougeType[] = ['rouge1', 'rouge2', 'rougeL'];

export interface RougeOptions {
  /** Porter-stem tokens longer than 3 characters (rouge-score's use_stemmer). Default false. */
  stem?: boolean;
}

const stemmer = new PorterStemmer();

/** rouge-score's tokenize(): lowercase, non-[a-z0-9] runs to spaces, split, optional stemming, drop invalid tokens. */
export function rougeTokenize(text: string, stem = false): string[] {
  const tokens = text.toLowerCase().replace(/[^a-z0-9]+/g, ' ').split(/\s+/);
  const stemmed = stem ? tokens.map((t) => (t.length > 3 ? stemmer.stem(t) : t)) : tokens;
  return stemmed.filter((t) => /^[a-z0-9]+$/.test(t));
}

/** rouge-score's scoring.fmeasure. */
function fmeasure(precision: number, recall: number): number {
  return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0.0;
}

function ngramCounts(tokens: readonly string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    // Tokens are [a-z0-9]+, so a space-joined key is unambiguous.
    const key = tokens.slice(i, i + n).join(' ');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** rouge-score's _score_ngrams: clipped overlap over n-gram counts. */
function scoreNgrams(target: readonly string[], prediction: readonly string[], n: number): RougeScore {
  const targetNgrams = ngramCounts(target, n);
  const predictionNgrams = ngramCounts(prediction, n);
  let overlap = 0;
  for (const [ngram, count] of targetNgrams) overlap += Math.min(count, predictionNgrams.get(ngram) ?? 0);
  const targetCount = Math.max(0, target.length - n + 1);
  const predictionCount = Math.max(0, prediction.length - n + 1);
  const precision = overlap / Math.max(predictionCount, 1);
  const recall = overlap / Math.max(targetCount, 1);
  return { precision, recall, fmeasure: fmeasure(precision, recall) };
}

/** Length of the longest common subsequence (rouge-score's _lcs_table()[-1][-1], two rows at a time). */
export function lcsLength(a: readonly string[], b: readonly string[]): number {
  let prev = new Int32Array(b.length + 1);
  let cur = new Int32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      cur[j] = a[i - 1] === b[j - 1] ? (prev[j - 1] as number) + 1 : Math.max(prev[j] as number, cur[j - 1] as number);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length] as number;
}

/** rouge-score's _score_lcs. */
function scoreLcs(target: readonly string[], prediction: readonly string[]): RougeScore {
  if (target.length === 0 || prediction.length === 0) return { precision: 0, recall: 0, fmeasure: 0 };
  const lcs = lcsLength(target, prediction);
  const precision = lcs / prediction.length;
  const recall = lcs / target.length;
  return { precision, recall, fmeasure: fmeasure(precision, recall) };
}

function scoreTokens(target: readonly string[], prediction: readonly string[]): RougeResult {
  return { rouge1: scoreNgrams(target, prediction, 1), rouge2: scoreNgrams(target, prediction, 2), rougeL: scoreLcs(target, prediction) };
}

/**
 * ROUGE of one prediction against one or more references. With several references each ROUGE type
 * takes the reference with the highest F-measure (the first on ties), as rouge-score's score_multi does,
 * so rouge1 and rougeL may come from different references. Note the argument order: rouge-score's own
 * score() takes (target, prediction).
 */
export function rougeScore(prediction: string, references: string | readonly string[], options?: RougeOptions): RougeResult {
  const refs = typeof references === 'string' ? [references] : references;
  if (refs.length === 0) throw new Error('ROUGE needs at least one reference');
  const stem = options?.stem ?? false;
  const predictionTokens = rougeTokenize(prediction, stem);
  const perRef = refs.map((r) => scoreTokens(rougeTokenize(r, stem), predictionTokens));
  const best = (type: RougeType): RougeScore => {
    let top = perRef[0] as RougeResult;
    for (const r of perRef) if (r[type].fmeasure > top[type].fmeasure) top = r;
    return top[type];
  };
  return { rouge1: best('rouge1'), rouge2: best('rouge2'), rougeL: best('rougeL') };
}

/** The plain arithmetic mean of each ROUGE type's precision, recall and F-measure. */
export function meanRouge(results: readonly RougeResult[]): RougeResult {
  if (results.length === 0) throw new Error('cannot average zero ROUGE results');
  const mean = (type: RougeType): RougeScore => {
    const sum = { precision: 0, recall: 0, fmeasure: 0 };
    for (const r of results) {
      sum.precision += r[type].precision;
      sum.recall += r[type].recall;
      sum.fmeasure += r[type].fmeasure;
    }
    return { precision: sum.precision / results.length, recall: sum.recall / results.length, fmeasure: sum.fmeasure / results.length };
  };
  return { rouge1: mean('rouge1'), rouge2: mean('rouge2'), rougeL: mean('rougeL') };
}
