// Who is using this window: the profile, its role and the commands it may call. The UI only hides what the
// core would refuse anyway; until whoami answers (or when it cannot), nothing is hidden.
import { create } from 'zustand';
import type { SessionInfo } from '../../shared/profiles.schema';
import type { CommandName } from '../../shared/contract';
import { COMMAND_PERMISSION, PERMISSION_LABEL } from '../../shared/roles';
import { toShownError, type ShownError } from './errors';
import { api } from './bridge';

interface SessionStore {
  info: SessionInfo | null;
  error: ShownError | null;
  load(): Promise<void>;
}

export const useSessionStore = create<SessionStore>()((set) => ({
  info: null,
  error: null,
  async load() {
    try {
      set({ info: await api.invoke('session.whoami', {}), error: null });
    } catch (error) {
      set({ error: toShownError(error) });
    }
  },
}));

/** Whether the session may call `command`; true while the session is unknown (the core decides then). */
export function allows(info: SessionInfo | null, command: CommandName): boolean {
  return info === null || info.allowed.includes(command);
}

/** The hook form: re-renders when the session changes. */
export function useCan(command: CommandName): boolean {
  return useSessionStore((s) => allows(s.info, command));
}

/** A tooltip for a control the role may not use: "Needs the permission to change policies, endpoints and profiles". */
export function missingPermission(command: CommandName): string {
  return `Your role cannot do this: it needs the permission to ${PERMISSION_LABEL[COMMAND_PERMISSION[command]]}.`;
}
