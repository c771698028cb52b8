// Past runs, newest first, as runs.search returns them (all when the query is empty); refreshed when a run finishes.
// Runs can be ticked and removed (permanently: the confirmation shows the counts a dry run gave).
import { create } from 'zustand';
import type { RemoveRunsResult, RunSearchHit } from '../../../shared/runs.schema';
import type { RunRecord } from '../../../shared/runs.schema';
import { api } from '../../client/bridge';
import { toShownError, type ShownError } from '../../client/errors';
import { emptySelection, keepListed, toggle, toggleAll, type Selection } from './selection';

const PAGE = 200;

interface HistoryStore {
  runs: RunSearchHit[];
  /** The search box's text; the list shows the runs matching it. */
  query: string;
  listed: boolean;
  loading: boolean;
  error: ShownError | null;
  opening: string | null;
  openError: { runId: string; error: ShownError } | null;

  selection: Selection;
  /** What the confirmation says will go (a dry run of the removal); null when not asking. */
  confirm: RemoveRunsResult | null;
  /** 'checking': the dry run; 'removing': the removal. */
  removing: 'checking' | 'removing' | null;
  removeError: ShownError | null;
  /** The last removal's counts, shown until the next action. */
  removed: RemoveRunsResult | null;

  refresh(): Promise<void>;
  setQuery(query: string): void;
  /** `order`: the ids this profile may remove, in the order shown (a Shift range spans only those). */
  toggle(runId: string, shift: boolean, order: readonly string[]): void;
  toggleAll(order: readonly string[]): void;
  clearSelection(): void;
  /** Asks the core what removing the ticked runs would remove, then shows the confirmation. */
  askRemove(): Promise<void>;
  cancelRemove(): void;
  remove(): Promise<void>;
  /** runs.removed from anywhere (this window, another, the CLI): drops them from the list. */
  applyRemoved(runIds: readonly string[]): void;
  /** Fetches the full record; null (with openError set) when it cannot. */
  fetchRun(runId: string): Promise<RunRecord | null>;
}

let listSeq = 0;

let searchTimer: ReturnType<typeof setTimeout> | null = null;

export const useHistoryStore = create<HistoryStore>()((set, get) => ({
  runs: [],
  query: '',
  listed: false,
  loading: false,
  error: null,
  opening: null,
  openError: null,
  selection: emptySelection,
  confirm: null,
  removing: null,
  removeError: null,
  removed: null,

  async refresh() {
    const seq = ++listSeq;
    set({ loading: true });
    try {
      const runs = await api.invoke('runs.search', { query: get().query, limit: PAGE });
      if (seq === listSeq) set({ runs, listed: true, loading: false, error: null, selection: keepListed(get().selection, runs.map((r) => r.id)) });
    } catch (error) {
      if (seq === listSeq) set({ listed: true, loading: false, error: toShownError(error) });
    }
  },

  setQuery(query) {
    set({ query });
    // One search per pause in typing, not one per key.
    if (searchTimer) clearTimeout(searchTimer);
    searchTimer = setTimeout(() => void get().refresh(), 200);
  },

  async fetchRun(runId) {
    set({ opening: runId, openError: null });
    try {
      const record = await api.invoke('runs.get', { runId });
      set({ opening: null });
      return record;
    } catch (error) {
      set({ opening: null, openError: { runId, error: toShownError(error) } });
      return null;
    }
  },

  toggle(runId, shift, order) {
    set({ selection: toggle(get().selection, order, runId, shift), confirm: null, removed: null });
  },

  toggleAll(order) {
    set({ selection: toggleAll(get().selection, order), confirm: null, removed: null });
  },

  clearSelection() {
    set({ selection: emptySelection, confirm: null });
  },

  async askRemove() {
    const ids = [...get().selection.ids];
    if (ids.length === 0) return;
    set({ removing: 'checking', removeError: null, removed: null });
    try {
      const preview = await api.invoke('runs.remove', { ids, dryRun: true });
      set({ removing: null, confirm: preview });
    } catch (error) {
      set({ removing: null, removeError: toShownError(error) });
    }
  },

  cancelRemove() {
    set({ confirm: null });
  },

  async remove() {
    const asked = get().confirm;
    if (!asked) return;
    set({ removing: 'removing', removeError: null });
    try {
      // The ids the confirmation counted, not whatever is ticked now.
      const r = await api.invoke('runs.remove', { ids: asked.runIds });
      get().applyRemoved(r.runIds);
      set({ removing: null, confirm: null, removed: r });
    } catch (error) {
      set({ removing: null, confirm: null, removeError: toShownError(error) });
    }
  },

  applyRemoved(runIds) {
    const gone = new Set(runIds);
    const runs = get().runs.filter((r) => !gone.has(r.id));
    if (runs.length === get().runs.length) return;
    set({ runs, selection: keepListed(get().selection, runs.map((r) => r.id)) });
  },
}));
