import { describe, expect, it } from 'vitest';
import { renderPrompt } from '../../../shared/promptRender';
import { PromptContent } from '../../../shared/prompts.schema';
import {
  addExample,
  addMessage,
  checkDraft,
  draftFromContent,
  emptyDraft,
  isChanged,
  moveMessage,
  patchExample,
  patchMessage,
  previewContent,
  removeMessage,
  type PromptDraft,
} from './promptDraft';

const saved = PromptContent.parse({
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Summarize {{text}}' },
  ],
  persona: 'You are an editor.',
  output: { format: 'bullets', maxWords: 50, jsonSchema: '{"type":"object"}' },
  chainOfThought: true,
  examples: [{ input: 'a', output: 'b' }],
  react: { enabled: true, tools: ['search', 'calc'] },
  target: { kind: 'remote', targetId: 'T1', model: 'llama' },
  params: { temperature: 0.2, stop: ['\n\n'], seed: 7 },
});

function withUser(d: PromptDraft, text: string): PromptDraft {
  const last = d.messages.at(-1);
  return last ? patchMessage(d, last.key, { content: text }) : d;
}

describe('draft ↔ content', () => {
  it('round-trips saved content exactly, so an untouched draft is not a change', () => {
    const d = draftFromContent(saved);
    const check = checkDraft(d);
    expect(check.ok).toBe(true);
    expect(check.content).toEqual(saved);
    expect(isChanged(check, saved)).toBe(false);
  });

  it('any edit, even a sampling value, is a change', () => {
    const d = draftFromContent(saved);
    expect(isChanged(checkDraft({ ...d, params: { ...d.params, temperature: '0.3' } }), saved)).toBe(true);
    expect(isChanged(checkDraft(withUser(d, 'Summarize it')), saved)).toBe(true);
    // Same value spelled differently is no change.
    expect(isChanged(checkDraft({ ...d, params: { ...d.params, temperature: '0.20' } }), saved)).toBe(false);
  });

  it('a new draft validates: an empty system message and the user message', () => {
    const check = checkDraft(emptyDraft());
    expect(check.ok).toBe(true);
    expect(check.content?.messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(check.content?.output.jsonSchema).toBeNull();
  });
});

describe('schema errors land on their fields', () => {
  it('system not first and last not user are reported on those messages', () => {
    let d = emptyDraft();
    d = moveMessage(d, 0, 1); // user, system
    const check = checkDraft(d);
    expect(check.ok).toBe(false);
    expect(check.errors.messages[1]).toMatch(/system message may only be the first/i);
    expect(check.errors.messages[1]).toMatch(/^A /);
  });

  it('an assistant turn last is refused until a user message follows', () => {
    let d = addMessage(emptyDraft());
    expect(d.messages.at(-1)?.role).toBe('assistant');
    expect(checkDraft(d).errors.messages[2]).toMatch(/last message must be the user message/);
    d = addMessage(d);
    expect(d.messages.at(-1)?.role).toBe('user');
    expect(checkDraft(d).ok).toBe(true);
  });

  it('max words, JSON schema, tools and sampling errors block the save', () => {
    const d = emptyDraft();
    expect(checkDraft({ ...d, maxWords: 'ten' }).errors.maxWords).toMatch(/whole number/);
    expect(checkDraft({ ...d, maxWords: '0' }).ok).toBe(false);
    expect(checkDraft({ ...d, jsonSchemaEnabled: true, jsonSchema: '{' }).errors.jsonSchema).toMatch(/not valid JSON/);
    expect(checkDraft({ ...d, jsonSchemaEnabled: true, jsonSchema: '[]' }).ok).toBe(false);
    expect(checkDraft({ ...d, reactEnabled: true, reactTools: '9bad' }).errors.tools).toMatch(/tool names/i);
    expect(checkDraft({ ...d, reactEnabled: true, reactTools: 'a, a' }).errors.tools).toMatch(/unique/);
    expect(checkDraft({ ...d, params: { ...d.params, topP: '2' } }).ok).toBe(false);
  });

  it('tools only count while ReAct is on', () => {
    const check = checkDraft({ ...emptyDraft(), reactEnabled: false, reactTools: '9bad' });
    expect(check.ok).toBe(true);
    expect(check.content?.react.tools).toEqual([]);
  });
});

describe('edits', () => {
  it('reorders by index and patches by key, so a late editor change follows its message', () => {
    const d = draftFromContent(saved);
    const [sys, user] = d.messages;
    const moved = moveMessage(d, 1, -1);
    expect(moved.messages.map((m) => m.key)).toEqual([user?.key, sys?.key]);
    const patched = patchMessage(moved, sys?.key ?? '', { content: 'Be long.' });
    expect(patched.messages[1]?.content).toBe('Be long.');
    expect(moveMessage(d, 0, -1)).toBe(d);
    expect(patchMessage(d, sys?.key ?? '', { content: 'Be brief.' })).toBe(d);
  });

  it('never removes the last message', () => {
    const one = removeMessage(emptyDraft(), 0);
    expect(one.messages).toHaveLength(1);
    expect(removeMessage(one, 0)).toBe(one);
  });

  it('examples are added and edited as pairs', () => {
    let d = addExample(emptyDraft());
    const key = d.examples[0]?.key ?? '';
    d = patchExample(d, key, { input: 'in', output: 'out' });
    expect(checkDraft(d).content?.examples).toEqual([{ input: 'in', output: 'out' }]);
  });
});

describe('preview', () => {
  it('renders the building blocks even while the order is invalid', () => {
    let d = withUser(emptyDraft(), 'Hi {{name}}');
    d = { ...d, persona: 'You are kind.', chainOfThought: true };
    d = addMessage(d); // assistant last: invalid
    expect(checkDraft(d).ok).toBe(false);
    const r = renderPrompt(previewContent(d), { name: 'Ada' });
    expect(r.messages[0]?.content).toMatch(/^You are kind\.\n\nThink step by step/);
    expect(r.messages[1]).toEqual({ role: 'user', content: 'Hi Ada' });
    expect(r.missingVariables).toEqual([]);
  });
});
