// The compare.* command handlers: one prompt on several targets at once, stored to reopen.
import type { compareCommands } from '../../shared/compare.schema';
import type { HandlersFor } from '../handlerMap';
import type { CompareService } from './compare.service';

export function compareHandlers(compare: CompareService): HandlersFor<typeof compareCommands> {
  return {
    'compare.start': (req) => compare.start(req),
    'compare.list': ({ limit }) => compare.list(limit),
    'compare.get': ({ comparisonId }) => compare.get(comparisonId),
  };
}
