// Past runs, newest first, as runs.search returns them (all when the query is empty); refreshed when a run finishes.
import { create } from 'zustand';
import type { RunSearchHit } from '../../../shared/runs.schema';
import type { RunRecord } from '../../../shared/runs.schema';
import { api } from '../../client/bridge';
import { toShownError, type ShownError } from '../../client/errors';

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

  refresh(): Promise<void>;
  setQuery(query: string): void;
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

  async refresh() {
    const seq = ++listSeq;
    set({ loading: true });
    try {
      const runs = await api.invoke('runs.search', { query: get().query, limit: PAGE });
      if (seq === listSeq) set({ runs, listed: true, loading: false, error: null });
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
}));
