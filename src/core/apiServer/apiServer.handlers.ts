// The apiServer.* command handlers: Lamplight's own OpenAI-compatible server for the loaded model.
import type { apiServerCommands } from '../../shared/apiServer.schema';
import type { ProfilesService } from '../profiles/profiles.service';
import type { HandlersFor } from '../handlerMap';
import type { ApiServerService } from './apiServer.service';

export function apiServerHandlers(d: { apiServer: ApiServerService; profiles: Pick<ProfilesService, 'setApiActor'> }): HandlersFor<typeof apiServerCommands> {
  const { apiServer, profiles } = d;
  return {
    'apiServer.status': () => apiServer.status(),
    'apiServer.start': (settings) => {
      // Requests to the server act as (and are audited under) the profile that started it.
      profiles.setApiActor();
      return apiServer.start(settings);
    },
    'apiServer.stop': () => apiServer.stop(),
    'apiServer.issueKey': (input) => apiServer.keys.issue(input),
    'apiServer.listKeys': () => apiServer.keys.list(),
    'apiServer.revokeKey': ({ keyId }) => apiServer.keys.revoke(keyId),
    'apiServer.usage': ({ since }) => apiServer.keys.usage(since),
  };
}
