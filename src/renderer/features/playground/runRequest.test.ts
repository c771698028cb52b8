import { describe, expect, it } from 'vitest';
import { RunRequest } from '../../../shared/runs.schema';
import { DEFAULT_PARAMS, toParamsForm } from '../../ui/prompt/params';
import { buildRunRequest, type RunDraft } from './runRequest';

const draft: RunDraft = {
  target: { kind: 'local', modelId: 'M1' },
  systemPrompt: 'You are {{role}}.',
  userMessage: 'Tell me about {{topic}}',
  variables: { role: 'terse', topic: 'owls' },
  params: toParamsForm(DEFAULT_PARAMS),
  schemaEnabled: false,
  schemaText: '{"type":"object"}',
};

describe('buildRunRequest', () => {
  it('refuses a run while a variable has no value, naming it, instead of sending {{name}} as written', () => {
    const r = buildRunRequest({ ...draft, variables: { role: 'terse', topic: '' } });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.missing).toEqual(['topic']);
      expect(r.message).toContain('{{topic}}');
    }
    const none = buildRunRequest({ ...draft, variables: {} });
    expect(!none.ok && none.missing).toEqual(['role', 'topic']);
  });
  it('builds a request the contract accepts', () => {
    const r = buildRunRequest(draft);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(RunRequest.parse(r.request)).toEqual(r.request);
      expect(r.request.jsonSchema).toBeNull();
      expect(r.request).toMatchObject({ modelId: 'M1', target: null });
    }
  });
  it('names the saved prompt version it came from, when there is one', () => {
    const r = buildRunRequest({ ...draft, promptVersionId: 'V1' });
    expect(r.ok && r.request.promptVersionId).toBe('V1');
    const plain = buildRunRequest(draft);
    expect(plain.ok && plain.request.promptVersionId).toBeNull();
  });
  it('sends a local target with its adapters instead of the model id shorthand', () => {
    const target = { kind: 'local', modelId: 'M1', adapters: [{ adapterId: 'A1', scale: 0.5 }] } as RunDraft['target'];
    const r = buildRunRequest({ ...draft, target });
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.request).toMatchObject({ modelId: null, target: { kind: 'local', modelId: 'M1', adapters: [{ adapterId: 'A1', scale: 0.5 }] } });
  });
  it('sends a remote target instead of a model id', () => {
    const r = buildRunRequest({ ...draft, target: { kind: 'remote', targetId: 'T1', model: 'llama' } });
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.request).toMatchObject({ modelId: null, target: { kind: 'remote', targetId: 'T1', model: 'llama' } });
      expect(RunRequest.parse(r.request)).toEqual(r.request);
    }
  });
  it('sends the schema only when enabled and valid', () => {
    const on = buildRunRequest({ ...draft, schemaEnabled: true });
    expect(on.ok && on.request.jsonSchema).toBe('{"type":"object"}');
    const bad = buildRunRequest({ ...draft, schemaEnabled: true, schemaText: '{' });
    expect(bad).toMatchObject({ ok: false });
  });
  it('refuses without a model, a message or valid params', () => {
    expect(buildRunRequest({ ...draft, target: null })).toMatchObject({ ok: false, message: expect.stringMatching(/model/) });
    expect(buildRunRequest({ ...draft, systemPrompt: '', userMessage: '  ' })).toMatchObject({ ok: false });
    expect(buildRunRequest({ ...draft, params: { ...draft.params, topP: '2' } })).toMatchObject({ ok: false, message: expect.stringMatching(/Top-p/) });
  });
});
