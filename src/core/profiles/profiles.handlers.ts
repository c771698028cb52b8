// The session.whoami and profiles.* command handlers, spread into createCore's handler map. Inputs arrive
// parsed by the contract's schemas (today in guard.schema and datasets.schema); handlers only call the service.
import type { profilesCommands } from '../../shared/profiles.schema';
import type { ProfilesService } from './profiles.service';
import type { HandlersFor } from '../handlerMap';

export type ProfileHandlers = HandlersFor<typeof profilesCommands>;

export function profileHandlers(p: ProfilesService): ProfileHandlers {
  return {
    'session.whoami': () => p.whoami(),
    'profiles.list': () => p.list(),
    'profiles.create': ({ name, role }) => p.create(name, role),
    'profiles.setRole': ({ profileId, role }) => p.setRole(profileId, role),
    'profiles.issueToken': ({ profileId, expiresInDays }) => p.issueToken(profileId, expiresInDays),
    'profiles.links': () => p.links(),
    'profiles.revokeToken': ({ profileId }) => p.revokeToken(profileId),
    'profiles.rotateLaunchToken': () => p.rotateLaunchToken(),
  };
}
