// The prompt library: the list (prompts.list), the selected prompt's working copy and the version it
// started from, its history (versions, labels, label moves, a diff) and the save form. SQLite holds the
// versions; this store holds the editor's text and what the views show.
import { create } from 'zustand';
import type { LabelEvent, PromptDiff, PromptInfo, PromptVersion, PromptVersionSummary, RenderedPromptVersion } from '../../../shared/prompts.schema';
import { api } from '../../client/bridge';
import { toShownError, type ShownError } from '../../client/errors';
import { historyActions, noHistory } from './promptHistory.actions';
import { checkDraft, emptyDraft, type PromptDraft } from './promptDraft';
import { authorOrDefault, loadAuthor, rememberAuthor } from './profile';
import { isDirty, keyOf, NEW_PROMPT, withVariables, without, workspaceFrom, type Workspace } from './workspace';

export { isDirty, NEW_PROMPT, type Workspace };

export type PromptsTab = 'editor' | 'history';

export interface PromptDetail {
  prompt: PromptInfo;
  /** Newest first. */
  versions: PromptVersionSummary[];
}

export interface ActionProblem {
  title: string;
  error: ShownError;
}

const FIX_FIELDS = 'Fix the fields marked in red first.';

export interface PromptsStore {
  prompts: PromptInfo[];
  listed: boolean;
  listLoading: boolean;
  listError: ShownError | null;
  query: string;

  ws: Workspace | null;
  /** Unsaved working copies of the prompts not shown now, by prompt id (NEW_PROMPT for a new one). */
  parked: Record<string, Workspace>;
  detail: PromptDetail | null;
  opening: string | null;
  openError: ShownError | null;
  tab: PromptsTab;

  variables: Record<string, string>;
  variableMemory: Record<string, string>;

  saveMessage: string;
  author: string;
  saving: boolean;
  saveError: ShownError | null;
  renaming: boolean;
  confirmRemove: boolean;
  removing: boolean;

  selectedVersionId: string | null;
  diffPick: string[];
  diff: PromptDiff | null;
  diffLoading: boolean;
  labelEvents: LabelEvent[];
  /** The history action running now: 'label', 'restore', 'fork', 'render'. */
  busy: string | null;
  problem: ActionProblem | null;

  refreshList(): Promise<void>;
  setQuery(query: string): void;
  setTab(tab: PromptsTab): void;
  select(promptId: string): Promise<void>;
  newPrompt(): void;
  setName(name: string): void;
  rename(): Promise<void>;
  updateDraft(edit: (d: PromptDraft) => PromptDraft): void;
  setVariable(name: string, value: string): void;
  setSaveMessage(text: string): void;
  setAuthor(name: string): void;
  save(): Promise<void>;
  clearSaveError(): void;
  reloadLatest(): Promise<void>;
  askRemove(on: boolean): void;
  remove(): Promise<void>;
  setProblem(problem: ActionProblem | null): void;

  selectVersion(versionId: string): void;
  toggleDiffPick(versionId: string): void;
  loadDiff(): Promise<void>;
  setLabel(versionId: string, label: string): Promise<boolean>;
  removeLabel(label: string): Promise<void>;
  restore(versionId: string, message: string): Promise<boolean>;
  fork(versionId: string, name: string): Promise<boolean>;
  /** prompts.render with the variable values typed in the editor; null (with problem set) on failure. */
  renderVersion(versionId: string): Promise<RenderedPromptVersion | null>;
}


/** Store helpers the history actions share with the rest of the store. */
export interface StoreHelpers {
  parkCurrent(): Record<string, Workspace>;
  fail(title: string, error: unknown): void;
  afterChange(promptId: string): Promise<void>;
}

let listSeq = 0;

export const usePromptsStore = create<PromptsStore>()((set, get) => {
  /** Keeps the shown working copy when it has unsaved changes, before another takes its place. */
  const parkCurrent = (): Record<string, Workspace> => {
    const { ws, parked } = get();
    return ws && isDirty(ws) ? { ...parked, [keyOf(ws)]: ws } : parked;
  };
  const showing = (promptId: string): boolean => get().ws?.promptId === promptId;
  const fail = (title: string, error: unknown): void => set({ busy: null, problem: { title, error: toShownError(error) } });

  const refreshDetail = async (promptId: string): Promise<{ prompt: PromptInfo; versions: PromptVersionSummary[]; latest: PromptVersion } | null> => {
    const got = await api.invoke('prompts.get', { promptId });
    if (!showing(promptId)) return null;
    set({ detail: { prompt: got.prompt, versions: got.versions } });
    return got;
  };
  const refreshLabelEvents = async (promptId: string): Promise<void> => {
    try {
      const labelEvents = await api.invoke('prompts.labelHistory', { promptId, limit: 100 });
      if (showing(promptId)) set({ labelEvents });
    } catch (error) {
      if (showing(promptId)) fail('Could not list the label history', error);
    }
  };
  /** After a change in the core: this prompt's history and the library list. */
  const afterChange = async (promptId: string): Promise<void> => {
    await Promise.all([refreshDetail(promptId).catch((e: unknown) => fail('Could not reload the prompt', e)), get().refreshList(), refreshLabelEvents(promptId)]);
  };

  return {
    prompts: [],
    listed: false,
    listLoading: false,
    listError: null,
    query: '',
    ws: null,
    parked: {},
    detail: null,
    opening: null,
    openError: null,
    tab: 'editor',
    variables: {},
    variableMemory: {},
    saveMessage: '',
    author: loadAuthor(),
    saving: false,
    saveError: null,
    renaming: false,
    confirmRemove: false,
    removing: false,
    ...noHistory(),
    busy: null,

    async refreshList() {
      const seq = ++listSeq;
      set({ listLoading: true });
      try {
        const prompts = await api.invoke('prompts.list', {});
        if (seq === listSeq) set({ prompts, listed: true, listLoading: false, listError: null });
      } catch (error) {
        if (seq === listSeq) set({ listed: true, listLoading: false, listError: toShownError(error) });
      }
    },

    setQuery(query) {
      set({ query });
    },
    setTab(tab) {
      set({ tab });
    },

    async select(promptId) {
      const s = get();
      if (s.saving || (s.ws?.promptId === promptId && s.detail)) return;
      const parked = parkCurrent();
      const restored = parked[promptId] ?? null;
      set((cur) => ({
        ...withVariables(cur, restored),
        parked: without(parked, promptId),
        detail: null,
        opening: promptId,
        openError: null,
        saveError: null,
        confirmRemove: false,
        ...noHistory(),
      }));
      try {
        const got = await api.invoke('prompts.get', { promptId });
        if (get().opening !== promptId) return;
        set((cur) => ({
          ...withVariables(cur, cur.ws ?? workspaceFrom(got.prompt, got.latest)),
          opening: null,
          detail: { prompt: got.prompt, versions: got.versions },
          selectedVersionId: got.latest.id,
        }));
        void refreshLabelEvents(promptId);
      } catch (error) {
        if (get().opening === promptId) set({ opening: null, openError: toShownError(error) });
      }
    },

    newPrompt() {
      if (get().saving) return;
      const parked = parkCurrent();
      const ws = parked[NEW_PROMPT] ?? { promptId: null, name: '', base: null, draft: emptyDraft() };
      set((cur) => ({
        ...withVariables(cur, ws),
        parked: without(parked, NEW_PROMPT),
        detail: null,
        opening: null,
        openError: null,
        saveError: null,
        confirmRemove: false,
        tab: 'editor',
        ...noHistory(),
      }));
    },

    setName(name) {
      set((s) => (s.ws ? { ws: { ...s.ws, name } } : {}));
    },

    async rename() {
      const { ws, detail } = get();
      if (!ws?.promptId || !detail || ws.name.trim() === detail.prompt.name) return;
      const promptId = ws.promptId;
      set({ renaming: true, saveError: null });
      try {
        const prompt = await api.invoke('prompts.rename', { promptId, name: ws.name.trim() });
        set((s) => ({
          renaming: false,
          ws: s.ws?.promptId === promptId ? { ...s.ws, name: prompt.name } : s.ws,
          detail: s.detail?.prompt.id === promptId ? { ...s.detail, prompt } : s.detail,
        }));
        void get().refreshList();
      } catch (error) {
        set({ renaming: false, saveError: toShownError(error) });
      }
    },

    updateDraft(edit) {
      set((s) => {
        if (!s.ws) return {};
        const draft = edit(s.ws.draft);
        if (draft === s.ws.draft) return {};
        // "Fix the fields" is about the draft as it was; any edit makes it stale.
        return { ...withVariables(s, { ...s.ws, draft }), ...(s.saveError?.message === FIX_FIELDS ? { saveError: null } : {}) };
      });
    },

    setVariable(name, value) {
      set((s) => ({ variables: { ...s.variables, [name]: value } }));
    },
    setSaveMessage(text) {
      set({ saveMessage: text });
    },
    setAuthor(name) {
      rememberAuthor(name);
      set({ author: name });
    },

    async save() {
      const s = get();
      const ws = s.ws;
      if (!ws || s.saving) return;
      const check = checkDraft(ws.draft);
      if (ws.promptId === null && !ws.name.trim()) {
        set({ saveError: { code: 'BAD_INPUT', message: 'Give the prompt a name first.' } });
        return;
      }
      if (!check.ok) {
        set({ saveError: { code: 'BAD_INPUT', message: FIX_FIELDS } });
        return;
      }
      const author = authorOrDefault(s.author);
      set({ saving: true, saveError: null });
      try {
        if (ws.promptId === null || !ws.base) {
          const { prompt, version } = await api.invoke('prompts.create', { name: ws.name.trim(), content: check.content, message: s.saveMessage, author });
          set((cur) => ({
            saving: false,
            saveMessage: '',
            ws: { ...(cur.ws ?? ws), promptId: prompt.id, name: prompt.name, base: version },
            detail: { prompt, versions: [version] },
            selectedVersionId: version.id,
          }));
          await afterChange(prompt.id);
        } else {
          const promptId = ws.promptId;
          const version = await api.invoke('prompts.saveVersion', { promptId, parentId: ws.base.id, content: check.content, message: s.saveMessage, author });
          // Typing during the save stays in the draft; only the parent moves.
          set((cur) => ({ saving: false, saveMessage: '', ws: cur.ws ? { ...cur.ws, base: version } : cur.ws, selectedVersionId: version.id, diff: null }));
          await afterChange(promptId);
        }
      } catch (error) {
        set({ saving: false, saveError: toShownError(error) });
        // A refused save usually means the library moved on elsewhere: show where it is now.
        if (ws.promptId && toShownError(error).code === 'CONFLICT') await afterChange(ws.promptId);
      }
    },

    clearSaveError() {
      set({ saveError: null });
    },

    async reloadLatest() {
      const promptId = get().ws?.promptId;
      if (!promptId) return;
      try {
        const got = await refreshDetail(promptId);
        if (!got) return;
        set((cur) => ({ ...withVariables(cur, workspaceFrom(got.prompt, got.latest)), saveError: null, selectedVersionId: got.latest.id }));
        void get().refreshList();
      } catch (error) {
        set({ saveError: toShownError(error) });
      }
    },

    askRemove(on) {
      set({ confirmRemove: on });
    },

    async remove() {
      const ws = get().ws;
      if (!ws) return;
      if (!ws.promptId) {
        set({ ws: null, confirmRemove: false, parked: without(get().parked, NEW_PROMPT) });
        return;
      }
      const promptId = ws.promptId;
      set({ removing: true });
      try {
        await api.invoke('prompts.remove', { promptId });
        set((s) => ({ removing: false, confirmRemove: false, ws: s.ws?.promptId === promptId ? null : s.ws, detail: null, parked: without(s.parked, promptId), ...noHistory() }));
        void get().refreshList();
      } catch (error) {
        set({ removing: false });
        fail('Could not remove the prompt', error);
      }
    },

    setProblem(problem) {
      set({ problem });
    },

    ...historyActions(set, get, { parkCurrent, fail, afterChange }),
  };
});
