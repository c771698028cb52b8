// The backup.* command handlers, spread into createCore's handler map; inputs arrive parsed by backupCommands.
import type { backupCommands } from '../../shared/backup.schema';
import type { BackupService } from './backup.service';
import type { HandlersFor } from '../handlerMap';

export type BackupHandlers = HandlersFor<typeof backupCommands>;

export function backupHandlers(b: BackupService): BackupHandlers {
  return {
    'backup.create': (input) => b.create(input),
    'backup.cancel': ({ backupId }) => ({ cancelled: b.cancel(backupId) }),
    'backup.restore': ({ path, keyPassphrase }) => b.stageRestore(path, keyPassphrase),
    'backup.status': () => b.status(),
    'backup.discardRestore': () => ({ discarded: b.discard() }),
  };
}
