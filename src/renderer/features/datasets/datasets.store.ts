// Datasets: the list, the open dataset (info, stats, jobs) and the grid's filter and page cache. SQLite holds
// the rows; this store holds pages near the scroll position only, so a million-row set stays light.
import { create } from 'zustand';
import type { DatasetInfo, DatasetJobProgress, DatasetRowSummary, DatasetStats, DatasetSummary } from '../../../shared/datasets.schema';
import type { Profile } from '../../../shared/profiles.schema';
import { api } from '../../client/bridge';
import { toShownError, type ShownError } from '../../client/errors';
import { EMPTY_FILTER, toRowFilter, type FilterForm } from './filters';
import { createImportSlice, type ImportSlice } from './importSlice';

export const PAGE_SIZE = 100;
/**
 * Searches count matches up to this many ("1,000+ rows"): counting every match of a common substring in a
 * million rows costs far more than the page itself. Other filters count exactly up to a million.
 */
const SEARCH_COUNT_CAP = 1_000;
const FILTER_COUNT_CAP = 1_000_000;
/** Pages kept either side of the visible ones; the rest are dropped. */
export const KEEP_PAGES = 5;

export type DatasetTab = 'rows' | 'quality' | 'labelers';

interface GridState {
  filter: FilterForm;
  /** Bumped on every filter change; answers for an older generation are ignored. */
  gen: number;
  pages: Record<number, DatasetRowSummary[]>;
  loading: number[];
  /** null until the first page of this generation answers. */
  total: number | null;
  totalExact: boolean;
  ms: number | null;
  rowsError: ShownError | null;
  cursor: number;
  /** Row index the labeling panel opened at; null: the grid shows. */
  labelingAt: number | null;
}

export interface DatasetsStore extends ImportSlice, GridState {
  datasets: DatasetSummary[];
  listed: boolean;
  listError: ShownError | null;
  selectedId: string | null;
  info: DatasetInfo | null;
  infoError: ShownError | null;
  tab: DatasetTab;
  profiles: Profile[];
  stats: DatasetStats | null;
  statsError: ShownError | null;
  jobs: Record<string, DatasetJobProgress>;
  jobError: ShownError | null;

  refresh(): Promise<void>;
  select(datasetId: string): Promise<void>;
  acceptInfo(info: DatasetInfo): void;
  reloadInfo(): Promise<void>;
  rename(datasetId: string, name: string): Promise<void>;
  remove(datasetId: string): Promise<void>;
  setTab(tab: DatasetTab): void;
  loadProfiles(): Promise<void>;

  setFilter(patch: Partial<FilterForm>): void;
  /** Fetches missing pages among `needed` and forgets pages far from them. */
  ensurePages(needed: readonly number[], drop: readonly number[]): void;
  reloadRows(): void;
  setCursor(index: number): void;
  openLabeling(index: number): void;
  closeLabeling(): void;

  loadStats(): Promise<void>;
  analyze(modelId: string | null): Promise<void>;
  trackJob(jobId: string, datasetId: string, kind: DatasetJobProgress['kind']): void;
  cancelJob(jobId: string): Promise<void>;
  applyJobProgress(p: DatasetJobProgress): void;
}

const freshGrid = (filter: FilterForm, gen: number): GridState => ({
  filter,
  gen,
  pages: {},
  loading: [],
  total: null,
  totalExact: true,
  ms: null,
  rowsError: null,
  cursor: 0,
  labelingAt: null,
});

let lastIndexRefresh = 0;

export const useDatasetsStore = create<DatasetsStore>()((set, get, store) => ({
  ...createImportSlice(set, get, store),
  ...freshGrid(EMPTY_FILTER, 0),
  datasets: [],
  listed: false,
  listError: null,
  selectedId: null,
  info: null,
  infoError: null,
  tab: 'rows',
  profiles: [],
  stats: null,
  statsError: null,
  jobs: {},
  jobError: null,

  async refresh() {
    try {
      const datasets = await api.invoke('datasets.list', {});
      set({ datasets, listed: true, listError: null });
    } catch (error) {
      set({ listed: true, listError: toShownError(error) });
    }
  },

  async select(datasetId) {
    set({ selectedId: datasetId, info: null, infoError: null, stats: null, statsError: null, importOpen: false, ...freshGrid(EMPTY_FILTER, get().gen + 1) });
    await get().reloadInfo();
    void get().loadStats();
    try {
      const jobs = await api.invoke('datasets.jobs', { datasetId });
      set((s) => ({ jobs: { ...s.jobs, ...Object.fromEntries(jobs.map((j) => [j.jobId, j])) } }));
    } catch {
      // Jobs are a nicety on open; progress events still arrive.
    }
  },
  acceptInfo: (info) => {
    if (info.id === get().selectedId) set({ info });
  },
  async reloadInfo() {
    const datasetId = get().selectedId;
    if (!datasetId) return;
    try {
      const info = await api.invoke('datasets.get', { datasetId });
      if (get().selectedId === datasetId) set({ info, infoError: null });
    } catch (error) {
      set({ infoError: toShownError(error) });
    }
  },
  async rename(datasetId, name) {
    try {
      const info = await api.invoke('datasets.rename', { datasetId, name });
      get().acceptInfo(info);
      await get().refresh();
    } catch (error) {
      set({ listError: toShownError(error) });
    }
  },
  async remove(datasetId) {
    try {
      await api.invoke('datasets.remove', { datasetId });
      if (get().selectedId === datasetId) set({ selectedId: null, info: null, stats: null, ...freshGrid(EMPTY_FILTER, get().gen + 1) });
      await get().refresh();
    } catch (error) {
      set({ listError: toShownError(error) });
    }
  },
  setTab: (tab) => set({ tab }),
  async loadProfiles() {
    try {
      set({ profiles: await api.invoke('profiles.list', {}) });
    } catch {
      // The labeler filter just offers no names.
    }
  },

  setFilter: (patch) => set((s) => ({ ...freshGrid({ ...s.filter, ...patch }, s.gen + 1) })),
  reloadRows: () => set((s) => ({ ...freshGrid(s.filter, s.gen + 1), cursor: s.cursor, labelingAt: s.labelingAt, total: s.total, totalExact: s.totalExact })),

  ensurePages(needed, drop) {
    const s = get();
    const datasetId = s.selectedId;
    if (!datasetId) return;
    if (drop.length) {
      const pages = { ...s.pages };
      for (const p of drop) delete pages[p];
      set({ pages });
    }
    const missing = needed.filter((p) => !(p in s.pages) && !s.loading.includes(p));
    if (!missing.length) return;
    const gen = s.gen;
    const filter = toRowFilter(s.filter);
    set({ loading: [...s.loading, ...missing] });
    for (const p of missing) {
      api
        .invoke('datasets.rows', { datasetId, filter, offset: p * PAGE_SIZE, limit: PAGE_SIZE, countCap: filter.search?.trim() ? SEARCH_COUNT_CAP : FILTER_COUNT_CAP })
        .then((page) => {
          if (get().gen !== gen || get().selectedId !== datasetId) return;
          set((cur) => ({
            pages: { ...cur.pages, [p]: page.rows },
            loading: cur.loading.filter((x) => x !== p),
            total: page.total,
            totalExact: page.totalExact,
            ms: page.ms,
            rowsError: null,
          }));
        })
        .catch((error: unknown) => {
          if (get().gen !== gen) return;
          set((cur) => ({ loading: cur.loading.filter((x) => x !== p), rowsError: toShownError(error), total: cur.total ?? 0 }));
        });
    }
  },
  setCursor: (index) => set({ cursor: index }),
  openLabeling: (index) => set({ labelingAt: index, cursor: index }),
  closeLabeling: () => {
    set({ labelingAt: null });
    get().reloadRows();
    void get().reloadInfo();
  },

  async loadStats() {
    const datasetId = get().selectedId;
    if (!datasetId) return;
    try {
      const stats = await api.invoke('datasets.stats', { datasetId });
      if (get().selectedId === datasetId) set({ stats, statsError: null });
    } catch (error) {
      set({ statsError: toShownError(error) });
    }
  },
  async analyze(modelId) {
    const datasetId = get().selectedId;
    if (!datasetId) return;
    set({ jobError: null });
    try {
      const { jobId } = await api.invoke('datasets.analyze', { datasetId, modelId });
      get().trackJob(jobId, datasetId, 'analyze');
    } catch (error) {
      set({ jobError: toShownError(error) });
    }
  },
  trackJob: (jobId, datasetId, kind) =>
    set((s) => (s.jobs[jobId] ? s : { jobs: { ...s.jobs, [jobId]: { jobId, datasetId, kind, state: 'running', done: 0, total: 0, error: null } } })),
  async cancelJob(jobId) {
    try {
      await api.invoke('datasets.cancelJob', { jobId });
    } catch (error) {
      set({ jobError: toShownError(error) });
    }
  },
  applyJobProgress(p) {
    set((s) => ({ jobs: { ...s.jobs, [p.jobId]: p } }));
    const s = get();
    if (p.kind === 'index') {
      // The list shows how far the search index has come; refresh it now and then, and when it ends.
      const now = Date.now();
      if (p.state !== 'running' || now - lastIndexRefresh > 2000) {
        lastIndexRefresh = now;
        void s.refresh();
      }
      return;
    }
    if (p.datasetId !== s.selectedId || p.state === 'running') return;
    if (p.kind === 'analyze') {
      void s.loadStats();
      void s.reloadInfo();
    }
    s.reloadRows();
  },
}));

/** The newest job of a kind for a dataset, running or not. */
export function latestJob(jobs: Record<string, DatasetJobProgress>, datasetId: string | null, kind: DatasetJobProgress['kind']): DatasetJobProgress | null {
  const mine = Object.values(jobs).filter((j) => j.datasetId === datasetId && j.kind === kind);
  // Job ids are ULIDs: later ids sort later.
  mine.sort((a, b) => (a.jobId < b.jobId ? -1 : 1));
  return mine[mine.length - 1] ?? null;
}
