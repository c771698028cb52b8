// Keys a labeler presses, as actions. Pure: the panel turns a keydown into an action here and the tests
// check the same mapping, including which letters label options get from the dataset's label schema.
import type { LabelSchema, RowStatus } from '../../../../shared/datasets.schema';

export type LabelingAction =
  | { type: 'status'; status: Exclude<RowStatus, 'new'> }
  | { type: 'next' }
  | { type: 'prev' }
  | { type: 'rate'; rating: number }
  | { type: 'edit' }
  | { type: 'acceptDraft' }
  | { type: 'note' }
  | { type: 'tag' }
  | { type: 'undo' }
  | { type: 'preference' }
  | { type: 'choose'; which: 'a' | 'b' }
  | { type: 'label'; field: string; option: string }
  | { type: 'escape' };

export interface KeyPress {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  shiftKey?: boolean;
}

/** Letters the fixed actions use; label options never get these. */
export const RESERVED_KEYS = ['a', 'r', 's', 'j', 'k', 'e', 'd', 'n', 't', 'p', 'z'] as const;

/** Letters handed to label options, in order: the left hand's top row first, then the rest. */
export const OPTION_KEY_POOL = ['q', 'w', 'y', 'u', 'i', 'o', 'f', 'g', 'h', 'l', 'x', 'c', 'v', 'b', 'm'] as const;

export interface OptionKey {
  field: string;
  option: string;
  key: string;
}

/**
 * One letter per option, field by field. A field gets keys only if all its options fit, so a field is
 * either fully on the keyboard or shown as a dropdown; later, smaller fields may still fit.
 */
export function optionKeys(schema: LabelSchema): OptionKey[] {
  const out: OptionKey[] = [];
  let next = 0;
  for (const field of schema.fields) {
    if (field.options.length > OPTION_KEY_POOL.length - next) continue;
    for (const option of field.options) out.push({ field: field.name, option, key: OPTION_KEY_POOL[next++] as string });
  }
  return out;
}

export interface KeymapContext {
  bindings: readonly OptionKey[];
  /** Preference mode: 1 and 2 pick candidate A or B instead of rating. */
  preference: boolean;
}

export function actionForKey(e: KeyPress, ctx: KeymapContext): LabelingAction | null {
  const mod = e.ctrlKey || e.metaKey;
  if (mod) {
    if (!e.altKey && !e.shiftKey && e.key.toLowerCase() === 'z') return { type: 'undo' };
    return null;
  }
  if (e.altKey) return null;
  switch (e.key) {
    case 'ArrowDown':
      return { type: 'next' };
    case 'ArrowUp':
      return { type: 'prev' };
    case 'Escape':
      return { type: 'escape' };
  }
  if (e.key.length !== 1) return null;
  if (ctx.preference && (e.key === '1' || e.key === '2')) return { type: 'choose', which: e.key === '1' ? 'a' : 'b' };
  if (e.key >= '1' && e.key <= '5') return { type: 'rate', rating: Number(e.key) };
  // Shift+letter is left alone so capitals typed by mistake outside an input do nothing surprising.
  if (e.shiftKey) return null;
  const k = e.key.toLowerCase();
  switch (k) {
    case 'a':
      return { type: 'status', status: 'accepted' };
    case 'r':
      return { type: 'status', status: 'rejected' };
    case 's':
      return { type: 'status', status: 'skipped' };
    case 'j':
      return { type: 'next' };
    case 'k':
      return { type: 'prev' };
    case 'e':
      return { type: 'edit' };
    case 'd':
      return { type: 'acceptDraft' };
    case 'n':
      return { type: 'note' };
    case 't':
      return { type: 'tag' };
    case 'p':
      return { type: 'preference' };
  }
  const bound = ctx.bindings.find((b) => b.key === k);
  return bound ? { type: 'label', field: bound.field, option: bound.option } : null;
}

/** The part of an event target that tells whether a key press is typing. */
export interface TargetLike {
  tagName?: string;
  isContentEditable?: boolean;
  closest?: (selector: string) => unknown;
}

/** Typing into an input, a textarea, a select, a contenteditable or Monaco never triggers a labeling key. */
export function isEditableTarget(target: TargetLike | null | undefined): boolean {
  if (!target) return false;
  const tag = (target.tagName ?? '').toUpperCase();
  if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (target.isContentEditable) return true;
  return typeof target.closest === 'function' && target.closest('.monaco-editor, [contenteditable="true"]') != null;
}

/** The new labels after an option key: single fields switch (the same option again clears), multi fields toggle. */
export function toggleLabel(schema: LabelSchema, labels: Readonly<Record<string, string | string[]>>, field: string, option: string): Record<string, string | string[]> {
  const def = schema.fields.find((f) => f.name === field);
  const next: Record<string, string | string[]> = { ...labels };
  if (!def) return next;
  if (def.kind === 'single') {
    if (next[field] === option) delete next[field];
    else next[field] = option;
    return next;
  }
  const current = next[field];
  const list = Array.isArray(current) ? current : typeof current === 'string' ? [current] : [];
  const toggled = list.includes(option) ? list.filter((o) => o !== option) : [...list, option];
  // Keep the schema's option order so the stored value does not depend on press order.
  const ordered = def.options.filter((o) => toggled.includes(o));
  if (ordered.length === 0) delete next[field];
  else next[field] = ordered;
  return next;
}
