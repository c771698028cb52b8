// Test sets: the list (testsets.list), the import form (preview → mapping → import) and a page of the
// selected set's rows. SQLite holds the rows; this store holds the page shown and the form.
import { create } from 'zustand';
import type { BadRow, TestSetInfo, TestSetPreview, TestSetRow, TestSetSummary } from '../../../shared/testsets.schema';
import { api } from '../../client/bridge';
import { toShownError, type ShownError } from '../../client/errors';
import { fileBase64 } from '../../ui/images/fileBase64';
import { mappingFromRoles, rolesFromMapping, type ColumnRole } from './mapping';

export const PAGE_SIZE = 50;

export interface ImportOutcome {
  name: string;
  imported: number;
  badTotal: number;
  bad: BadRow[];
}

export interface TestSetsStore {
  sets: TestSetSummary[];
  listed: boolean;
  listError: ShownError | null;

  importing: boolean;
  path: string;
  name: string;
  previewing: boolean;
  preview: TestSetPreview | null;
  roles: Record<string, ColumnRole>;
  importBusy: boolean;
  importError: ShownError | null;
  outcome: ImportOutcome | null;

  selected: TestSetInfo | null;
  rows: TestSetRow[];
  total: number;
  offset: number;
  rowsError: ShownError | null;

  refresh(): Promise<void>;
  startImport(): void;
  closeImport(): void;
  setPath(path: string): void;
  setName(name: string): void;
  runPreview(): Promise<void>;
  setRole(column: string, role: ColumnRole): void;
  runImport(): Promise<void>;
  select(testSetId: string): Promise<void>;
  loadRows(offset: number): Promise<void>;
  updateRow(rowId: string, patch: { variables?: Record<string, string>; expected?: string | null; label?: string | null }): Promise<void>;
  addRow(): Promise<void>;
  deleteRow(rowId: string): Promise<void>;
  /** `rowId:variable` while a picked image is being stored. */
  imageBusy: string | null;
  /** What storing a picked image changed, by `${rowId}:${variable}`; shown while the cell still holds that hash. */
  imageNotes: Record<string, { hash: string; notes: string[] }>;
  /** Stores the picked file (images.addData) and puts its hash in the row's image cell. */
  pickImage(rowId: string, variable: string, file: File): Promise<void>;
}

function nameFromPath(path: string): string {
  const base = path.split(/[\\/]/).pop() ?? '';
  return base.replace(/\.(csv|jsonl|tsv|txt)$/i, '');
}

export const useTestSetsStore = create<TestSetsStore>()((set, get) => ({
  sets: [],
  listed: false,
  listError: null,
  importing: false,
  path: '',
  name: '',
  previewing: false,
  preview: null,
  roles: {},
  importBusy: false,
  importError: null,
  outcome: null,
  selected: null,
  rows: [],
  total: 0,
  offset: 0,
  rowsError: null,

  async refresh() {
    try {
      const sets = await api.invoke('testsets.list', {});
      set({ sets, listed: true, listError: null });
    } catch (error) {
      set({ listed: true, listError: toShownError(error) });
    }
  },
  startImport: () => set({ importing: true, outcome: null, importError: null }),
  closeImport: () => set({ importing: false, preview: null, roles: {}, importError: null }),
  setPath: (path) => set({ path }),
  setName: (name) => set({ name }),

  async runPreview() {
    const path = get().path.trim();
    if (!path) return;
    set({ previewing: true, importError: null, outcome: null });
    try {
      const preview = await api.invoke('testsets.preview', { path });
      set((s) => ({ preview, roles: rolesFromMapping(preview.columns, preview.mapping), name: s.name || nameFromPath(path) }));
    } catch (error) {
      set({ preview: null, importError: toShownError(error) });
    } finally {
      set({ previewing: false });
    }
  },
  setRole: (column, role) => set((s) => ({ roles: { ...s.roles, [column]: role } })),

  async runImport() {
    const { preview, roles, name } = get();
    if (!preview) return;
    const m = mappingFromRoles(preview.columns, roles);
    if (m.problem !== null) {
      set({ importError: { code: 'BAD_INPUT', message: m.problem } });
      return;
    }
    set({ importBusy: true, importError: null });
    try {
      const r = await api.invoke('testsets.import', {
        path: preview.path,
        name: name.trim() || nameFromPath(preview.path),
        format: preview.format,
        delimiter: preview.delimiter ?? undefined,
        mapping: m.mapping,
      });
      set({ outcome: { name: r.testSet.name, imported: r.imported, badTotal: r.badTotal, bad: r.bad }, preview: null, importing: false, path: '', name: '' });
      await get().refresh();
      await get().select(r.testSet.id);
    } catch (error) {
      set({ importError: toShownError(error) });
    } finally {
      set({ importBusy: false });
    }
  },

  async select(testSetId) {
    try {
      const selected = await api.invoke('testsets.get', { testSetId });
      set({ selected, rowsError: null });
      await get().loadRows(0);
    } catch (error) {
      set({ rowsError: toShownError(error) });
    }
  },
  async loadRows(offset) {
    const id = get().selected?.id;
    if (!id) return;
    try {
      const page = await api.invoke('testsets.rows', { testSetId: id, offset, limit: PAGE_SIZE });
      set({ rows: page.rows, total: page.total, offset, rowsError: null });
    } catch (error) {
      set({ rowsError: toShownError(error) });
    }
  },
  async updateRow(rowId, patch) {
    try {
      const row = await api.invoke('testsets.updateRow', { rowId, ...patch });
      set((s) => ({ rows: s.rows.map((r) => (r.id === row.id ? row : r)), rowsError: null }));
    } catch (error) {
      set({ rowsError: toShownError(error) });
    }
  },
  async addRow() {
    const id = get().selected?.id;
    if (!id) return;
    try {
      await api.invoke('testsets.addRow', { testSetId: id });
      const total = get().total + 1;
      await get().loadRows(Math.floor((total - 1) / PAGE_SIZE) * PAGE_SIZE);
      void get().refresh();
    } catch (error) {
      set({ rowsError: toShownError(error) });
    }
  },
  imageBusy: null,
  imageNotes: {},
  async pickImage(rowId, variable, file) {
    set({ imageBusy: `${rowId}:${variable}` });
    try {
      const img = await api.invoke('images.addData', { name: file.name, dataBase64: await fileBase64(file) });
      set((s) => ({ imageNotes: { ...s.imageNotes, [`${rowId}:${variable}`]: { hash: img.hash, notes: img.notes ?? [] } } }));
      await get().updateRow(rowId, { variables: { [variable]: img.hash } });
    } catch (error) {
      set({ rowsError: toShownError(error) });
    } finally {
      set({ imageBusy: null });
    }
  },
  async deleteRow(rowId) {
    try {
      await api.invoke('testsets.deleteRow', { rowId });
      const { offset, total } = get();
      await get().loadRows(offset >= total - 1 && offset > 0 ? Math.max(0, offset - PAGE_SIZE) : offset);
      void get().refresh();
    } catch (error) {
      set({ rowsError: toShownError(error) });
    }
  },
}));
