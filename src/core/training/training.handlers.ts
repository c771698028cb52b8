// The training.* command handlers, spread into createCore's handler map. Inputs arrive parsed by
// trainingCommands' schemas; handlers only call the service.
import type { z } from 'zod';
import type { trainingCommands } from '../../shared/training.schema';
import type { TrainingService } from './training.service';

type C = typeof trainingCommands;
type Names = 'training.package' | 'training.start' | 'training.cancel' | 'training.list' | 'training.get';
export type TrainingHandlers = { [N in Names]: (input: z.output<C[N]['input']>) => z.output<C[N]['output']> | Promise<z.output<C[N]['output']>> };

export function trainingHandlers(training: TrainingService): TrainingHandlers {
  return {
    'training.package': (req) => training.package(req),
    'training.start': ({ trainingId, command, adapterPath }) => training.start(trainingId, command, adapterPath),
    'training.cancel': ({ trainingId }) => ({ cancelled: training.cancel(trainingId) }),
    'training.list': () => training.list(),
    'training.get': ({ trainingId }) => training.get(trainingId),
  };
}
