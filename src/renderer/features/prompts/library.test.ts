import { describe, expect, it } from 'vitest';
import type { PromptInfo } from '../../../shared/prompts.schema';
import { filterPrompts, forkName, sortLabels } from './library';
import { describeSaveProblem } from './saveProblem';

const info = (name: string, labels: string[] = [], description = ''): PromptInfo => ({
  id: name,
  name,
  description,
  createdAt: 0,
  updatedAt: 0,
  forkedFrom: null,
  latest: { id: `${name}-v1`, promptId: name, number: 1, parentId: null, restoredFromId: null, contentHash: 'h', message: '', author: 'me', createdAt: 0, labels },
  labels: labels.map((label) => ({ label, versionId: `${name}-v1`, versionNumber: 1, setAt: 0, setBy: 'me' })),
});

describe('filterPrompts', () => {
  const all = [info('Summarizer', ['production']), info('Translator', [], 'French to English'), info('Classifier', ['candidate'])];
  it('matches every word against name, description and labels, ignoring case', () => {
    expect(filterPrompts(all, '').map((p) => p.name)).toEqual(['Summarizer', 'Translator', 'Classifier']);
    expect(filterPrompts(all, 'sum').map((p) => p.name)).toEqual(['Summarizer']);
    expect(filterPrompts(all, 'french').map((p) => p.name)).toEqual(['Translator']);
    expect(filterPrompts(all, 'CANDIDATE').map((p) => p.name)).toEqual(['Classifier']);
    expect(filterPrompts(all, 'summ production').map((p) => p.name)).toEqual(['Summarizer']);
    expect(filterPrompts(all, 'summ candidate')).toEqual([]);
  });
});

describe('forkName and sortLabels', () => {
  it('finds a free fork name', () => {
    expect(forkName('A', ['A'])).toBe('A (fork)');
    expect(forkName('A', ['A', 'a (fork)', 'A (fork 2)'])).toBe('A (fork 3)');
  });
  it('puts production and candidate first', () => {
    expect(sortLabels(['beta', 'candidate', 'alpha', 'production'])).toEqual(['production', 'candidate', 'alpha', 'beta']);
  });
});

describe('describeSaveProblem', () => {
  it('a stale parent offers the latest version, without ids', () => {
    const p = describeSaveProblem(
      { code: 'CONFLICT', message: 'parentId: the edit started from v1 but the latest is v2 (01JABCDEFGHJKMNPQRSTVWXYZ0); reload v2 and save on top of it' },
      true,
    );
    expect(p).toEqual({ title: 'Not saved: a newer version exists', message: 'The edit started from v1 but the latest is v2; reload v2 and save on top of it.', reload: true });
  });
  it('nothing changed says so', () => {
    expect(describeSaveProblem({ code: 'CONFLICT', message: 'content: nothing changed since v3' }, true)).toMatchObject({
      title: 'Not saved: nothing changed',
      message: 'Nothing changed since v3.',
      reload: true,
    });
  });
  it('a taken name or any other error offers no reload', () => {
    expect(describeSaveProblem({ code: 'CONFLICT', message: 'name: a prompt named "A" already exists' }, false)).toMatchObject({ title: 'That name is taken', reload: false });
    expect(describeSaveProblem({ code: 'INTERNAL', message: 'boom' }, true)).toEqual({ title: 'Could not save', message: 'boom', reload: false });
  });
});
