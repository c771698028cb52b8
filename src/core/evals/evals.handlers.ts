// The evals.* command handlers, spread into createCore's handler map. Inputs arrive parsed by evalCommands'
// schemas (the transport boundary does that); handlers only call the service.
import type { EvalCommands } from '../../shared/evals.schema';
import type { EvalsService } from './evals.service';
import type { HandlersFor } from '../handlerMap';

export type EvalHandlers = HandlersFor<EvalCommands>;

export function evalHandlers(evals: EvalsService): EvalHandlers {
  return {
    'evals.create': (input) => evals.create(input),
    'evals.list': ({ limit }) => evals.list(limit),
    'evals.get': ({ evalId }) => evals.get(evalId),
    'evals.start': ({ evalId }) => evals.start(evalId),
    'evals.cancel': ({ evalId }) => ({ cancelled: evals.cancel(evalId) }),
    'evals.remove': ({ evalId }) => ({ removed: evals.remove(evalId) }),
    'evals.results': ({ evalId, offset, limit }) => evals.results(evalId, { offset, limit }),
    'evals.compare': ({ evalId, ...input }) => evals.compare(evalId, input),
    'evals.export': ({ evalId, format, path }) => evals.export(evalId, format, path),
  };
}
