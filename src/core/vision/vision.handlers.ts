// The vision.* command handlers: the vision engine (llama-server with a projector) and its binary.
import type { visionCommands } from '../../shared/vision.schema';
import type { HandlersFor } from '../handlerMap';
import type { VisionService } from './vision.service';

export function visionHandlers(vision: VisionService): HandlersFor<typeof visionCommands> {
  return {
    'vision.status': () => vision.currentStatus(),
    'vision.projectorInfo': ({ path }) => vision.projectorInfo(path),
    'vision.findProjector': ({ modelId }) => vision.findProjector(modelId),
    'vision.load': ({ modelId, projectorPath, settings }) => vision.load(modelId, projectorPath, settings),
    'vision.unload': () => vision.unload(),
    'vision.restart': () => vision.restart(),
    'vision.setServerBinary': ({ path }) => vision.setServerBinary(path),
    'vision.buildServer': ({ backend }) => vision.buildServer(backend),
    'vision.cancelBuild': ({ jobId }) => vision.cancelBuild(jobId),
  };
}
