// The backup.* command handlers, spread into createCore's handler map; inputs arrive parsed by backupCommands.
import type { z } from 'zod';
import type { backupCommands } from '../../shared/backup.schema';
import type { BackupService } from './backup.service';

type BackupCommands = typeof backupCommands;
export type BackupHandlers = {
  [N in keyof BackupCommands]: (input: z.output<BackupCommands[N]['input']>) => z.output<BackupCommands[N]['output']> | Promise<z.output<BackupCommands[N]['output']>>;
};

export function backupHandlers(b: BackupService): BackupHandlers {
  return {
    'backup.create': (input) => b.create(input),
    'backup.cancel': ({ backupId }) => ({ cancelled: b.cancel(backupId) }),
    'backup.restore': ({ path, keyPassphrase }) => b.stageRestore(path, keyPassphrase),
    'backup.status': () => b.status(),
    'backup.discardRestore': () => ({ discarded: b.discard() }),
  };
}
