import { describe, expect, it } from 'vitest';
import { alphaSeries, answerWords, EMPTY_ANSWER, EMPTY_START, labelChoices, queueShare, resolutionWords, statWords, toAnswerPatch, toStartInput } from './teamView';

describe('team view helpers', () => {
  it('shows a statistic to three places, or a dash with the reason it is undefined', () => {
    expect(statWords({ value: 0.74343, reason: null, units: 11 })).toEqual({ text: '0.743', title: '11 rows' });
    expect(statWords({ value: null, reason: 'every value is the same', units: 3 })).toEqual({ text: '—', title: 'every value is the same' });
  });
  it('measures progress on the rows dealt to the labeler', () => {
    expect(queueShare({ done: 3, remaining: 1 })).toBe(0.75);
    expect(queueShare({ done: 0, remaining: 0 })).toBeNull();
  });
  it('turns the start form into team.start input, naming the wrong field', () => {
    expect(toStartInput(EMPTY_START)).toEqual({ ok: false, error: 'Pick a dataset' });
    expect(toStartInput({ ...EMPTY_START, datasetId: 'D', overlapPercent: '150' })).toMatchObject({ ok: false, error: expect.stringMatching(/^Overlap/) });
    expect(toStartInput({ ...EMPTY_START, datasetId: 'D', overlapK: '1' })).toMatchObject({ ok: false, error: expect.stringMatching(/2 or more/) });
    expect(toStartInput({ ...EMPTY_START, datasetId: 'D', overlapPercent: '15', overlapK: '3' })).toEqual({
      ok: true,
      input: { datasetId: 'D', mode: 'claim_next', overlap: 0.15, overlapK: 3, claimMinutes: 30 },
    });
  });
  it('adds the slice and, by filter, one part per labeler given a status or a label', () => {
    const base = { ...EMPTY_START, datasetId: 'D', overlapPercent: '0' };
    expect(toStartInput({ ...base, slice: { status: 'new', label: '' } })).toMatchObject({ ok: true, input: { filter: { status: 'new' } } });
    expect(toStartInput({ ...base, mode: 'by_filter', parts: { A: { status: '', label: '' } } })).toEqual({ ok: false, error: expect.stringMatching(/^By filter: give at least one labeler/) });
    const r = toStartInput({ ...base, mode: 'by_filter', parts: { A: { status: '', label: 'topic=billing' }, B: { status: 'rejected', label: '' }, C: { status: '', label: '' } } });
    expect(r).toEqual({
      ok: true,
      input: { datasetId: 'D', mode: 'by_filter', overlap: 0, overlapK: 2, claimMinutes: 30, parts: [{ labelerId: 'A', filter: { label: 'topic=billing' } }, { labelerId: 'B', filter: { status: 'rejected' } }] },
    });
    expect(labelChoices({ fields: [{ name: 'topic', kind: 'single', options: ['billing', 'tech'] }] })).toEqual(['topic=billing', 'topic=tech']);
    expect(labelChoices(null)).toEqual([]);
  });
  it("turns a reviewer's own answer into a label patch, and says who resolved a row and how", () => {
    expect(toAnswerPatch({ ...EMPTY_ANSWER, rating: '4', labels: { topic: 'tech', flags: '' }, note: ' checked ' })).toEqual({ ok: true, patch: { status: 'accepted', rating: 4, labels: { topic: 'tech' }, note: 'checked' } });
    expect(toAnswerPatch({ status: '', rating: '', labels: { topic: '' }, note: ' ' })).toEqual({ ok: false, error: expect.stringMatching(/^Write an answer/) });
    const names = (id: string) => ({ A: 'Ana' })[id] ?? id;
    expect(resolutionWords({ reviewerName: 'Rita', kind: 'chose', chosenLabelerId: 'A' }, names)).toBe("Rita chose Ana's answer");
    expect(resolutionWords({ reviewerName: 'Rita', kind: 'wrote', chosenLabelerId: null }, names)).toBe('Rita wrote an answer');
  });
  it('builds one alpha series per field in time order, leaving out undefined points', () => {
    const s = alphaSeries([
      { bucketStart: 2, field: 'topic', units: 1, percent: 1, alpha: 0.5 },
      { bucketStart: 1, field: 'topic', units: 1, percent: 1, alpha: 0.2 },
      { bucketStart: 1, field: 'rating', units: 1, percent: 1, alpha: null },
    ]);
    expect(s).toEqual([{ field: 'topic', points: [{ x: 1, y: 0.2 }, { x: 2, y: 0.5 }] }]);
  });
  it("reads a labeler's answer in words", () => {
    expect(answerWords({ status: 'accepted', rating: 4, labels: { topic: 'billing', flags: ['rude', 'pii'] } })).toBe('accepted · rating 4 · topic: billing · flags: rude, pii');
    expect(answerWords({ tags: ['x'] })).toBe('no change');
  });
});
