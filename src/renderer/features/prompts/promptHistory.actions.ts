// The History panel's actions: select and diff versions, move labels, restore and fork, render for the
// Playground. Part of the prompts store (one store per feature); split out because it is its own idea.
import type { StoreApi } from 'zustand';
import { api } from '../../client/bridge';
import { filledVariables } from '../../ui/prompt/variables';
import { draftFromContent } from './promptDraft';
import { authorOrDefault } from './profile';
import type { PromptsStore, StoreHelpers } from './prompts.store';
import { isDirty, withVariables, workspaceFrom } from './workspace';

type HistoryActions = Pick<
  PromptsStore,
  'selectVersion' | 'toggleDiffPick' | 'loadDiff' | 'setLabel' | 'removeLabel' | 'restore' | 'fork' | 'renderVersion'
>;

type HistoryState = Pick<PromptsStore, 'selectedVersionId' | 'diffPick' | 'diff' | 'diffLoading' | 'labelEvents' | 'problem'>;

/** Nothing selected, picked or diffed: how History starts for each prompt shown. */
export const noHistory = (): HistoryState => ({ selectedVersionId: null, diffPick: [], diff: null, diffLoading: false, labelEvents: [], problem: null });

export function historyActions(
  set: StoreApi<PromptsStore>['setState'],
  get: StoreApi<PromptsStore>['getState'],
  { parkCurrent, fail, afterChange }: StoreHelpers,
): HistoryActions {
  return {
    selectVersion(versionId) {
      set({ selectedVersionId: versionId });
    },

    toggleDiffPick(versionId) {
      set((s) => ({ diffPick: s.diffPick.includes(versionId) ? s.diffPick.filter((id) => id !== versionId) : [...s.diffPick, versionId].slice(-2) }));
    },

    async loadDiff() {
      const { diffPick, detail } = get();
      if (diffPick.length !== 2 || !detail) return;
      const number = (id: string): number => detail.versions.find((v) => v.id === id)?.number ?? 0;
      const [fromVersionId, toVersionId] = diffPick.slice().sort((a, b) => number(a) - number(b)) as [string, string];
      set({ diffLoading: true, problem: null });
      try {
        const diff = await api.invoke('prompts.diff', { fromVersionId, toVersionId });
        set({ diff, diffLoading: false });
      } catch (error) {
        set({ diffLoading: false });
        fail('Could not diff the versions', error);
      }
    },

    async setLabel(versionId, label) {
      const promptId = get().ws?.promptId;
      if (!promptId) return false;
      set({ busy: 'label', problem: null });
      try {
        await api.invoke('prompts.setLabel', { versionId, label, author: authorOrDefault(get().author) });
        set({ busy: null });
        await afterChange(promptId);
        return true;
      } catch (error) {
        fail(`Could not set the label "${label}"`, error);
        return false;
      }
    },

    async removeLabel(label) {
      const promptId = get().ws?.promptId;
      if (!promptId) return;
      set({ busy: 'label', problem: null });
      try {
        await api.invoke('prompts.removeLabel', { promptId, label, author: authorOrDefault(get().author) });
        set({ busy: null });
        await afterChange(promptId);
      } catch (error) {
        fail(`Could not remove the label "${label}"`, error);
      }
    },

    async restore(versionId, message) {
      const promptId = get().ws?.promptId;
      if (!promptId) return false;
      set({ busy: 'restore', problem: null });
      try {
        const version = await api.invoke('prompts.restore', { versionId, message, author: authorOrDefault(get().author) });
        // A clean working copy follows the new latest; unsaved edits stay (their save will report the conflict).
        set((s) => ({
          busy: null,
          selectedVersionId: version.id,
          ...(s.ws?.promptId === promptId && !isDirty(s.ws) ? withVariables(s, { ...s.ws, base: version, draft: draftFromContent(version.content) }) : {}),
        }));
        await afterChange(promptId);
        return true;
      } catch (error) {
        fail('Could not restore the version', error);
        return false;
      }
    },

    async fork(versionId, name) {
      set({ busy: 'fork', problem: null });
      try {
        const { prompt, version } = await api.invoke('prompts.fork', { versionId, name: name.trim(), message: '', author: authorOrDefault(get().author) });
        const parked = parkCurrent();
        set((s) => ({
          ...withVariables(s, workspaceFrom(prompt, version)),
          parked,
          detail: { prompt, versions: [version] },
          saveError: null,
          confirmRemove: false,
          ...noHistory(),
          selectedVersionId: version.id,
          busy: null,
          tab: 'editor',
        }));
        await afterChange(prompt.id);
        return true;
      } catch (error) {
        fail('Could not fork the prompt', error);
        return false;
      }
    },

    async renderVersion(versionId) {
      set({ busy: 'render', problem: null });
      try {
        const rendered = await api.invoke('prompts.render', { versionId, variables: filledVariables(get().variables) });
        set({ busy: null });
        return rendered;
      } catch (error) {
        fail('Could not render the version', error);
        return null;
      }
    },
  };
}
