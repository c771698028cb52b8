// The one place core events are subscribed. Each event is routed to the stores that care; stores never
// subscribe themselves and never import each other.
import { api, onConnectionLost } from '../client/bridge';
import { useAdaptersStore } from '../client/adapters.store';
import { useAuditStore } from '../features/audit/audit.store';
import { useBenchStore } from '../features/bench/bench.store';
import { useCompareStore } from '../features/compare/compare.store';
import { useDatasetsStore } from '../features/datasets/datasets.store';
import { useEvalsStore } from '../features/evals/evals.store';
import { useEngineStore } from '../client/engine.store';
import { useHistoryStore } from '../features/history/history.store';
import { useModelsStore } from '../client/models.store';
import { usePlaygroundStore } from '../features/playground/playground.store';
import { useApiServerStore } from '../features/settings/apiServer.store';
import { useApiKeysStore } from '../features/settings/apiKeys.store';
import { useBackupStore } from '../features/settings/backup.store';
import { useTargetsStore } from '../client/targets.store';
import { useTrainingStore } from '../features/training/training.store';
import { useSessionStore } from '../client/session.store';
import { useVisionStore } from '../client/vision.store';

let wired = false;

export function wireEvents(): void {
  if (wired) return;
  wired = true;
  onConnectionLost((reason) => useEngineStore.getState().connectionLost(reason));
  api.on('engine.status', (status) => useEngineStore.getState().applyStatus(status));
  api.on('models.changed', (model) => useModelsStore.getState().upsert(model));
  api.on('downloads.progress', (progress) => useModelsStore.getState().applyDownload(progress));
  // Run ids tell the Playground's run and Compare's columns apart; each store ignores ids it does not hold.
  api.on('runs.chunk', (chunk) => {
    usePlaygroundStore.getState().applyChunk(chunk);
    useCompareStore.getState().applyChunk(chunk);
  });
  api.on('runs.finished', (record) => {
    usePlaygroundStore.getState().applyFinished(record);
    useCompareStore.getState().applyFinished(record);
    if (useHistoryStore.getState().listed) void useHistoryStore.getState().refresh();
    // Every finished run is an audit record; an open log shows it.
    if (useAuditStore.getState().listed) void useAuditStore.getState().refresh();
  });
  // Removed here, in another window or by the CLI: History drops them; the audit log has a new record.
  api.on('runs.removed', ({ runIds }) => {
    useHistoryStore.getState().applyRemoved(runIds);
    if (useAuditStore.getState().listed) void useAuditStore.getState().refresh();
  });
  api.on('targets.changed', (target) => useTargetsStore.getState().upsert(target));
  api.on('evals.progress', (progress) => useEvalsStore.getState().applyProgress(progress));
  api.on('datasets.importProgress', (progress) => useDatasetsStore.getState().applyImportProgress(progress));
  api.on('datasets.jobProgress', (progress) => useDatasetsStore.getState().applyJobProgress(progress));
  api.on('training.progress', (progress) => {
    useTrainingStore.getState().applyProgress(progress);
    // A finished training registers its adapter: the library lists it.
    if (progress.adapterId && progress.state === 'done' && useAdaptersStore.getState().listed) void useAdaptersStore.getState().refresh();
  });
  api.on('bench.progress', (progress) => useBenchStore.getState().applyProgress(progress));
  api.on('apiServer.status', (status) => useApiServerStore.getState().applyStatus(status));
  api.on('apiServer.budgetAlert', (alert) => useApiKeysStore.getState().applyAlert(alert));
  api.on('backup.progress', (progress) => useBackupStore.getState().applyProgress(progress));
  api.on('vision.status', (status) => useVisionStore.getState().applyStatus(status));
  api.on('vision.buildProgress', (progress) => useVisionStore.getState().applyBuild(progress));
}

/** First data the shell needs; each store records its own failure. */
export function loadInitialData(): void {
  void useSessionStore.getState().load();
  void useEngineStore.getState().init();
  void useModelsStore.getState().refresh();
  void useVisionStore.getState().init();
}
