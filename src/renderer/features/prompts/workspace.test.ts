import { describe, expect, it } from 'vitest';
import { PromptContent, type PromptVersion } from '../../../shared/prompts.schema';
import { emptyDraft, patchMessage } from './promptDraft';
import { isDirty, withVariables, workspaceFrom, type Workspace } from './workspace';

const content = PromptContent.parse({ messages: [{ role: 'user', content: 'Explain {{topic}} to {{who}}' }] });
const version: PromptVersion = {
  id: 'V1',
  promptId: 'P1',
  number: 1,
  parentId: null,
  restoredFromId: null,
  contentHash: 'h',
  message: '',
  author: 'me',
  createdAt: 0,
  labels: [],
  content,
  variables: ['topic', 'who'],
  imageVariables: [],
};
const prompt = { id: 'P1', name: 'Tides', description: '', createdAt: 0, updatedAt: 0, forkedFrom: null, latest: version, labels: [] };

describe('isDirty', () => {
  it('a saved prompt is dirty only once its content differs', () => {
    const ws = workspaceFrom(prompt, version);
    expect(isDirty(ws)).toBe(false);
    const key = ws.draft.messages[0]?.key ?? '';
    expect(isDirty({ ...ws, draft: patchMessage(ws.draft, key, { content: 'Explain tides' }) })).toBe(true);
    // Renaming is library metadata, not a version change.
    expect(isDirty({ ...ws, name: 'Other' })).toBe(false);
  });
  it('a new prompt is worth keeping once anything is typed', () => {
    const fresh: Workspace = { promptId: null, name: '', base: null, draft: emptyDraft() };
    expect(isDirty(fresh)).toBe(false);
    expect(isDirty({ ...fresh, name: 'x' })).toBe(true);
    expect(isDirty(null)).toBe(false);
  });
});

describe('withVariables', () => {
  it('offers an input per {{name}} in the composed messages and remembers values of names that go away', () => {
    const ws = workspaceFrom(prompt, version);
    const first = withVariables({ variables: {}, variableMemory: {} }, ws);
    expect(first.variables).toEqual({ topic: '', who: '' });
    const typed = { variables: { topic: 'tides', who: 'kids' }, variableMemory: first.variableMemory ?? {} };
    const key = ws.draft.messages[0]?.key ?? '';
    const fewer = withVariables(typed, { ...ws, draft: { ...patchMessage(ws.draft, key, { content: 'About {{topic}}' }), persona: '' } });
    expect(fewer.variables).toEqual({ topic: 'tides' });
    const back = withVariables({ variables: fewer.variables ?? {}, variableMemory: fewer.variableMemory ?? {} }, ws);
    expect(back.variables).toEqual({ topic: 'tides', who: 'kids' });
  });
  it('leaves the values alone when the names did not change', () => {
    const ws = workspaceFrom(prompt, version);
    const r = withVariables({ variables: { topic: 'a', who: 'b' }, variableMemory: {} }, ws);
    expect(r).toEqual({ ws });
  });
});
