// Backup and restore in Settings: the form, a running backup's progress (backup.progress, routed by app/events),
// and the restore staged for the next start.
import { create } from 'zustand';
import type { BackupProgress, BackupResult, RestoreStatus, RestoreSummary } from '../../../shared/backup.schema';
import { ulid } from '../../../shared/ids';
import { api } from '../../client/bridge';
import { toShownError, type ShownError } from '../../client/errors';

interface BackupStore {
  status: RestoreStatus | null;
  statusError: ShownError | null;
  backupPath: string;
  gzip: boolean;
  exportKey: boolean;
  passphrase: string;
  running: { backupId: string; progress: BackupProgress | null } | null;
  result: BackupResult | null;
  backupError: ShownError | null;
  restorePath: string;
  restorePassphrase: string;
  restoring: boolean;
  staged: RestoreSummary | null;
  restoreError: ShownError | null;

  refresh(): Promise<void>;
  setField(patch: Partial<Pick<BackupStore, 'backupPath' | 'gzip' | 'exportKey' | 'passphrase' | 'restorePath' | 'restorePassphrase'>>): void;
  create(): Promise<void>;
  cancel(): Promise<void>;
  applyProgress(p: BackupProgress): void;
  stageRestore(): Promise<void>;
  discardRestore(): Promise<void>;
}

export const useBackupStore = create<BackupStore>()((set, get) => ({
  status: null,
  statusError: null,
  backupPath: '',
  gzip: true,
  exportKey: false,
  passphrase: '',
  running: null,
  result: null,
  backupError: null,
  restorePath: '',
  restorePassphrase: '',
  restoring: false,
  staged: null,
  restoreError: null,

  async refresh() {
    try {
      set({ status: await api.invoke('backup.status', {}), statusError: null });
    } catch (error) {
      set({ statusError: toShownError(error) });
    }
  },

  setField(patch) {
    set(patch);
  },

  async create() {
    const s = get();
    if (s.running || !s.backupPath.trim()) return;
    const backupId = ulid();
    set({ running: { backupId, progress: null }, result: null, backupError: null });
    try {
      const result = await api.invoke('backup.create', {
        path: s.backupPath.trim(),
        backupId,
        gzip: s.gzip,
        ...(s.exportKey ? { keyPassphrase: s.passphrase } : {}),
      });
      set({ result, passphrase: '' });
    } catch (error) {
      set({ backupError: toShownError(error) });
    } finally {
      set({ running: null });
    }
  },

  async cancel() {
    const r = get().running;
    if (r) await api.invoke('backup.cancel', { backupId: r.backupId }).catch(() => undefined);
  },

  applyProgress(p) {
    set((s) => (s.running?.backupId === p.backupId ? { running: { backupId: p.backupId, progress: p } } : s));
  },

  async stageRestore() {
    const s = get();
    if (s.restoring || !s.restorePath.trim()) return;
    set({ restoring: true, restoreError: null, staged: null });
    try {
      const staged = await api.invoke('backup.restore', { path: s.restorePath.trim(), ...(s.restorePassphrase ? { keyPassphrase: s.restorePassphrase } : {}) });
      set({ staged, restorePassphrase: '' });
      await get().refresh();
    } catch (error) {
      set({ restoreError: toShownError(error) });
    } finally {
      set({ restoring: false });
    }
  },

  async discardRestore() {
    try {
      await api.invoke('backup.discardRestore', {});
      set({ staged: null });
      await get().refresh();
    } catch (error) {
      set({ restoreError: toShownError(error) });
    }
  },
}));
