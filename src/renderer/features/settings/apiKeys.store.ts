// Per-profile keys of the local API server: the list (apiServer.listKeys), this month's usage, issuing (the
// key is held only until dismissed), revoking, and the latest budget alert (apiServer.budgetAlert event).
import { create } from 'zustand';
import type { ApiBudgetAlert, ApiKeyInfo, ApiUsageRow } from '../../../shared/apiServer.schema';
import type { Profile } from '../../../shared/profiles.schema';
import { api } from '../../client/bridge';
import { toShownError, type ShownError } from '../../client/errors';

export interface IssueForm {
  profileId: string;
  name: string;
  rpm: string;
  tokensPerDay: string;
  budget: string;
  scope: 'inference' | 'metrics';
}

const EMPTY_FORM: IssueForm = { profileId: '', name: '', rpm: '', tokensPerDay: '', budget: '', scope: 'inference' };

/** Blank: no limit; otherwise a positive number (whole where `integer`), or the reason it is not. */
export function limitField(text: string, integer: boolean, label: string): number | null | string {
  const t = text.trim();
  if (!t) return null;
  const n = Number(t);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) return `${label} must be a positive ${integer ? 'whole number' : 'number'} (or blank: no limit)`;
  return n;
}

interface ApiKeysStore {
  keys: ApiKeyInfo[];
  usage: ApiUsageRow[];
  profiles: Profile[];
  loadError: ShownError | null;
  form: IssueForm;
  formError: string | null;
  busy: boolean;
  actionError: ShownError | null;
  /** The key from apiServer.issueKey: shown once, never fetched again. */
  issued: { key: string; info: ApiKeyInfo } | null;
  alert: ApiBudgetAlert | null;

  refresh(): Promise<void>;
  setForm(patch: Partial<IssueForm>): void;
  issue(): Promise<void>;
  revoke(keyId: string): Promise<void>;
  forgetKey(): void;
  applyAlert(alert: ApiBudgetAlert): void;
}

export const useApiKeysStore = create<ApiKeysStore>()((set, get) => ({
  keys: [],
  usage: [],
  profiles: [],
  loadError: null,
  form: EMPTY_FORM,
  formError: null,
  busy: false,
  actionError: null,
  issued: null,
  alert: null,

  async refresh() {
    try {
      const [keys, usage, profiles] = await Promise.all([api.invoke('apiServer.listKeys', {}), api.invoke('apiServer.usage', { since: null }), api.invoke('profiles.list', {})]);
      set((s) => ({ keys, usage, profiles, loadError: null, form: s.form.profileId ? s.form : { ...s.form, profileId: profiles[0]?.id ?? '' } }));
    } catch (error) {
      set({ loadError: toShownError(error) });
    }
  },

  setForm(patch) {
    set((s) => ({ form: { ...s.form, ...patch }, formError: null }));
  },

  async issue() {
    const { form, profiles, busy } = get();
    if (busy) return;
    const rpm = limitField(form.rpm, true, 'Requests per minute');
    const quota = limitField(form.tokensPerDay, true, 'Tokens per day');
    const budget = limitField(form.budget, false, 'Budget');
    const bad = [rpm, quota, budget].find((v) => typeof v === 'string');
    const profile = profiles.find((p) => p.id === form.profileId);
    if (!profile) return set({ formError: 'Choose the profile the key acts as' });
    if (typeof bad === 'string') return set({ formError: bad });
    set({ busy: true, actionError: null });
    try {
      const issued = await api.invoke('apiServer.issueKey', {
        profileId: profile.id, name: form.name.trim() || `${profile.name} key`, scope: form.scope,
        ratePerMinute: rpm as number | null, tokenQuota: quota as number | null, quotaPeriod: quota === null ? 'month' : 'day', budgetPerMonth: budget as number | null,
      });
      set({ busy: false, issued, form: { ...EMPTY_FORM, profileId: profile.id } });
      await get().refresh();
    } catch (error) {
      set({ busy: false, actionError: toShownError(error) });
    }
  },

  async revoke(keyId) {
    set({ busy: true, actionError: null });
    try {
      const info = await api.invoke('apiServer.revokeKey', { keyId });
      set((s) => ({ busy: false, keys: s.keys.map((k) => (k.id === info.id ? info : k)) }));
    } catch (error) {
      set({ busy: false, actionError: toShownError(error) });
    }
  },

  forgetKey() {
    set({ issued: null });
  },

  applyAlert(alert) {
    set({ alert });
    void get().refresh();
  },
}));
