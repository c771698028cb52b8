// Agreement per field from stored answers: three labelers (Fleiss, not Cohen), ratings as ordinal
// Krippendorff, multi-choice answers compared as sets, per-labeler pairs, and buckets over time.
import { describe, expect, it } from 'vitest';
import { fleissKappa, krippendorffAlpha } from '../../shared/agreement';
import type { LabelPatch, LabelSchema } from '../../shared/datasets.schema';
import { agreementReport, differingFields, type Answer } from './teamAgreement';

const schema: LabelSchema = { fields: [{ name: 'topic', kind: 'single', options: ['a', 'b', 'c'] }, { name: 'flags', kind: 'multi', options: ['x', 'y'] }] };
const HOUR = 3_600_000;

function answers(rows: [LabelPatch, LabelPatch, LabelPatch][]): Answer[] {
  return rows.flatMap((patches, r) => patches.map((patch, i) => ({ rowId: r + 1, labelerId: `L${i}`, name: `N${i}`, patch, at: (r < 2 ? 0 : HOUR) + i })));
}

describe('agreementReport', () => {
  const data = answers([
    [{ labels: { topic: 'a', flags: ['x', 'y'] }, rating: 5 }, { labels: { topic: 'a', flags: ['y', 'x'] }, rating: 4 }, { labels: { topic: 'b' }, rating: 5 }],
    [{ labels: { topic: 'b' }, rating: 2 }, { labels: { topic: 'b' }, rating: 2 }, { labels: { topic: 'b' }, rating: 1 }],
    [{ labels: { topic: 'c' }, rating: 3 }, { labels: { topic: 'a' }, rating: 3 }, { labels: { topic: 'c' }, rating: 4 }],
  ]);
  const report = agreementReport('A1', data, schema, HOUR);

  it('uses Fleiss for three labelers and says why Cohen does not apply', () => {
    const topic = report.fields.find((f) => f.field === 'topic');
    expect(topic?.fleiss.value).toBeCloseTo(fleissKappa([['a', 'a', 'b'], ['b', 'b', 'b'], ['c', 'a', 'c']]).value as number, 12);
    expect(topic?.cohen).toMatchObject({ value: null, reason: expect.stringMatching(/two labelers; this assignment has 3/) });
    expect(topic?.percent.value).toBeCloseTo((1 / 3 + 1 + 1 / 3) / 3, 12);
  });

  it('treats ratings as ordinal and multi-choice answers as sets', () => {
    const rating = report.fields.find((f) => f.field === 'rating');
    expect(rating?.level).toBe('ordinal');
    expect(rating?.alpha.value).toBeCloseTo(krippendorffAlpha([[5, 4, 5], [2, 2, 1], [3, 3, 4]], 'ordinal').value as number, 12);
    // Only row 1 has flags, from two labelers, in different order: one pairable unit in full agreement.
    const flags = report.fields.find((f) => f.field === 'flags');
    expect(flags?.percent).toMatchObject({ value: 1, units: 1 });
    expect(differingFields(data.filter((a) => a.rowId === 1), schema)).toEqual(['rating', 'topic']);
  });

  it('compares each labeler with the others and buckets rows by when their last answer came', () => {
    const l0 = report.labelers.find((l) => l.labelerId === 'L0' && l.field === 'topic');
    // L0 vs L1 and L2 on 3 rows: agrees with L1 on rows 1, 2; with L2 on rows 2, 3.
    expect(l0).toMatchObject({ pairs: 6, percent: 4 / 6 });
    expect(report.overTime.filter((p) => p.field === 'topic').map((p) => [p.bucketStart, p.units])).toEqual([[0, 2], [HOUR, 1]]);
  });
});
