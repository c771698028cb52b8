// Recall and false-positive rate of the PII detectors on the labelled corpus (issue 8 targets: recall
// ≥ 99 %, false positives ≤ 1 %). Regenerate the corpus with `node scripts/genPiiCorpus.mjs`.
import { describe, expect, it } from 'vitest';
import { HOLDOUT_PATH, loadCorpus, scoreCorpus } from './piiCorpus';

describe('PII corpus', () => {
  const lines = loadCorpus();
  const s = scoreCorpus(lines);

  it('is big enough to mean something', () => {
    expect(s.positives).toBeGreaterThanOrEqual(600);
    expect(s.negativeLines).toBeGreaterThanOrEqual(400);
    for (const k of Object.values(s.recallByKind)) expect(k.positives).toBeGreaterThanOrEqual(50);
  });

  it('meets the recall and false-positive targets', () => {
    const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
    const perKind = Object.entries(s.recallByKind).map(([k, v]) => `${k} ${pct(v.recall)} (${v.found}/${v.positives})`);
    console.log(
      `PII corpus: recall ${pct(s.recall)} (${s.found}/${s.positives}); ${perKind.join(', ')}; ` +
        `false positives: ${pct(s.negativeLineFpr)} of ${s.negativeLines} negative lines, ${pct(s.findingFpr)} of ${s.findings} findings`,
    );
    // The first few misses and false positives say what to fix when a target slips.
    expect(s.recall, JSON.stringify(s.misses.slice(0, 5))).toBeGreaterThanOrEqual(0.99);
    expect(s.negativeLineFpr, JSON.stringify(s.falsePositives.slice(0, 5))).toBeLessThanOrEqual(0.01);
    expect(s.findingFpr, JSON.stringify(s.falsePositives.slice(0, 5))).toBeLessThanOrEqual(0.01);
  });
});

// Typed by hand as people fill forms, without the generator's templates. Both sets are ours, so neither is
// a lower bound on real text; a miss here is still a regression worth reading.
describe('PII hold-out set', () => {
  const s = scoreCorpus(loadCorpus(HOLDOUT_PATH));

  it('meets the same targets as the corpus', () => {
    expect(s.positives).toBeGreaterThanOrEqual(100);
    expect(s.negativeLines).toBeGreaterThanOrEqual(50);
    expect(s.recall, JSON.stringify(s.misses.slice(0, 5))).toBeGreaterThanOrEqual(0.99);
    expect(s.negativeLineFpr, JSON.stringify(s.falsePositives.slice(0, 5))).toBeLessThanOrEqual(0.01);
    expect(s.findingFpr, JSON.stringify(s.falsePositives.slice(0, 5))).toBeLessThanOrEqual(0.01);
  });
});
