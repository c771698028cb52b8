// PII detectors: recall and false-positive rate on the labelled corpus (src/core/guard/testdata), and
// throughput of findPii and PiiMasker.mask over ~4 MB of mixed Chinese/English text (~300-character
// chunks, a few percent carrying PII, as prompts do). MB = 10^6 bytes of UTF-8.
// Prints one JSON object. Run: npx tsx bench/pii.bench.ts
import { HOLDOUT_PATH, loadCorpus, scoreCorpus, type CorpusScore } from '../src/core/guard/piiCorpus';
import { findPii } from '../src/shared/pii';
import { PiiMasker } from '../src/shared/piiMask';
import { mulberry32 } from '../src/shared/prng';

const rng = mulberry32;

const corpus = loadCorpus();
const score = scoreCorpus(corpus);
// Scored apart: the generated corpus and the hand-typed hold-out answer different questions.
const holdout = scoreCorpus(loadCorpus(HOLDOUT_PATH));

/** Prose with numbers (years, prices, versions, timestamps) and, now and then, a corpus line. */
function mixedText(targetBytes: number): string[] {
  const rnd = rng(7);
  const en = 'the customer asked about the refund for order and the model answered with a summary of the policy please check the invoice before tomorrow'.split(' ');
  const zh = [...'客户询问退款进度模型回答了政策摘要请在明天之前核对发票我们今天讨论数据质量问题'];
  const num = (): string => {
    const k = rnd();
    if (k < 0.3) return String(1990 + Math.floor(rnd() * 40));
    if (k < 0.6) return (rnd() * 10000).toFixed(2);
    if (k < 0.8) return String(1_700_000_000_000 + Math.floor(rnd() * 1e10));
    return `v${Math.floor(rnd() * 10)}.${Math.floor(rnd() * 20)}.${Math.floor(rnd() * 9)}`;
  };
  const out: string[] = [];
  let bytes = 0;
  while (bytes < targetBytes) {
    let s = '';
    const cjk = rnd() < 0.5;
    while (s.length < 300) {
      const r = rnd();
      s += r < 0.05 ? num() + ' ' : r < 0.06 ? (corpus[Math.floor(rnd() * corpus.length)]?.text ?? '') + ' ' : cjk ? zh[Math.floor(rnd() * zh.length)] : en[Math.floor(rnd() * en.length)] + ' ';
    }
    out.push(s);
    bytes += Buffer.byteLength(s);
  }
  return out;
}

const chunks = mixedText(4e6);
const totalMb = chunks.reduce((n, c) => n + Buffer.byteLength(c), 0) / 1e6;

function time(fn: () => void, reps = 3): number {
  fn(); // warm-up
  let best = Infinity;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, performance.now() - t0);
  }
  return best / 1000;
}

let found = 0;
const findSec = time(() => {
  found = 0;
  for (const c of chunks) found += findPii(c).length;
});
const maskSec = time(() => {
  const m = new PiiMasker();
  for (const c of chunks) m.mask(c);
});

const r4 = (x: number): number => Math.round(x * 1e4) / 1e4;
function report(s: CorpusScore): object {
  const fpByKind: Record<string, number> = {};
  for (const f of s.falsePositives) fpByKind[f.kind] = (fpByKind[f.kind] ?? 0) + 1;
  return {
    lines: s.lines,
    positives: s.positives,
    negativeLines: s.negativeLines,
    recall: r4(s.recall),
    recallByKind: Object.fromEntries(Object.entries(s.recallByKind).map(([k, v]) => [k, { positives: v.positives, recall: r4(v.recall) }])),
    falsePositiveRateNegativeLines: r4(s.negativeLineFpr),
    falsePositiveRateFindings: r4(s.findingFpr),
    falsePositivesByKind: fpByKind,
    misses: s.misses.slice(0, 20).map((m) => `${m.kind} ${JSON.stringify(m.value)} in ${JSON.stringify(m.text)}`),
    falsePositives: s.falsePositives.slice(0, 20).map((m) => `${m.kind} ${JSON.stringify(m.value)} in ${JSON.stringify(m.text)}`),
  };
}
console.log(
  JSON.stringify(
    {
      corpus: report(score),
      holdout: report(holdout),
      throughput: {
        textMb: Math.round(totalMb * 100) / 100,
        chunks: chunks.length,
        findings: found,
        findPiiMbPerSec: Math.round((totalMb / findSec) * 10) / 10,
        maskMbPerSec: Math.round((totalMb / maskSec) * 10) / 10,
      },
    },
    null,
    2,
  ),
);
