import { describe, expect, it } from 'vitest';
import { missingPrereqs } from './evalPrereqs';

describe('evaluation prerequisites', () => {
  it('lists what a fresh install lacks, in the order to create it, and nothing once all exist', () => {
    expect(missingPrereqs({ prompts: 0, testSets: 0, models: 0, remoteTargets: 0 }).map((p) => p.view)).toEqual(['Models', 'Prompts', 'Test sets']);
    expect(missingPrereqs({ prompts: 1, testSets: 0, models: 0, remoteTargets: 1 }).map((p) => p.view)).toEqual(['Test sets']);
    expect(missingPrereqs({ prompts: 2, testSets: 1, models: 1, remoteTargets: 0 })).toEqual([]);
  });
});
