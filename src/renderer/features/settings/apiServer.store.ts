// Lamplight's own OpenAI-compatible server: its status (apiServer.status command and events), the start form,
// and the key start returns, held only until it is dismissed or the panel closes.
import { create } from 'zustand';
import type { ApiServerStatus } from '../../../shared/apiServer.schema';
import { api } from '../../client/bridge';
import { toShownError, type ShownError } from '../../client/errors';
import { DEFAULT_API_SERVER_FORM, parseApiServerForm, type ApiServerForm } from './apiServerForm';

interface ApiServerStore {
  status: ApiServerStatus | null;
  statusError: ShownError | null;
  form: ApiServerForm;
  showFieldErrors: boolean;
  starting: boolean;
  stopping: boolean;
  actionError: ShownError | null;
  /** The bearer key from apiServer.start: shown once, never fetched again. */
  issued: { key: string; baseUrl: string | null } | null;

  refresh(): Promise<void>;
  applyStatus(status: ApiServerStatus): void;
  setForm(patch: Partial<ApiServerForm>): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  forgetKey(): void;
}

let statusEventSeen = false;

export const useApiServerStore = create<ApiServerStore>()((set, get) => ({
  status: null,
  statusError: null,
  form: DEFAULT_API_SERVER_FORM,
  showFieldErrors: false,
  starting: false,
  stopping: false,
  actionError: null,
  issued: null,

  async refresh() {
    statusEventSeen = false;
    try {
      const status = await api.invoke('apiServer.status', {});
      // An event that arrived meanwhile is newer than this answer.
      if (!statusEventSeen) set({ status });
      set({ statusError: null });
    } catch (error) {
      set({ statusError: toShownError(error) });
    }
  },

  applyStatus(status) {
    statusEventSeen = true;
    // A stopped server's key is worthless; drop it from memory.
    set((s) => ({ status, issued: status.running ? s.issued : null }));
  },

  setForm(patch) {
    set((s) => ({ form: { ...s.form, ...patch } }));
  },

  async start() {
    if (get().starting) return;
    const parsed = parseApiServerForm(get().form);
    if (!parsed.ok) {
      set({ showFieldErrors: true });
      return;
    }
    set({ starting: true, actionError: null, showFieldErrors: true });
    try {
      const { status, key } = await api.invoke('apiServer.start', parsed.settings);
      // The typed key, if any, leaves the form now that the server holds it.
      set((s) => ({ starting: false, status, issued: { key, baseUrl: status.baseUrl }, form: { ...s.form, key: '' }, showFieldErrors: false }));
    } catch (error) {
      set({ starting: false, actionError: toShownError(error) });
    }
  },

  async stop() {
    if (get().stopping) return;
    set({ stopping: true, actionError: null });
    try {
      const status = await api.invoke('apiServer.stop', {});
      set({ stopping: false, status, issued: null });
    } catch (error) {
      set({ stopping: false, actionError: toShownError(error) });
    }
  },

  forgetKey() {
    set({ issued: null });
  },
}));
