// Access links beside the profiles: each link's state and expiry, where it was last used from, revocation.
import { create } from 'zustand';
import type { AccessLink } from '../../../shared/profiles.schema';
import { api } from '../../client/bridge';
import { toShownError, type ShownError } from '../../client/errors';

interface AccessLinksStore {
  links: Record<string, AccessLink>;
  error: ShownError | null;
  load(): Promise<void>;
  revoke(profileId: string): Promise<void>;
}

export const useAccessLinksStore = create<AccessLinksStore>()((set) => ({
  links: {},
  error: null,

  async load() {
    try {
      const list = await api.invoke('profiles.links', {});
      set({ links: Object.fromEntries(list.map((l) => [l.profileId, l])), error: null });
    } catch (error) {
      set({ error: toShownError(error) });
    }
  },

  async revoke(profileId) {
    try {
      const link = await api.invoke('profiles.revokeToken', { profileId });
      set((s) => ({ links: { ...s.links, [profileId]: link }, error: null }));
    } catch (error) {
      set({ error: toShownError(error) });
    }
  },
}));
