// The adapters.* command handlers.
import type { z } from 'zod';
import type { adaptersCommands } from '../../shared/adapters.schema';
import type { AdaptersService } from './adapters.service';

type C = typeof adaptersCommands;
type Names = 'adapters.list' | 'adapters.add' | 'adapters.remove' | 'adapters.check';
export type AdapterHandlers = { [N in Names]: (input: z.output<C[N]['input']>) => z.output<C[N]['output']> | Promise<z.output<C[N]['output']>> };

export function adapterHandlers(service: AdaptersService): AdapterHandlers {
  return {
    'adapters.list': () => service.list(),
    'adapters.add': ({ path }) => service.add(path),
    'adapters.remove': ({ adapterId }) => ({ removed: service.remove(adapterId) }),
    'adapters.check': ({ adapterId, modelId }) => service.check(adapterId, modelId),
  };
}
