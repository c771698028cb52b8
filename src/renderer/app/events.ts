// The one place core events are subscribed. Each event is routed to the stores that care; stores never
// subscribe themselves and never import each other.
import { api, onConnectionLost } from './bridge';
import { useEngineStore } from '../features/engine/engine.store';
import { useHistoryStore } from '../features/history/history.store';
import { useModelsStore } from '../features/models/models.store';
import { usePlaygroundStore } from '../features/playground/playground.store';

let wired = false;

export function wireEvents(): void {
  if (wired) return;
  wired = true;
  onConnectionLost((reason) => useEngineStore.getState().connectionLost(reason));
  api.on('engine.status', (status) => useEngineStore.getState().applyStatus(status));
  api.on('models.changed', (model) => useModelsStore.getState().upsert(model));
  api.on('downloads.progress', (progress) => useModelsStore.getState().applyDownload(progress));
  api.on('runs.chunk', (chunk) => usePlaygroundStore.getState().applyChunk(chunk));
  api.on('runs.finished', (record) => {
    usePlaygroundStore.getState().applyFinished(record);
    if (useHistoryStore.getState().listed) void useHistoryStore.getState().refresh();
  });
}

/** First data the shell needs; each store records its own failure. */
export function loadInitialData(): void {
  void useEngineStore.getState().init();
  void useModelsStore.getState().refresh();
}
