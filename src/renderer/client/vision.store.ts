// The vision engine as the core reports it (vision.status events), llama-server builds (vision.buildProgress)
// and the projector chosen per model. Read by Models (the Vision section) and Settings (binary, Build).
import { create } from 'zustand';
import type { LoadSettingsInput } from '../../shared/engine.schema';
import type { ProjectorInfo, ServerBuildStatus, VisionStatus } from '../../shared/vision.schema';
import { api } from './bridge';
import { toShownError, type ShownError } from './errors';

export type BuildBackend = 'auto' | ServerBuildStatus['backend'];

interface ProjectorChoice {
  path: string;
  info: ProjectorInfo | null;
  /** Looked beside the model already (found or not). */
  searched: boolean;
  error: ShownError | null;
  reading: boolean;
}

interface VisionStore {
  status: VisionStatus | null;
  /** A load/restart/unload in flight, and what it is for. */
  pending: 'load' | 'restart' | 'unload' | null;
  actionError: ShownError | null;
  projectors: Record<string, ProjectorChoice>;
  build: ServerBuildStatus | null;
  buildError: ShownError | null;
  binaryError: ShownError | null;

  init(): Promise<void>;
  applyStatus(status: VisionStatus): void;
  applyBuild(progress: ServerBuildStatus): void;
  findProjector(modelId: string): Promise<void>;
  setProjectorPath(modelId: string, path: string): void;
  readProjector(modelId: string): Promise<void>;
  load(modelId: string, settings: LoadSettingsInput): Promise<void>;
  unload(): Promise<void>;
  restart(): Promise<void>;
  setServerBinary(path: string | null): Promise<boolean>;
  startBuild(backend: BuildBackend): Promise<void>;
  cancelBuild(): Promise<void>;
}

const emptyChoice: ProjectorChoice = { path: '', info: null, searched: false, error: null, reading: false };
let statusEventSeen = false;

export const useVisionStore = create<VisionStore>()((set, get) => {
  const choice = (modelId: string, patch: Partial<ProjectorChoice>) =>
    set((s) => ({ projectors: { ...s.projectors, [modelId]: { ...(s.projectors[modelId] ?? emptyChoice), ...patch } } }));
  const act = async (pending: VisionStore['pending'], call: () => Promise<VisionStatus>) => {
    set({ pending, actionError: null });
    try {
      const status = await call();
      set({ status, pending: null });
    } catch (error) {
      set({ pending: null, actionError: toShownError(error) });
    }
  };

  return {
    status: null,
    pending: null,
    actionError: null,
    projectors: {},
    build: null,
    buildError: null,
    binaryError: null,

    async init() {
      try {
        const status = await api.invoke('vision.status', {});
        if (!statusEventSeen) set({ status });
      } catch (error) {
        set({ actionError: toShownError(error) });
      }
    },

    applyStatus(status) {
      statusEventSeen = true;
      set({ status });
    },

    applyBuild(progress) {
      const current = get().build;
      // Events of an older job (a late line after a new start) do not overwrite the current one.
      if (current && current.jobId !== progress.jobId && current.phase !== 'done' && current.phase !== 'failed' && current.phase !== 'cancelled') return;
      set({ build: progress });
    },

    async findProjector(modelId) {
      if (get().projectors[modelId]?.searched) return;
      choice(modelId, { searched: true, reading: true });
      try {
        const info = await api.invoke('vision.findProjector', { modelId });
        // A path the user typed meanwhile wins over the one found.
        if (!get().projectors[modelId]?.path) choice(modelId, { path: info?.path ?? '', info, error: null });
      } catch (error) {
        choice(modelId, { error: toShownError(error) });
      } finally {
        choice(modelId, { reading: false });
      }
    },

    setProjectorPath(modelId, path) {
      choice(modelId, { path, info: null, error: null });
    },

    async readProjector(modelId) {
      const path = get().projectors[modelId]?.path.trim();
      if (!path) return;
      choice(modelId, { reading: true, error: null });
      try {
        choice(modelId, { info: await api.invoke('vision.projectorInfo', { path }) });
      } catch (error) {
        choice(modelId, { info: null, error: toShownError(error) });
      } finally {
        choice(modelId, { reading: false });
      }
    },

    load(modelId, settings) {
      const projectorPath = get().projectors[modelId]?.path.trim() ?? '';
      return act('load', () => api.invoke('vision.load', { modelId, projectorPath, settings }));
    },
    unload: () => act('unload', () => api.invoke('vision.unload', {})),
    restart: () => act('restart', () => api.invoke('vision.restart', {})),

    async setServerBinary(path) {
      set({ binaryError: null });
      try {
        set({ status: await api.invoke('vision.setServerBinary', { path }) });
        return true;
      } catch (error) {
        set({ binaryError: toShownError(error) });
        return false;
      }
    },

    async startBuild(backend) {
      set({ buildError: null });
      try {
        const started = await api.invoke('vision.buildServer', { backend });
        // Progress events may already be newer than this answer.
        if (get().build?.jobId !== started.jobId) set({ build: started });
      } catch (error) {
        set({ buildError: toShownError(error) });
      }
    },

    async cancelBuild() {
      const job = get().build;
      if (!job) return;
      try {
        await api.invoke('vision.cancelBuild', { jobId: job.jobId });
      } catch (error) {
        set({ buildError: toShownError(error) });
      }
    },
  };
});
