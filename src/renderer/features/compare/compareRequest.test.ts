import { describe, expect, it } from 'vitest';
import { CompareRequest } from '../../../shared/compare.schema';
import { DEFAULT_PARAMS, toParamsForm } from '../../ui/prompt/params';
import { buildCompareRequest, type CompareDraft } from './compareRequest';

const local = { kind: 'local', modelId: 'M1' } as const;
const remote = { kind: 'remote', targetId: 'T1', model: 'llama' } as const;
const draft: CompareDraft = {
  columns: [local, remote],
  systemPrompt: 'Be {{tone}}.',
  userMessage: 'Explain tides',
  variables: { tone: 'brief' },
  params: toParamsForm(DEFAULT_PARAMS),
  schemaEnabled: false,
  schemaText: '{}',
};

describe('buildCompareRequest', () => {
  it('builds a request the contract accepts, columns in order', () => {
    const r = buildCompareRequest(draft);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.localModelId).toBe('M1');
    expect(r.request.columns).toEqual([local, remote]);
    expect(CompareRequest.parse(r.request)).toEqual(r.request);
  });
  it('allows the same target twice and remote-only comparisons', () => {
    const r = buildCompareRequest({ ...draft, columns: [remote, remote] });
    expect(r).toMatchObject({ ok: true, localModelId: null });
  });
  it('refuses unchosen columns, too few or too many, and two local models', () => {
    expect(buildCompareRequest({ ...draft, columns: [local, null] })).toMatchObject({ ok: false, message: expect.stringMatching(/column 2/) });
    expect(buildCompareRequest({ ...draft, columns: [local] })).toMatchObject({ ok: false, message: expect.stringMatching(/at least 2/) });
    expect(buildCompareRequest({ ...draft, columns: Array.from({ length: 9 }, () => remote) })).toMatchObject({ ok: false });
    expect(buildCompareRequest({ ...draft, columns: [local, { kind: 'local', modelId: 'M2' }] })).toMatchObject({ ok: false, message: expect.stringMatching(/one local model/) });
  });
  it('refuses missing variables, an empty prompt and bad params', () => {
    expect(buildCompareRequest({ ...draft, variables: { tone: '' } })).toMatchObject({ ok: false, message: expect.stringMatching(/tone/) });
    expect(buildCompareRequest({ ...draft, systemPrompt: '', userMessage: ' ' })).toMatchObject({ ok: false });
    expect(buildCompareRequest({ ...draft, params: { ...draft.params, maxTokens: '0' } })).toMatchObject({ ok: false, message: expect.stringMatching(/Max tokens/) });
    expect(buildCompareRequest({ ...draft, schemaEnabled: true, schemaText: '[' })).toMatchObject({ ok: false });
  });
  it('sends the same images once for every column, and names an empty image variable', () => {
    const png = { hash: 'a'.repeat(64), name: 'a.png' };
    const r = buildCompareRequest({ ...draft, userMessage: `${draft.userMessage} {{image:chart}}`, images: [png], imageSlots: { chart: { hash: 'b'.repeat(64), name: 'c.png' } } });
    expect(r).toMatchObject({ ok: true, request: { images: [png], imageVariables: { chart: 'b'.repeat(64) } } });
    if (r.ok) expect(CompareRequest.parse(r.request).images).toEqual([png]);
    expect(buildCompareRequest({ ...draft, userMessage: 'see {{image:chart}}' })).toMatchObject({ ok: false, message: expect.stringContaining('{{image:chart}}') });
  });
});
