import { describe, expect, it } from 'vitest';
import type { LabelSchema } from '../../../../shared/datasets.schema';
import { actionForKey, isEditableTarget, OPTION_KEY_POOL, optionKeys, RESERVED_KEYS, toggleLabel } from './keymap';

const schema: LabelSchema = {
  fields: [
    { name: 'quality', kind: 'single', options: ['good', 'ok', 'bad'] },
    { name: 'issues', kind: 'multi', options: ['factual', 'tone'] },
  ],
};
const ctx = { bindings: optionKeys(schema), preference: false };

describe('optionKeys', () => {
  it('gives options letters field by field, never a reserved letter', () => {
    expect(optionKeys(schema)).toEqual([
      { field: 'quality', option: 'good', key: 'q' },
      { field: 'quality', option: 'ok', key: 'w' },
      { field: 'quality', option: 'bad', key: 'y' },
      { field: 'issues', option: 'factual', key: 'u' },
      { field: 'issues', option: 'tone', key: 'i' },
    ]);
    for (const k of OPTION_KEY_POOL) expect(RESERVED_KEYS as readonly string[]).not.toContain(k);
  });

  it('leaves a field that does not fit to its dropdown, but keys a smaller one after it', () => {
    const big: LabelSchema = {
      fields: [
        { name: 'topic', kind: 'single', options: Array.from({ length: 12 }, (_, i) => `t${i}`) },
        { name: 'lang', kind: 'single', options: Array.from({ length: 5 }, (_, i) => `l${i}`) },
        { name: 'ok', kind: 'single', options: ['yes', 'no'] },
      ],
    };
    const keys = optionKeys(big);
    expect(keys.filter((k) => k.field === 'topic')).toHaveLength(12);
    expect(keys.filter((k) => k.field === 'lang')).toHaveLength(0);
    expect(keys.filter((k) => k.field === 'ok').map((k) => k.key)).toEqual(['v', 'b']);
  });
});

describe('actionForKey', () => {
  it('maps the fixed keys', () => {
    expect(actionForKey({ key: 'a' }, ctx)).toEqual({ type: 'status', status: 'accepted' });
    expect(actionForKey({ key: 'R' }, ctx)).toEqual({ type: 'status', status: 'rejected' });
    expect(actionForKey({ key: 's' }, ctx)).toEqual({ type: 'status', status: 'skipped' });
    expect(actionForKey({ key: 'j' }, ctx)).toEqual({ type: 'next' });
    expect(actionForKey({ key: 'ArrowDown' }, ctx)).toEqual({ type: 'next' });
    expect(actionForKey({ key: 'k' }, ctx)).toEqual({ type: 'prev' });
    expect(actionForKey({ key: 'ArrowUp' }, ctx)).toEqual({ type: 'prev' });
    expect(actionForKey({ key: '4' }, ctx)).toEqual({ type: 'rate', rating: 4 });
    expect(actionForKey({ key: '6' }, ctx)).toBeNull();
    expect(actionForKey({ key: 'e' }, ctx)).toEqual({ type: 'edit' });
    expect(actionForKey({ key: 'd' }, ctx)).toEqual({ type: 'acceptDraft' });
    expect(actionForKey({ key: 'n' }, ctx)).toEqual({ type: 'note' });
    expect(actionForKey({ key: 't' }, ctx)).toEqual({ type: 'tag' });
    expect(actionForKey({ key: 'p' }, ctx)).toEqual({ type: 'preference' });
    expect(actionForKey({ key: 'Escape' }, ctx)).toEqual({ type: 'escape' });
  });

  it('maps option letters from the schema', () => {
    expect(actionForKey({ key: 'w' }, ctx)).toEqual({ type: 'label', field: 'quality', option: 'ok' });
    expect(actionForKey({ key: 'i' }, ctx)).toEqual({ type: 'label', field: 'issues', option: 'tone' });
    expect(actionForKey({ key: 'm' }, ctx)).toBeNull();
  });

  it('undoes on Ctrl/Cmd+Z and ignores other modified keys', () => {
    expect(actionForKey({ key: 'z', ctrlKey: true }, ctx)).toEqual({ type: 'undo' });
    expect(actionForKey({ key: 'z', metaKey: true }, ctx)).toEqual({ type: 'undo' });
    expect(actionForKey({ key: 'z' }, ctx)).toBeNull();
    expect(actionForKey({ key: 'a', ctrlKey: true }, ctx)).toBeNull();
    expect(actionForKey({ key: 'a', altKey: true }, ctx)).toBeNull();
    expect(actionForKey({ key: 'Z', ctrlKey: true, shiftKey: true }, ctx)).toBeNull();
  });

  it('turns 1 and 2 into choices in preference mode', () => {
    const pref = { ...ctx, preference: true };
    expect(actionForKey({ key: '1' }, pref)).toEqual({ type: 'choose', which: 'a' });
    expect(actionForKey({ key: '2' }, pref)).toEqual({ type: 'choose', which: 'b' });
    expect(actionForKey({ key: '3' }, pref)).toEqual({ type: 'rate', rating: 3 });
  });
});

describe('isEditableTarget', () => {
  const el = (tagName: string, extra: { isContentEditable?: boolean; inside?: string } = {}) => ({
    tagName,
    isContentEditable: extra.isContentEditable ?? false,
    closest: (sel: string) => (extra.inside && sel.includes(extra.inside) ? {} : null),
  });

  it('treats inputs, textareas, selects, contenteditable and Monaco as typing', () => {
    expect(isEditableTarget(el('INPUT'))).toBe(true);
    expect(isEditableTarget(el('textarea'))).toBe(true);
    expect(isEditableTarget(el('SELECT'))).toBe(true);
    expect(isEditableTarget(el('DIV', { isContentEditable: true }))).toBe(true);
    expect(isEditableTarget(el('DIV', { inside: '.monaco-editor' }))).toBe(true);
  });

  it('lets keys through from the page and buttons', () => {
    expect(isEditableTarget(el('BODY'))).toBe(false);
    expect(isEditableTarget(el('BUTTON'))).toBe(false);
    expect(isEditableTarget(null)).toBe(false);
  });
});

describe('toggleLabel', () => {
  it('switches a single field and clears it on the same option', () => {
    const once = toggleLabel(schema, {}, 'quality', 'good');
    expect(once).toEqual({ quality: 'good' });
    expect(toggleLabel(schema, once, 'quality', 'bad')).toEqual({ quality: 'bad' });
    expect(toggleLabel(schema, { quality: 'bad' }, 'quality', 'bad')).toEqual({});
  });

  it('toggles multi options in schema order', () => {
    const one = toggleLabel(schema, {}, 'issues', 'tone');
    const two = toggleLabel(schema, one, 'issues', 'factual');
    expect(two).toEqual({ issues: ['factual', 'tone'] });
    expect(toggleLabel(schema, two, 'issues', 'tone')).toEqual({ issues: ['factual'] });
    expect(toggleLabel(schema, { issues: ['factual'] }, 'issues', 'factual')).toEqual({});
  });
});
