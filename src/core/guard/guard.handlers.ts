// The guard.* and audit.* command handlers, spread into createCore's handler map (session.* and profiles.*
// are in core/profiles). Inputs arrive parsed by guardCommands' schemas; handlers only call the service.
import type { guardCommands } from '../../shared/guard.schema';
import type { GuardService } from './guard.service';
import type { HandlersFor } from '../handlerMap';

export type GuardHandlers = HandlersFor<typeof guardCommands>;

export function guardHandlers(g: GuardService): GuardHandlers {
  return {
    'guard.getPolicy': () => g.policy(),
    'guard.setPolicy': ({ policy }) => g.setPolicy(policy),
    'guard.preview': (input) => g.preview(input),
    'audit.list': ({ filter, limit, beforeSeq }) => g.audit.list(filter, limit, beforeSeq),
    'audit.verify': () => g.audit.verify(),
    'audit.export': ({ path, filter }) => g.audit.exportJsonl(path, filter),
  };
}
