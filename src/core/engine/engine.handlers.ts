// The engine.* command handlers: load a library model into the worker, unload, restart.
import type { engineCommands } from '../../shared/engine.schema';
import type { HandlersFor } from '../handlerMap';
import type { ModelsService } from '../models/models.service';
import type { EngineService } from './engine.service';

export function engineHandlers(d: { engine: EngineService; models: ModelsService }): HandlersFor<typeof engineCommands> {
  const { engine, models } = d;
  return {
    'engine.status': () => engine.status,
    'engine.load': ({ modelId, settings }) => {
      const m = models.get(modelId);
      return engine.load(m.id, m.path, settings);
    },
    'engine.unload': () => engine.unload(),
    'engine.restart': () => engine.restart(),
  };
}
