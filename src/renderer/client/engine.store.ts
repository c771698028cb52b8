// Engine state as the core reports it (engine.status events), plus the app facts views need (app.info).
import { create } from 'zustand';
import type { AppInfo } from '../../shared/app.schema';
import type { EngineStatus, LoadSettingsInput } from '../../shared/engine.schema';
import { api } from './bridge';
import { toShownError, type ShownError } from './errors';

export interface LoadFailure {
  modelId: string;
  error: ShownError;
}

interface EngineStore {
  status: EngineStatus | null;
  info: AppInfo | null;
  /** Set when the first round-trip to the core fails: nothing else will work either. */
  connectError: ShownError | null;
  /** The model an engine.load request is in flight for (the status may lag behind it). */
  loadingModelId: string | null;
  loadFailure: LoadFailure | null;
  unloadError: ShownError | null;
  restarting: boolean;
  restartError: ShownError | null;

  init(): Promise<void>;
  applyStatus(status: EngineStatus): void;
  connectionLost(reason: string): void;
  /** Resolves true once the model is loaded; failures land in loadFailure, never thrown. */
  load(modelId: string, settings: LoadSettingsInput): Promise<boolean>;
  unload(): Promise<void>;
  restart(): Promise<void>;
  clearLoadFailure(): void;
}

// An event that arrives while engine.status is in flight is newer than its answer.
let statusEventSeen = false;

export const useEngineStore = create<EngineStore>()((set, get) => ({
  status: null,
  info: null,
  connectError: null,
  loadingModelId: null,
  loadFailure: null,
  unloadError: null,
  restarting: false,
  restartError: null,

  async init() {
    try {
      const [info, status] = await Promise.all([api.invoke('app.info', {}), api.invoke('engine.status', {})]);
      set({ info, connectError: null });
      if (!statusEventSeen) set({ status });
    } catch (error) {
      set({ connectError: toShownError(error) });
    }
  },

  applyStatus(status) {
    statusEventSeen = true;
    set({ status });
  },

  connectionLost(reason) {
    set({ connectError: { code: 'UNAUTHORIZED', message: reason }, status: null });
  },

  async load(modelId, settings) {
    set({ loadingModelId: modelId, loadFailure: null });
    try {
      const status = await api.invoke('engine.load', { modelId, settings });
      set({ status, loadingModelId: null });
      if (status.state !== 'ready' || status.modelId !== modelId) {
        const message = status.error ?? `The engine ended in state "${status.state}" instead of ready.`;
        set({ loadFailure: { modelId, error: { code: 'ENGINE', message } } });
        return false;
      }
      return true;
    } catch (error) {
      set({ loadingModelId: null, loadFailure: { modelId, error: toShownError(error) } });
      return false;
    }
  },

  async unload() {
    set({ unloadError: null });
    try {
      set({ status: await api.invoke('engine.unload', {}) });
    } catch (error) {
      set({ unloadError: toShownError(error) });
    }
  },

  async restart() {
    if (get().restarting) return;
    set({ restarting: true, restartError: null });
    try {
      set({ status: await api.invoke('engine.restart', {}), restarting: false });
    } catch (error) {
      set({ restarting: false, restartError: toShownError(error) });
    }
  },

  clearLoadFailure() {
    set({ loadFailure: null });
  },
}));
