import { describe, expect, it } from 'vitest';
import { allowedCommands } from '../../shared/roles';
import { navSections, shortcutLabel, VIEWS, viewForShortcut, visibleViews } from './views';

describe('view shortcuts', () => {
  it('keep the digits views had before Prompts sat down next to the Playground', () => {
    expect(['1', '2', '3', '4', '5', '6', '7'].map(viewForShortcut)).toEqual(['models', 'playground', 'history', 'compare', 'targets', 'settings', 'prompts']);
    expect(['8', '9'].map(viewForShortcut)).toEqual(['testsets', 'evals']);
    expect(viewForShortcut('0')).toBe('datasets');
  });
  it('give each digit once', () => {
    const digits = VIEWS.flatMap((v) => (v.shortcut === null ? [] : [v.shortcut]));
    expect(new Set(digits).size).toBe(digits.length);
  });
  it('read as Ctrl+digit, or ⌘digit on a Mac', () => {
    expect(shortcutLabel(1)).toBe('Ctrl+1');
    expect(shortcutLabel(0, true)).toBe('⌘0');
    expect(shortcutLabel(null)).toBeNull();
  });
  it('give Fine-tune and Cost & latency no digit: all ten were taken', () => {
    expect(VIEWS.find((v) => v.id === 'training')?.shortcut).toBeNull();
    expect(VIEWS.find((v) => v.id === 'bench')?.shortcut).toBeNull();
    expect(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'].map(viewForShortcut)).not.toContain('training');
  });
});

describe('nav sections', () => {
  it('group the views as a new user looks for them, Settings last on its own', () => {
    const sections = navSections(VIEWS).map((g) => [g.label, g.views.map((v) => v.id)]);
    expect(sections).toEqual([
      ['Build', ['playground', 'prompts', 'compare', 'history']],
      ['Evaluate', ['testsets', 'evals', 'extraction', 'bench']],
      ['Data', ['datasets', 'team', 'training']],
      ['Models & targets', ['models', 'targets']],
      ['Govern', ['guard', 'audit']],
      [null, ['settings']],
    ]);
  });
  it('list VIEWS in the same order as the sections show them', () => {
    expect(navSections(VIEWS).flatMap((g) => g.views.map((v) => v.id))).toEqual(VIEWS.map((v) => v.id));
  });
  it('leave out a section a role sees nothing of', () => {
    const labeler = navSections(visibleViews(allowedCommands('labeler'))).map((g) => g.id);
    expect(labeler).toContain('data');
    expect(labeler).not.toContain('govern');
  });
});

describe('views by role', () => {
  it('show every view while the session is unknown', () => {
    expect(visibleViews(null)).toHaveLength(VIEWS.length);
  });
  it('give a labeler Datasets but no History (others\' prompts and replies), Guardrails, Audit, Targets or Playground', () => {
    const ids = visibleViews(allowedCommands('labeler')).map((v) => v.id);
    expect(ids).toContain('datasets');
    for (const hidden of ['history', 'guard', 'audit', 'targets', 'playground'] as const) expect(ids).not.toContain(hidden);
  });
  it('give an admin everything and a prompt engineer all but the audit log', () => {
    expect(visibleViews(allowedCommands('admin'))).toHaveLength(VIEWS.length);
    expect(visibleViews(allowedCommands('prompt_engineer')).map((v) => v.id)).not.toContain('audit');
  });
});
