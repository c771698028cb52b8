// The import half of the datasets store: path → preview (with overrides and a field mapping) → import with
// progress and cancel → report. Kept apart from the grid so each file is one idea.
import type { StateCreator } from 'zustand';
import type { DatasetInfo, DatasetPreviewOut, ImportProgress } from '../../../shared/datasets.schema';
import type { DatasetContainer, DatasetEncoding, DatasetFormat, FieldMapping } from '../../../shared/datasets.record';
import { ulid } from '../../../shared/ids';
import { api } from '../../client/bridge';
import { toShownError, type ShownError } from '../../client/errors';
import { readDismissed, reportKey, withDismissed, writeDismissed, type ImportReport } from './importReport';

export type { ImportReport } from './importReport';

export interface ImportChoice {
  path: string;
  name: string;
  container: 'auto' | DatasetContainer;
  format: 'auto' | DatasetFormat;
  encoding: 'auto' | DatasetEncoding;
  /** Only for format `columns`; null: the core's guess. */
  mapping: FieldMapping | null;
}

export interface ImportSlice {
  importOpen: boolean;
  choice: ImportChoice;
  preview: DatasetPreviewOut | null;
  previewing: boolean;
  importError: ShownError | null;
  /** Set while an import runs. */
  importId: string | null;
  progress: ImportProgress | null;
  /** The import made in this window; shown with its dataset only (importReport.ts). */
  report: ImportReport | null;
  /** Imports whose report was closed, as reportKey()s; remembered on this machine. */
  dismissedImports: string[];

  openImport(): void;
  closeImport(): void;
  setChoice(patch: Partial<ImportChoice>): void;
  runPreview(): Promise<void>;
  runImport(): Promise<void>;
  /** A folder of images on this machine (the server's, in the browser host) with an optional sidecar. */
  runImageImport(input: { dir: string; sidecar: string; name: string; prompt: string }): Promise<void>;
  cancelImport(): Promise<void>;
  applyImportProgress(p: ImportProgress): void;
  dismissReport(report: ImportReport): void;
}

/** What the rest of the store offers the import: refresh the list and open the new dataset. */
export interface ImportHost {
  refresh(): Promise<void>;
  select(datasetId: string): Promise<void>;
  acceptInfo(info: DatasetInfo): void;
}

export function nameFromPath(path: string): string {
  const base = path.split(/[\\/]/).pop() ?? '';
  return base.replace(/\.(jsonl|json|csv|tsv|txt)$/i, '');
}

const EMPTY_CHOICE: ImportChoice = { path: '', name: '', container: 'auto', format: 'auto', encoding: 'auto', mapping: null };

export const createImportSlice: StateCreator<ImportSlice & ImportHost, [], [], ImportSlice> = (set, get) => {
  /** After a text or an image import: the report, the form closed, the new dataset listed and selected. */
  const imported = async (dataset: DatasetInfo, count: number, badTotal: number, bad: ImportReport['bad'], images?: ImportReport['images']): Promise<void> => {
    set({
      report: { datasetId: dataset.id, name: dataset.name, imported: count, badTotal, bad, importedAt: dataset.importReport?.importedAt ?? dataset.createdAt, ...(images ? { images } : {}) },
      importOpen: false,
      preview: null,
      choice: EMPTY_CHOICE,
    });
    get().acceptInfo(dataset);
    await get().refresh();
    await get().select(dataset.id);
  };
  return {
    importOpen: false,
    choice: EMPTY_CHOICE,
    preview: null,
    previewing: false,
    importError: null,
    importId: null,
    progress: null,
    report: null,
    dismissedImports: readDismissed(),

    openImport: () => set({ importOpen: true, importError: null }),
    closeImport: () => set({ importOpen: false, preview: null, importError: null, choice: EMPTY_CHOICE }),
    setChoice: (patch) => set((s) => ({ choice: { ...s.choice, ...patch } })),

    async runPreview() {
      const c = get().choice;
      const path = c.path.trim();
      if (!path) return;
      set({ previewing: true, importError: null });
      try {
        const preview = await api.invoke('datasets.preview', {
          path,
          container: c.container,
          format: c.format,
          encoding: c.encoding,
          mapping: c.format === 'columns' && c.mapping ? c.mapping : undefined,
        });
        set((s) => ({ preview, choice: { ...s.choice, name: s.choice.name || nameFromPath(path) } }));
      } catch (error) {
        set({ preview: null, importError: toShownError(error) });
      } finally {
        set({ previewing: false });
      }
    },

    async runImport() {
      const { preview, choice } = get();
      if (!preview || get().importId) return;
      const importId = ulid();
      set({ importId, progress: null, importError: null, report: null });
      try {
        // The file's detected layout is what the preview showed; pin it so the import reads the same way.
        const r = await api.invoke('datasets.import', {
          path: preview.path,
          name: choice.name.trim() || nameFromPath(preview.path),
          container: preview.container,
          format: preview.format,
          encoding: preview.encoding,
          mapping: preview.format === 'columns' ? (choice.mapping ?? preview.mapping ?? undefined) : undefined,
          importId,
        });
        await imported(r.dataset, r.imported, r.badTotal, r.bad);
      } catch (error) {
        set({ importError: toShownError(error) });
      } finally {
        set({ importId: null });
      }
    },

    async runImageImport({ dir, sidecar, name, prompt }) {
      if (get().importId) return;
      const importId = ulid();
      set({ importId, progress: null, importError: null, report: null });
      try {
        const r = await api.invoke('datasets.importImages', {
          dir: dir.trim(),
          sidecar: sidecar.trim() || null,
          name: name.trim() || nameFromPath(dir.trim().replace(/[\\/]+$/, '')),
          ...(prompt.trim() ? { prompt: prompt.trim() } : {}),
          importId,
        });
        await imported(r.dataset, r.imported, 0, [], { files: r.images, skipped: r.skipped, notes: r.notes });
      } catch (error) {
        set({ importError: toShownError(error) });
      } finally {
        set({ importId: null });
      }
    },

    async cancelImport() {
      const importId = get().importId;
      if (!importId) return;
      try {
        await api.invoke('datasets.cancelImport', { importId });
      } catch (error) {
        set({ importError: toShownError(error) });
      }
    },

    applyImportProgress: (p) => {
      if (p.importId === get().importId) set({ progress: p });
    },
    dismissReport: (report) => {
      const dismissedImports = withDismissed(get().dismissedImports, reportKey(report));
      writeDismissed(dismissedImports);
      set((s) => ({ dismissedImports, report: s.report && reportKey(s.report) === reportKey(report) ? null : s.report }));
    },
  };
};
