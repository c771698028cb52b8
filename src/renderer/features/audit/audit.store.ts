// The Audit view: the filter, the records listed so far (newest first, paged by seq), the one selected,
// the chain check and the JSONL export.
import { create } from 'zustand';
import type { AuditRecord, AuditVerify } from '../../../shared/guard.schema';
import type { Profile } from '../../../shared/profiles.schema';
import { api } from '../../client/bridge';
import { toShownError, type ShownError } from '../../client/errors';
import { exportOrDownload, exportReady } from '../../ui/fileTransfer';
import { EMPTY_FILTER, toAuditFilter, type FilterForm } from './auditFilter';

const PAGE = 100;

interface AuditStore {
  form: FilterForm;
  records: AuditRecord[];
  total: number;
  /** The count stopped at the cap: there are at least `total`. */
  totalCapped: boolean;
  loading: boolean;
  listError: ShownError | null;
  selectedSeq: number | null;
  profiles: Profile[];
  /** Set once the view has listed: new calls then refresh it. */
  listed: boolean;

  verify: AuditVerify | null;
  verifying: boolean;
  verifyError: ShownError | null;

  exportPath: string;
  exporting: boolean;
  /** `downloaded`: the browser host sent it to this browser instead of writing `path` on the server. */
  exported: { path: string; count: number; downloaded: boolean } | null;
  exportError: ShownError | null;

  setForm(change: Partial<FilterForm>): void;
  clearFilter(): void;
  refresh(): Promise<void>;
  loadMore(): Promise<void>;
  select(seq: number | null): void;
  loadProfiles(): Promise<void>;
  runVerify(): Promise<void>;
  setExportPath(path: string): void;
  runExport(): Promise<void>;
}

let listSeq = 0;

export const useAuditStore = create<AuditStore>()((set, get) => ({
  form: EMPTY_FILTER,
  records: [],
  total: 0,
  totalCapped: false,
  loading: false,
  listError: null,
  selectedSeq: null,
  profiles: [],
  listed: false,
  verify: null,
  verifying: false,
  verifyError: null,
  exportPath: '',
  exporting: false,
  exported: null,
  exportError: null,

  setForm(change) {
    set((s) => ({ form: { ...s.form, ...change } }));
    void get().refresh();
  },

  clearFilter() {
    set({ form: EMPTY_FILTER });
    void get().refresh();
  },

  async refresh() {
    const seq = ++listSeq;
    set({ loading: true });
    try {
      const page = await api.invoke('audit.list', { filter: toAuditFilter(get().form), limit: PAGE });
      if (seq !== listSeq) return;
      set({ records: page.records, total: page.total, totalCapped: page.totalCapped, loading: false, listError: null, listed: true });
    } catch (error) {
      if (seq === listSeq) set({ loading: false, listError: toShownError(error) });
    }
  },

  async loadMore() {
    const { records } = get();
    const last = records[records.length - 1];
    if (!last) return;
    const seq = ++listSeq;
    set({ loading: true });
    try {
      const page = await api.invoke('audit.list', { filter: toAuditFilter(get().form), limit: PAGE, beforeSeq: last.seq });
      if (seq !== listSeq) return;
      set((s) => ({ records: [...s.records, ...page.records], total: page.total, totalCapped: page.totalCapped, loading: false, listError: null }));
    } catch (error) {
      if (seq === listSeq) set({ loading: false, listError: toShownError(error) });
    }
  },

  select(seq) {
    set({ selectedSeq: seq });
  },

  async loadProfiles() {
    try {
      set({ profiles: await api.invoke('profiles.list', {}) });
    } catch {
      // The profile filter is a convenience; the list works without it.
    }
  },

  async runVerify() {
    set({ verifying: true, verifyError: null });
    try {
      set({ verify: await api.invoke('audit.verify', {}), verifying: false });
    } catch (error) {
      set({ verifying: false, verifyError: toShownError(error) });
    }
  },

  setExportPath(path) {
    set({ exportPath: path, exported: null, exportError: null });
  },

  async runExport() {
    const path = get().exportPath;
    if (!exportReady(path)) return;
    set({ exporting: true, exportError: null, exported: null });
    try {
      const filter = toAuditFilter(get().form);
      const { out, downloads } = await exportOrDownload({
        purpose: 'audit',
        path,
        fileName: 'audit.jsonl',
        run: (p) => api.invoke('audit.export', { path: p, filter }),
        files: (o) => [o.path],
      });
      set({ exporting: false, exported: { ...out, path: downloads[0]?.name ?? out.path, downloaded: downloads.length > 0 } });
    } catch (error) {
      set({ exporting: false, exportError: toShownError(error) });
    }
  },
}));
