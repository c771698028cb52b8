// The prompt.render and runs.* command handlers: start, cancel, list, read, search and remove runs.
import type { EventName, EventPayload } from '../../shared/contract';
import type { runsCommands } from '../../shared/runs.schema';
import type { AdaptersService } from '../adapters/adapters.service';
import type { HandlersFor } from '../handlerMap';
import type { RunRemoval } from './runRemoval';
import type { RunSearch } from './runSearch';
import type { RunsService } from './runs.service';

export function runsHandlers(d: { runs: RunsService; runSearch: RunSearch; adapters: AdaptersService; runRemoval: RunRemoval }): HandlersFor<typeof runsCommands> {
  const { runs, runSearch, adapters, runRemoval } = d;
  return {
    'prompt.render': (input) => runs.render(input),
    'runs.start': async (req) => {
      // Reads adapter files before the (synchronous) start, so a mismatch is refused here with its reason.
      if (req.target?.kind === 'local' && req.target.adapters?.length) await adapters.assertCompatible(req.target.adapters, req.target.modelId);
      // A remote target set to 'auto' is asked whether it takes images before the (synchronous) start decides.
      await runs.detectImages(req);
      return runs.start(req);
    },
    'runs.cancel': ({ runId }) => ({ cancelled: runs.cancel(runId) }),
    'runs.list': ({ limit, before }) => runs.list(limit, before),
    'runs.get': ({ runId }) => runs.get(runId),
    'runs.search': ({ query, limit }) => runSearch.search(query, limit),
    'runs.remove': (req) => runRemoval.remove(req),
  };
}

/** The profile that started the run an event is about (it sees its own run's events whatever its role). */
export function runEventOwner(runs: Pick<RunsService, 'ownerOf'>): (name: EventName, payload: unknown) => string | null {
  return (name, payload) => {
    if (name === 'runs.chunk') return runs.ownerOf((payload as EventPayload<'runs.chunk'>).runId);
    if (name === 'runs.finished') return runs.ownerOf((payload as EventPayload<'runs.finished'>).id);
    return null;
  };
}
