// Scores the PII detectors against the labelled corpus (testdata/pii-corpus.jsonl, written by
// scripts/genPiiCorpus.mjs) and the hand-typed hold-out set (testdata/pii-holdout.jsonl, written without
// the generator's templates). Shared by the corpus test, which asserts the targets, and bench/pii.bench.ts.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { findPii, PII_KINDS, type PiiKind } from '../../shared/pii';
import { narrow } from '../../shared/piiValidators';

export interface CorpusLine {
  text: string;
  pii: { kind: PiiKind; value: string }[];
  note: string;
}

export interface CorpusScore {
  lines: number;
  positives: number;
  found: number;
  recall: number;
  recallByKind: Record<PiiKind, { positives: number; found: number; recall: number }>;
  negativeLines: number;
  /** Negative-only lines with any finding, over all negative-only lines. */
  negativeLineFpr: number;
  /** Findings that match no label (by kind and value), over all findings. */
  findingFpr: number;
  findings: number;
  misses: { text: string; kind: PiiKind; value: string; note: string }[];
  falsePositives: { text: string; kind: PiiKind; value: string; note: string }[];
}

export const CORPUS_PATH = fileURLToPath(new URL('./testdata/pii-corpus.jsonl', import.meta.url));
export const HOLDOUT_PATH = fileURLToPath(new URL('./testdata/pii-holdout.jsonl', import.meta.url));

export function loadCorpus(path = CORPUS_PATH): CorpusLine[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as CorpusLine);
}

/** Values compare after full-width digits and separators are read as ASCII. */
const key = (kind: string, value: string): string => `${kind}\u0000${narrow(value)}`;

export function scoreCorpus(lines: readonly CorpusLine[]): CorpusScore {
  const byKind = Object.fromEntries(PII_KINDS.map((k) => [k, { positives: 0, found: 0, recall: 0 }])) as CorpusScore['recallByKind'];
  const misses: CorpusScore['misses'] = [];
  const falsePositives: CorpusScore['falsePositives'] = [];
  let positives = 0;
  let found = 0;
  let negativeLines = 0;
  let flaggedNegatives = 0;
  let findings = 0;
  for (const line of lines) {
    const got = findPii(line.text);
    findings += got.length;
    const gotKeys = new Set(got.map((m) => key(m.kind, m.text)));
    const labelKeys = new Set(line.pii.map((p) => key(p.kind, p.value)));
    for (const p of line.pii) {
      positives++;
      byKind[p.kind].positives++;
      if (gotKeys.has(key(p.kind, p.value))) {
        found++;
        byKind[p.kind].found++;
      } else misses.push({ text: line.text, kind: p.kind, value: p.value, note: line.note });
    }
    for (const m of got) if (!labelKeys.has(key(m.kind, m.text))) falsePositives.push({ text: line.text, kind: m.kind, value: m.text, note: line.note });
    if (line.pii.length === 0) {
      negativeLines++;
      if (got.length > 0) flaggedNegatives++;
    }
  }
  for (const k of PII_KINDS) byKind[k].recall = byKind[k].positives ? byKind[k].found / byKind[k].positives : 1;
  return {
    lines: lines.length,
    positives,
    found,
    recall: positives ? found / positives : 1,
    recallByKind: byKind,
    negativeLines,
    negativeLineFpr: negativeLines ? flaggedNegatives / negativeLines : 0,
    findingFpr: findings ? falsePositives.length / findings : 0,
    findings,
    misses,
    falsePositives,
  };
}
