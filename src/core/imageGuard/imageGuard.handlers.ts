// guard.previewImage, spread into createCore's handler map beside guard.* (the image policy itself is part
// of guard.getPolicy/setPolicy).
import type { imageGuardCommands } from '../../shared/guard.schema';
import type { HandlersFor } from '../handlerMap';
import type { ImageGuardService } from './imageGuard.service';

export function imageGuardHandlers(g: ImageGuardService): HandlersFor<typeof imageGuardCommands> {
  return {
    'guard.previewImage': (input) => g.previewImage(input),
  };
}
