// The model library, its add/scan/download flows and per-model load forms. The core (SQLite) is the truth.
import { create } from 'zustand';
import type { DownloadProgress, ModelInfo } from '../../shared/models.schema';
import { api } from './bridge';
import { toShownError, type ShownError } from './errors';
import type { LoadForm } from './loadForm';

export interface ScanReport {
  dir: string;
  added: ModelInfo[];
  errors: { path: string; message: string }[];
}

interface ModelsStore {
  models: ModelInfo[];
  listed: boolean;
  listError: ShownError | null;
  selectedId: string | null;

  pathInput: string;
  adding: boolean;
  addError: ShownError | null;

  dirInput: string;
  scanning: boolean;
  scanError: ShownError | null;
  scanReport: ScanReport | null;

  uriInput: string;
  startingDownload: boolean;
  downloadError: ShownError | null;
  /** Newest first. */
  downloads: DownloadProgress[];
  /** Downloads a cancel was asked for and not yet confirmed. */
  cancelling: string[];

  removing: string | null;
  removeError: { modelId: string; error: ShownError } | null;

  /** Only forms someone edited; the panel shows defaults otherwise. */
  loadForms: Record<string, LoadForm>;

  refresh(): Promise<void>;
  upsert(model: ModelInfo): void;
  applyDownload(progress: DownloadProgress): void;
  select(modelId: string | null): void;
  setPathInput(v: string): void;
  setDirInput(v: string): void;
  setUriInput(v: string): void;
  /** Adds the path typed in, or `path` (an uploaded file's staged path). */
  add(path?: string): Promise<void>;
  scan(): Promise<void>;
  /** `projector: false` skips an hf: model's projector (mmproj); the core fetches it otherwise. */
  download(opts?: { projector?: boolean }): Promise<void>;
  cancelDownload(downloadId: string): Promise<void>;
  dismissDownload(downloadId: string): void;
  remove(modelId: string): Promise<void>;
  setLoadForm(modelId: string, form: LoadForm): void;
  clearAddErrors(): void;
}

function upsertInto(list: ModelInfo[], model: ModelInfo): ModelInfo[] {
  const i = list.findIndex((m) => m.id === model.id);
  if (i === -1) return [...list, model];
  const next = list.slice();
  next[i] = model;
  return next;
}

export const useModelsStore = create<ModelsStore>()((set, get) => ({
  models: [],
  listed: false,
  listError: null,
  selectedId: null,
  pathInput: '',
  adding: false,
  addError: null,
  dirInput: '',
  scanning: false,
  scanError: null,
  scanReport: null,
  uriInput: '',
  startingDownload: false,
  downloadError: null,
  downloads: [],
  cancelling: [],
  removing: null,
  removeError: null,
  loadForms: {},

  async refresh() {
    try {
      const [models, downloads] = await Promise.all([api.invoke('models.list', {}), api.invoke('models.downloads', {})]);
      const known = new Map(get().downloads.map((d) => [d.downloadId, d]));
      for (const d of downloads) known.set(d.downloadId, d);
      set({ models, listed: true, listError: null, downloads: [...known.values()] });
      const { selectedId } = get();
      if (!selectedId || !models.some((m) => m.id === selectedId)) set({ selectedId: models[0]?.id ?? null });
    } catch (error) {
      set({ listed: true, listError: toShownError(error) });
    }
  },

  upsert(model) {
    set((s) => ({ models: upsertInto(s.models, model), selectedId: s.selectedId ?? model.id }));
  },

  applyDownload(progress) {
    set((s) => {
      const cancelling = progress.state === 'running' ? s.cancelling : s.cancelling.filter((id) => id !== progress.downloadId);
      const i = s.downloads.findIndex((d) => d.downloadId === progress.downloadId);
      if (i === -1) return { downloads: [progress, ...s.downloads], cancelling };
      const next = s.downloads.slice();
      next[i] = progress;
      return { downloads: next, cancelling };
    });
    // A finished download became a model; models.changed should bring it, the list makes sure.
    if (progress.state === 'done') void get().refresh();
  },

  select(modelId) {
    set({ selectedId: modelId });
  },
  setPathInput(v) {
    set({ pathInput: v });
  },
  setDirInput(v) {
    set({ dirInput: v });
  },
  setUriInput(v) {
    set({ uriInput: v });
  },

  async add(uploaded) {
    const path = (uploaded ?? get().pathInput).trim();
    if (!path || get().adding) return;
    set({ adding: true, addError: null, scanReport: null, scanError: null });
    try {
      const model = await api.invoke('models.add', { path });
      set((s) => ({ adding: false, pathInput: uploaded ? s.pathInput : '', models: upsertInto(s.models, model), selectedId: model.id }));
    } catch (error) {
      set({ adding: false, addError: toShownError(error) });
    }
  },

  async scan() {
    const dir = get().dirInput.trim();
    if (!dir || get().scanning) return;
    set({ scanning: true, scanError: null, scanReport: null, addError: null });
    try {
      const result = await api.invoke('models.scan', { dir });
      set((s) => {
        let models = s.models;
        for (const m of result.added) models = upsertInto(models, m);
        return { scanning: false, scanReport: { dir, ...result }, models, selectedId: s.selectedId ?? result.added[0]?.id ?? null };
      });
    } catch (error) {
      set({ scanning: false, scanError: toShownError(error) });
    }
  },

  async download(opts = {}) {
    const uri = get().uriInput.trim();
    if (!uri || get().startingDownload) return;
    set({ startingDownload: true, downloadError: null });
    try {
      const { downloadId } = await api.invoke('models.download', { uri, ...opts });
      set((s) => {
        const exists = s.downloads.some((d) => d.downloadId === downloadId);
        const placeholder: DownloadProgress = {
          downloadId, uri, state: 'running', receivedBytes: 0, totalBytes: null, error: null, modelId: null, projector: null,
        };
        return { startingDownload: false, uriInput: '', downloads: exists ? s.downloads : [placeholder, ...s.downloads] };
      });
    } catch (error) {
      set({ startingDownload: false, downloadError: toShownError(error) });
    }
  },

  async cancelDownload(downloadId) {
    if (get().cancelling.includes(downloadId)) return;
    set((s) => ({ cancelling: [...s.cancelling, downloadId] }));
    const settle = (patch: Partial<DownloadProgress>): void =>
      set((s) => ({
        cancelling: s.cancelling.filter((id) => id !== downloadId),
        downloads: s.downloads.map((d) => (d.downloadId === downloadId ? { ...d, ...patch } : d)),
      }));
    try {
      const { cancelled } = await api.invoke('models.cancelDownload', { downloadId });
      // The progress event normally says so too; this covers a core that only answers.
      const current = get().downloads.find((d) => d.downloadId === downloadId);
      if (cancelled && current?.state === 'running') settle({ state: 'cancelled' });
      else settle({});
    } catch (error) {
      settle({ error: `Could not cancel: ${toShownError(error).message}` });
    }
  },

  dismissDownload(downloadId) {
    set((s) => ({ downloads: s.downloads.filter((d) => d.downloadId !== downloadId) }));
  },

  async remove(modelId) {
    set({ removing: modelId, removeError: null });
    try {
      await api.invoke('models.remove', { modelId });
      set((s) => {
        const models = s.models.filter((m) => m.id !== modelId);
        const selectedId = s.selectedId === modelId ? (models[0]?.id ?? null) : s.selectedId;
        return { removing: null, models, selectedId };
      });
    } catch (error) {
      set({ removing: null, removeError: { modelId, error: toShownError(error) } });
    }
  },

  setLoadForm(modelId, form) {
    set((s) => ({ loadForms: { ...s.loadForms, [modelId]: form } }));
  },

  clearAddErrors() {
    set({ addError: null, scanError: null, scanReport: null });
  },
}));
