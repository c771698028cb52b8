// The session.*, profiles.setRole/issueToken, guard.* and audit.* command handlers, spread into createCore's
// handler map. Inputs arrive parsed by guardCommands' schemas; handlers only call the service.
import type { z } from 'zod';
import type { guardCommands } from '../../shared/guard.schema';
import type { profilesCommands } from '../../shared/profiles.schema';
import type { GuardService } from './guard.service';

type GuardCommands = typeof guardCommands & Pick<typeof profilesCommands, 'session.whoami' | 'profiles.setRole' | 'profiles.issueToken'>;
export type GuardHandlers = {
  [N in keyof GuardCommands]: (input: z.output<GuardCommands[N]['input']>) => z.output<GuardCommands[N]['output']> | Promise<z.output<GuardCommands[N]['output']>>;
};

export function guardHandlers(g: GuardService): GuardHandlers {
  return {
    'session.whoami': () => g.whoami(),
    'profiles.setRole': ({ profileId, role }) => g.setRole(profileId, role),
    'profiles.issueToken': ({ profileId }) => g.issueToken(profileId),
    'guard.getPolicy': () => g.policy(),
    'guard.setPolicy': ({ policy }) => g.setPolicy(policy),
    'guard.preview': (input) => g.preview(input),
    'audit.list': ({ filter, limit, beforeSeq }) => g.audit.list(filter, limit, beforeSeq),
    'audit.verify': () => g.audit.verify(),
    'audit.export': ({ path, filter }) => g.audit.exportJsonl(path, filter),
  };
}
