// LoRA adapters in the library: add by path, remove, and checks against a base model. The core is the truth.
import { create } from 'zustand';
import type { AdapterCheck, AdapterInfo } from '../../shared/adapters.schema';
import { api } from './bridge';
import { toShownError, type ShownError } from './errors';

export interface CheckState {
  modelId: string;
  checking: boolean;
  result: AdapterCheck | null;
  error: ShownError | null;
}

interface AdaptersStore {
  adapters: AdapterInfo[];
  listed: boolean;
  listError: ShownError | null;
  pathInput: string;
  adding: boolean;
  addError: ShownError | null;
  removing: string | null;
  removeError: { adapterId: string; error: ShownError } | null;
  /** Per adapter: the model chosen to check against, and the last answer. */
  checks: Record<string, CheckState>;

  refresh(): Promise<void>;
  /** Lists once; pickers call it when they first need the adapters. */
  ensureListed(): void;
  upsert(adapter: AdapterInfo): void;
  setPathInput(v: string): void;
  /** Adds the path typed in, or `path` (an uploaded file's staged path). */
  add(path?: string): Promise<void>;
  clearAddError(): void;
  remove(adapterId: string): Promise<void>;
  setCheckModel(adapterId: string, modelId: string): void;
  check(adapterId: string): Promise<void>;
}

let listing: Promise<void> | null = null;

export const useAdaptersStore = create<AdaptersStore>()((set, get) => ({
  adapters: [],
  listed: false,
  listError: null,
  pathInput: '',
  adding: false,
  addError: null,
  removing: null,
  removeError: null,
  checks: {},

  async refresh() {
    try {
      const adapters = await api.invoke('adapters.list', {});
      set({ adapters, listed: true, listError: null });
    } catch (error) {
      set({ listed: true, listError: toShownError(error) });
    }
  },

  ensureListed() {
    if (get().listed || listing) return;
    listing = get().refresh().finally(() => {
      listing = null;
    });
  },

  upsert(adapter) {
    set((s) => {
      const i = s.adapters.findIndex((a) => a.id === adapter.id);
      if (i === -1) return { adapters: [...s.adapters, adapter] };
      const next = s.adapters.slice();
      next[i] = adapter;
      return { adapters: next };
    });
  },

  setPathInput(v) {
    set({ pathInput: v });
  },

  async add(uploaded) {
    const path = (uploaded ?? get().pathInput).trim();
    if (!path || get().adding) return;
    set({ adding: true, addError: null });
    try {
      const adapter = await api.invoke('adapters.add', { path });
      get().upsert(adapter);
      set((s) => ({ adding: false, pathInput: uploaded ? s.pathInput : '' }));
    } catch (error) {
      set({ adding: false, addError: toShownError(error) });
    }
  },

  clearAddError() {
    set({ addError: null });
  },

  async remove(adapterId) {
    set({ removing: adapterId, removeError: null });
    try {
      await api.invoke('adapters.remove', { adapterId });
      set((s) => {
        const checks = { ...s.checks };
        delete checks[adapterId];
        return { removing: null, adapters: s.adapters.filter((a) => a.id !== adapterId), checks };
      });
    } catch (error) {
      set({ removing: null, removeError: { adapterId, error: toShownError(error) } });
    }
  },

  setCheckModel(adapterId, modelId) {
    // A different model makes the last answer stale.
    set((s) => ({ checks: { ...s.checks, [adapterId]: { modelId, checking: false, result: null, error: null } } }));
  },

  async check(adapterId) {
    const current = get().checks[adapterId];
    if (!current?.modelId || current.checking) return;
    const { modelId } = current;
    const patch = (p: Partial<CheckState>): void =>
      set((s) => {
        const c = s.checks[adapterId];
        // The person may have picked another model meanwhile; that answer is not for it.
        if (!c || c.modelId !== modelId) return {};
        return { checks: { ...s.checks, [adapterId]: { ...c, ...p } } };
      });
    patch({ checking: true, result: null, error: null });
    try {
      const result = await api.invoke('adapters.check', { adapterId, modelId });
      patch({ checking: false, result });
    } catch (error) {
      patch({ checking: false, error: toShownError(error) });
    }
  },
}));
