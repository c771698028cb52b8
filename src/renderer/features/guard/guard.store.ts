// The Guardrails view: the policy as stored and as being edited, the targets it names, profiles and roles,
// and the "try it" preview of custom PII rules.
import { create } from 'zustand';
import type { GuardPolicy, GuardPreview } from '../../../shared/guard.schema';
import type { Profile } from '../../../shared/profiles.schema';
import type { Role } from '../../../shared/roles';
import type { TargetInfo } from '../../../shared/targets.schema';
import { api } from '../../client/bridge';
import { toShownError, type ShownError } from '../../client/errors';

export interface IssuedLink {
  profileId: string;
  profileName: string;
  link: string;
  expiresAt: number;
}

interface GuardStore {
  saved: GuardPolicy | null;
  draft: GuardPolicy | null;
  loadError: ShownError | null;
  saving: boolean;
  saveError: ShownError | null;
  savedAt: number | null;
  targets: TargetInfo[];

  profiles: Profile[];
  profileError: ShownError | null;
  issued: IssuedLink | null;

  tryText: string;
  tryResult: GuardPreview | null;
  tryError: ShownError | null;

  load(): Promise<void>;
  edit(change: (p: GuardPolicy) => GuardPolicy): void;
  discard(): void;
  save(): Promise<boolean>;
  loadProfiles(): Promise<void>;
  createProfile(name: string, role: Role): Promise<boolean>;
  setRole(profileId: string, role: Role): Promise<void>;
  issueToken(profileId: string, expiresInDays?: number): Promise<void>;
  forgetIssued(): void;
  setTryText(text: string): void;
  runTry(): Promise<void>;
}

let trySeq = 0;

export const useGuardStore = create<GuardStore>()((set, get) => ({
  saved: null,
  draft: null,
  loadError: null,
  saving: false,
  saveError: null,
  savedAt: null,
  targets: [],
  profiles: [],
  profileError: null,
  issued: null,
  tryText: '',
  tryResult: null,
  tryError: null,

  async load() {
    try {
      const [policy, targets] = await Promise.all([api.invoke('guard.getPolicy', {}), api.invoke('targets.list', {})]);
      set({ saved: policy, draft: policy, targets, loadError: null });
    } catch (error) {
      set({ loadError: toShownError(error) });
    }
  },

  edit(change) {
    const { draft } = get();
    if (draft) set({ draft: change(draft), saveError: null, savedAt: null });
  },

  discard() {
    set({ draft: get().saved, saveError: null });
  },

  async save() {
    const { draft } = get();
    if (!draft) return false;
    set({ saving: true, saveError: null });
    try {
      const policy = await api.invoke('guard.setPolicy', { policy: draft });
      set({ saved: policy, draft: policy, saving: false, savedAt: Date.now() });
      return true;
    } catch (error) {
      set({ saving: false, saveError: toShownError(error) });
      return false;
    }
  },

  async loadProfiles() {
    try {
      set({ profiles: await api.invoke('profiles.list', {}), profileError: null });
    } catch (error) {
      set({ profileError: toShownError(error) });
    }
  },

  async createProfile(name, role) {
    try {
      const profile = await api.invoke('profiles.create', { name, role });
      set((s) => ({ profiles: [...s.profiles, profile], profileError: null }));
      return true;
    } catch (error) {
      set({ profileError: toShownError(error) });
      return false;
    }
  },

  async setRole(profileId, role) {
    try {
      const r = await api.invoke('profiles.setRole', { profileId, role });
      set((s) => ({ profiles: s.profiles.map((p) => (p.id === r.profileId ? { ...p, role: r.role } : p)), profileError: null }));
    } catch (error) {
      set({ profileError: toShownError(error) });
    }
  },

  async issueToken(profileId, expiresInDays) {
    try {
      const { token, expiresAt } = await api.invoke('profiles.issueToken', { profileId, expiresInDays });
      const profileName = get().profiles.find((p) => p.id === profileId)?.name ?? profileId;
      set({ issued: { profileId, profileName, link: `${window.location.origin}/?token=${encodeURIComponent(token)}`, expiresAt }, profileError: null });
    } catch (error) {
      set({ profileError: toShownError(error) });
    }
  },

  forgetIssued() {
    set({ issued: null });
  },

  setTryText(text) {
    set({ tryText: text });
  },

  async runTry() {
    const text = get().tryText;
    const seq = ++trySeq;
    if (!text.trim()) {
      set({ tryResult: null, tryError: null });
      return;
    }
    // A remote target shows masking as it would happen on egress; with none, the local policy answers.
    const remote = get().targets[0];
    try {
      const result = await api.invoke('guard.preview', {
        target: remote ? { kind: 'remote', targetId: remote.id } : { kind: 'local' },
        userMessage: text,
      });
      if (seq === trySeq) set({ tryResult: result, tryError: null });
    } catch (error) {
      if (seq === trySeq) set({ tryError: toShownError(error) });
    }
  },
}));
