import { describe, expect, it } from 'vitest';
import { VIEWS, viewForShortcut } from './views';

describe('view shortcuts', () => {
  it('keep the digits views had before Prompts sat down next to the Playground', () => {
    expect(['1', '2', '3', '4', '5', '6', '7'].map(viewForShortcut)).toEqual(['models', 'playground', 'history', 'compare', 'targets', 'settings', 'prompts']);
    expect(['8', '9'].map(viewForShortcut)).toEqual(['testsets', 'evals']);
    expect(viewForShortcut('0')).toBe('datasets');
  });
  it('list Prompts right after the Playground, each digit once', () => {
    expect(VIEWS.map((v) => v.id).slice(0, 3)).toEqual(['models', 'playground', 'prompts']);
    expect(new Set(VIEWS.map((v) => v.shortcut)).size).toBe(VIEWS.length);
  });
});
