// Past runs, newest first, as runs.list returns them; refreshed when a run finishes.
import { create } from 'zustand';
import type { RunRecord, RunSummary } from '../../../shared/schemas';
import { api } from '../../app/bridge';
import { toShownError, type ShownError } from '../../ui/errors';

const PAGE = 200;

interface HistoryStore {
  runs: RunSummary[];
  listed: boolean;
  loading: boolean;
  error: ShownError | null;
  opening: string | null;
  openError: { runId: string; error: ShownError } | null;

  refresh(): Promise<void>;
  /** Fetches the full record; null (with openError set) when it cannot. */
  fetchRun(runId: string): Promise<RunRecord | null>;
}

let listSeq = 0;

export const useHistoryStore = create<HistoryStore>()((set) => ({
  runs: [],
  listed: false,
  loading: false,
  error: null,
  opening: null,
  openError: null,

  async refresh() {
    const seq = ++listSeq;
    set({ loading: true });
    try {
      const runs = await api.invoke('runs.list', { limit: PAGE });
      if (seq === listSeq) set({ runs, listed: true, loading: false, error: null });
    } catch (error) {
      if (seq === listSeq) set({ listed: true, loading: false, error: toShownError(error) });
    }
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
