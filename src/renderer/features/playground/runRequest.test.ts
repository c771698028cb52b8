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

  const png = { hash: 'a'.repeat(64), name: 'receipt.png', width: 640, height: 480, bytes: 1234 };
  const jpg = { hash: 'b'.repeat(64), name: 'logo.jpg' };
  it('sends attached images and image variables by hash, in order, and the contract accepts them', () => {
    const r = buildRunRequest({ ...draft, userMessage: 'Read {{image:receipt}} for {{topic}}', images: [jpg], imageSlots: { receipt: png, stale: jpg } });
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.request.images).toEqual([{ hash: jpg.hash, name: 'logo.jpg' }]);
      expect(r.request.imageVariables).toEqual({ receipt: png.hash });
      expect(RunRequest.parse(r.request)).toEqual(r.request);
    }
    const text = buildRunRequest(draft);
    expect(text.ok && 'images' in text.request).toBe(false);
  });
  it('refuses an empty image variable, naming it, and an image prompt to a target that takes none', () => {
    const empty = buildRunRequest({ ...draft, userMessage: 'Read {{image:receipt}} on {{topic}}' });
    expect(empty).toMatchObject({ ok: false, missing: ['image:receipt'], message: expect.stringContaining('{{image:receipt}}') });
    const refused = buildRunRequest({ ...draft, images: [png], acceptance: { ok: false, reason: 'gpu box is set to text only' } });
    expect(refused).toMatchObject({ ok: false, message: 'gpu box is set to text only' });
    // Without images the same target runs text as before.
    expect(buildRunRequest({ ...draft, acceptance: { ok: false, reason: 'text only' } }).ok).toBe(true);
  });
  it('lets an image go without text', () => {
    expect(buildRunRequest({ ...draft, systemPrompt: '', userMessage: '', images: [png] }).ok).toBe(true);
  });
});
