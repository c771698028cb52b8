// The adapters.* command handlers.
import type { adaptersCommands } from '../../shared/adapters.schema';
import type { AdaptersService } from './adapters.service';
import type { HandlersFor } from '../handlerMap';

export type AdapterHandlers = HandlersFor<typeof adaptersCommands>;

export function adapterHandlers(service: AdaptersService): AdapterHandlers {
  return {
    'adapters.list': () => service.list(),
    'adapters.add': ({ path }) => service.add(path),
    'adapters.remove': ({ adapterId }) => ({ removed: service.remove(adapterId) }),
    'adapters.check': ({ adapterId, modelId }) => service.check(adapterId, modelId),
  };
}
