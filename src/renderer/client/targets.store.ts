// Remote OpenAI-compatible targets: the list (targets.list, kept fresh by targets.changed), the last check of
// each (replica health and model list), and the Add/Edit form. Keys and header values never enter this store
// except as what someone is typing into the form.
import { create } from 'zustand';
import type { TargetCheck, TargetInfo } from '../../shared/targets.schema';
import { api } from './bridge';
import { toShownError, type ShownError } from './errors';
import { emptyTargetForm, formFromTarget, parseTargetForm, toTargetInput, toTargetPatch, type TargetForm } from './targetForm';

export type TargetEditor = { mode: 'add' } | { mode: 'edit'; targetId: string } | null;

/** A runtime LoRA load/unload in flight on a vLLM target. */
export interface LoraBusy {
  targetId: string;
  name: string;
  action: 'load' | 'unload';
}

/** What the last LoRA load/unload said; `partial` when only some replicas did it. */
export interface LoraNotice {
  targetId: string;
  message: string;
  partial: boolean;
}

interface TargetsStore {
  targets: TargetInfo[];
  listed: boolean;
  listError: ShownError | null;
  selectedId: string | null;

  checks: Record<string, TargetCheck>;
  checking: string[];
  checkErrors: Record<string, ShownError>;

  editor: TargetEditor;
  form: TargetForm;
  /** Field errors are shown once someone tried to save. */
  showFieldErrors: boolean;
  saving: boolean;
  saveError: ShownError | null;

  confirmRemove: string | null;
  removing: string | null;
  removeError: { targetId: string; error: ShownError } | null;

  loraBusy: LoraBusy | null;
  loraNotice: LoraNotice | null;
  loraError: { targetId: string; title: string; error: ShownError } | null;

  refresh(): Promise<void>;
  upsert(target: TargetInfo): void;
  select(targetId: string | null): void;
  check(targetId: string): Promise<void>;
  /** Checks every target not checked yet this session, so pickers can list their models. */
  ensureChecked(): Promise<void>;
  startAdd(): void;
  startEdit(targetId: string): void;
  cancelEdit(): void;
  setForm(patch: Partial<TargetForm>): void;
  save(): Promise<void>;
  askRemove(targetId: string | null): void;
  remove(targetId: string): Promise<void>;
  /** Loads an adapter on every replica (vLLM's runtime LoRA API), then re-checks so pickers list it. True when all did. */
  loadLora(targetId: string, name: string, path: string): Promise<boolean>;
  unloadLora(targetId: string, name: string): Promise<boolean>;
  dismissLora(): void;
}

function upsertInto(list: TargetInfo[], t: TargetInfo): TargetInfo[] {
  const i = list.findIndex((x) => x.id === t.id);
  if (i === -1) return [...list, t];
  const next = list.slice();
  next[i] = t;
  return next;
}

function without<T>(record: Record<string, T>, key: string): Record<string, T> {
  if (!(key in record)) return record;
  const next = { ...record };
  delete next[key];
  return next;
}

let listing: Promise<void> | null = null;

export const useTargetsStore = create<TargetsStore>()((set, get) => ({
  targets: [],
  listed: false,
  listError: null,
  selectedId: null,
  checks: {},
  checking: [],
  checkErrors: {},
  editor: null,
  form: emptyTargetForm(),
  showFieldErrors: false,
  saving: false,
  saveError: null,
  confirmRemove: null,
  removing: null,
  removeError: null,
  loraBusy: null,
  loraNotice: null,
  loraError: null,

  refresh() {
    // Several pickers may ask at once; one request answers them all.
    listing ??= (async () => {
      try {
        const targets = await api.invoke('targets.list', {});
        set((s) => ({
          targets,
          listed: true,
          listError: null,
          selectedId: s.selectedId && targets.some((t) => t.id === s.selectedId) ? s.selectedId : (targets[0]?.id ?? null),
        }));
      } catch (error) {
        set({ listed: true, listError: toShownError(error) });
      } finally {
        listing = null;
      }
    })();
    return listing;
  },

  upsert(target) {
    set((s) => ({ targets: upsertInto(s.targets, target) }));
  },

  select(targetId) {
    set({ selectedId: targetId });
  },

  async check(targetId) {
    if (get().checking.includes(targetId)) return;
    set((s) => ({ checking: [...s.checking, targetId], checkErrors: without(s.checkErrors, targetId) }));
    try {
      const result = await api.invoke('targets.check', { targetId });
      set((s) => ({ checks: { ...s.checks, [targetId]: result }, checking: s.checking.filter((id) => id !== targetId) }));
    } catch (error) {
      set((s) => ({ checkErrors: { ...s.checkErrors, [targetId]: toShownError(error) }, checking: s.checking.filter((id) => id !== targetId) }));
    }
  },

  async ensureChecked() {
    if (!get().listed) await get().refresh();
    const { targets, checks, checking, checkErrors } = get();
    await Promise.all(
      targets.filter((t) => !checks[t.id] && !checking.includes(t.id) && !checkErrors[t.id]).map((t) => get().check(t.id)),
    );
  },

  startAdd() {
    set({ editor: { mode: 'add' }, form: emptyTargetForm(), showFieldErrors: false, saveError: null });
  },

  startEdit(targetId) {
    const t = get().targets.find((x) => x.id === targetId);
    if (!t) return;
    set({ editor: { mode: 'edit', targetId }, form: formFromTarget(t), showFieldErrors: false, saveError: null, selectedId: targetId });
  },

  cancelEdit() {
    // The typed key leaves memory with the form.
    set({ editor: null, form: emptyTargetForm(), showFieldErrors: false, saveError: null });
  },

  setForm(patch) {
    set((s) => ({ form: { ...s.form, ...patch } }));
  },

  async save() {
    const { editor, form, saving } = get();
    if (!editor || saving) return;
    const parsed = parseTargetForm(form);
    if (!parsed.ok) {
      set({ showFieldErrors: true });
      return;
    }
    set({ saving: true, saveError: null, showFieldErrors: true });
    try {
      const saved =
        editor.mode === 'add'
          ? await api.invoke('targets.add', toTargetInput(parsed.value))
          : await api.invoke('targets.update', { targetId: editor.targetId, patch: toTargetPatch(parsed.value, form) });
      set((s) => ({
        targets: upsertInto(s.targets, saved),
        selectedId: saved.id,
        saving: false,
        editor: null,
        form: emptyTargetForm(),
        showFieldErrors: false,
        // URLs may have changed: the old check no longer describes this target.
        checks: without(s.checks, saved.id),
        checkErrors: without(s.checkErrors, saved.id),
      }));
      void get().check(saved.id);
    } catch (error) {
      set({ saving: false, saveError: toShownError(error) });
    }
  },

  askRemove(targetId) {
    set({ confirmRemove: targetId, removeError: null });
  },

  async remove(targetId) {
    set({ removing: targetId, removeError: null });
    try {
      await api.invoke('targets.remove', { targetId });
      set((s) => {
        const targets = s.targets.filter((t) => t.id !== targetId);
        const editing = s.editor?.mode === 'edit' && s.editor.targetId === targetId;
        return {
          targets,
          removing: null,
          confirmRemove: null,
          selectedId: s.selectedId === targetId ? (targets[0]?.id ?? null) : s.selectedId,
          checks: without(s.checks, targetId),
          checkErrors: without(s.checkErrors, targetId),
          ...(editing ? { editor: null, form: emptyTargetForm() } : {}),
        };
      });
    } catch (error) {
      set({ removing: null, confirmRemove: null, removeError: { targetId, error: toShownError(error) } });
    }
  },

  async loadLora(targetId, name, path) {
    return runLora(set, get, { targetId, name, action: 'load' }, async () => {
      const r = await api.invoke('targets.loadLora', { targetId, name, path });
      return { ok: r.loaded, message: r.message };
    });
  },

  async unloadLora(targetId, name) {
    return runLora(set, get, { targetId, name, action: 'unload' }, async () => {
      const r = await api.invoke('targets.unloadLora', { targetId, name });
      return { ok: r.unloaded, message: r.message };
    });
  },

  dismissLora() {
    set({ loraNotice: null, loraError: null });
  },
}));

type SetTargets = (patch: Partial<TargetsStore>) => void;

/** One LoRA action at a time; whatever it did on the server, the model list is refreshed afterwards. */
async function runLora(set: SetTargets, get: () => TargetsStore, busy: LoraBusy, call: () => Promise<{ ok: boolean; message: string }>): Promise<boolean> {
  if (get().loraBusy) return false;
  set({ loraBusy: busy, loraNotice: null, loraError: null });
  try {
    const r = await call();
    set({ loraBusy: null, loraNotice: { targetId: busy.targetId, message: r.message, partial: !r.ok } });
    await get().check(busy.targetId);
    return r.ok;
  } catch (error) {
    set({ loraBusy: null, loraError: { targetId: busy.targetId, title: `Could not ${busy.action} ${busy.name}`, error: toShownError(error) } });
    return false;
  }
}
