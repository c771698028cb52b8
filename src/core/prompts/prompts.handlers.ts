// The prompts.* command handlers, spread into createCore's handler map. Inputs arrive parsed by
// promptCommands' schemas (the transport boundary does that); handlers only call the service.
import type { PromptCommands } from '../../shared/prompts.schema';
import type { PromptsService } from './prompts.service';
import type { HandlersFor } from '../handlerMap';

export type PromptHandlers = HandlersFor<PromptCommands>;

export function promptHandlers(prompts: PromptsService): PromptHandlers {
  return {
    'prompts.list': () => prompts.list(),
    'prompts.create': (input) => prompts.create(input),
    'prompts.get': ({ promptId }) => prompts.get(promptId),
    'prompts.version': ({ versionId }) => prompts.version(versionId),
    'prompts.saveVersion': (input) => prompts.saveVersion(input),
    'prompts.diff': ({ fromVersionId, toVersionId }) => prompts.diff(fromVersionId, toVersionId),
    'prompts.restore': (input) => prompts.restore(input),
    'prompts.fork': (input) => prompts.fork(input),
    'prompts.setLabel': (input) => prompts.setLabel(input),
    'prompts.removeLabel': (input) => prompts.removeLabel(input),
    'prompts.labelHistory': (input) => prompts.labelHistory(input),
    'prompts.rename': (input) => prompts.rename(input),
    'prompts.remove': ({ promptId }) => ({ removed: prompts.remove(promptId) }),
    'prompts.render': ({ versionId, variables }) => prompts.render(versionId, variables),
  };
}
