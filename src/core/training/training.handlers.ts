// The training.* command handlers, spread into createCore's handler map. Inputs arrive parsed by
// trainingCommands' schemas; handlers only call the service.
import type { trainingCommands } from '../../shared/training.schema';
import type { TrainingService } from './training.service';
import type { HandlersFor } from '../handlerMap';

export type TrainingHandlers = HandlersFor<typeof trainingCommands>;

export function trainingHandlers(training: TrainingService): TrainingHandlers {
  return {
    'training.package': (req) => training.package(req),
    'training.start': ({ trainingId, command, adapterPath }) => training.start(trainingId, command, adapterPath),
    'training.cancel': ({ trainingId }) => ({ cancelled: training.cancel(trainingId) }),
    'training.list': () => training.list(),
    'training.get': ({ trainingId }) => training.get(trainingId),
  };
}
