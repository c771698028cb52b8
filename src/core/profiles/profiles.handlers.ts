// The session.whoami and profiles.* command handlers, spread into createCore's handler map. Inputs arrive
// parsed by the contract's schemas (today in guard.schema and datasets.schema); handlers only call the service.
import type { z } from 'zod';
import type { profilesCommands } from '../../shared/profiles.schema';
import type { ProfilesService } from './profiles.service';

type ProfileCommands = typeof profilesCommands;
export type ProfileHandlers = {
  [N in keyof ProfileCommands]: (input: z.output<ProfileCommands[N]['input']>) => z.output<ProfileCommands[N]['output']> | Promise<z.output<ProfileCommands[N]['output']>>;
};

export function profileHandlers(p: ProfilesService): ProfileHandlers {
  return {
    'session.whoami': () => p.whoami(),
    'profiles.list': () => p.list(),
    'profiles.create': ({ name, role }) => p.create(name, role),
    'profiles.setRole': ({ profileId, role }) => p.setRole(profileId, role),
    'profiles.issueToken': ({ profileId }) => p.issueToken(profileId),
  };
}
