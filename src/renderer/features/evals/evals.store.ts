// Evaluations: the create form, the evaluation shown (its progress from evals.progress, its results and
// the A/B comparison) and earlier evaluations to reopen. The core stores every cell; this store holds
// what the view shows.
import { create } from 'zustand';
import type { AssertionInput } from '../../../shared/assertions.schema';
import type { EvalComparison, EvalInfo, EvalProgress, EvalResults } from '../../../shared/evals.schema';
import type { ExtractionTemplate } from '../../../shared/extraction.schema';
import type { PromptInfo, PromptVersionSummary } from '../../../shared/prompts.schema';
import type { TestSetSummary } from '../../../shared/testsets.schema';
import { api } from '../../client/bridge';
import { toShownError, type ShownError } from '../../client/errors';
import { exportOrDownload, exportReady } from '../../ui/fileTransfer';
import type { AdapterUse } from '../../../shared/adapters.schema';
import type { RunTarget } from '../../../shared/runs.schema';
import { withAdapters } from '../../ui/targets/adapterTarget';
import { parseTargetKey } from '../../ui/targets/targetChoices';
import { targetListActions, type TargetListActions } from '../../ui/targets/targetList';
import { newAssertion, type AssertionType } from './assertions';
import type { EtaBase } from './evalEta';

export interface EvalForm {
  name: string;
  promptId: string;
  /** Picked versions in order: with two, the first is A (the user can swap them). */
  versionIds: string[];
  /** targetChoices keys ('' while unchosen). */
  targetKeys: string[];
  /** Aligned with targetKeys: LoRA adapters attached to a local target. */
  targetAdapters: AdapterUse[][];
  testSetId: string;
  assertions: AssertionInput[];
  /** Percent, '' for none. */
  minPassRate: string;
  /** A `fields` check's template schema goes with every case (the user may turn it off). */
  constrainOutput: boolean;
}

const emptyForm = (): EvalForm => ({ name: '', promptId: '', versionIds: [], targetKeys: [''], targetAdapters: [[]], testSetId: '', assertions: [newAssertion('regex')], minPassRate: '', constrainOutput: true });

export interface EvalsStore extends TargetListActions {
  prompts: PromptInfo[];
  versions: PromptVersionSummary[];
  testSets: TestSetSummary[];
  /** Extraction templates a `fields` check can be made from. */
  templates: ExtractionTemplate[];
  evals: EvalInfo[];
  loadError: ShownError | null;
  form: EvalForm;
  creating: boolean;
  createError: ShownError | null;

  current: EvalInfo | null;
  progress: EvalProgress | null;
  results: EvalResults | null;
  resultsError: ShownError | null;
  compareTargetKey: string;
  comparison: EvalComparison | null;
  compareError: ShownError | null;
  actionError: ShownError | null;
  exportPath: string;
  exportFormat: 'csv' | 'json';
  exportMessage: string | null;
  /** Where the current start of the shown evaluation began, for the time left. */
  etaBase: EtaBase | null;
  /** The A/B comparison with B as the baseline instead of A (the user's choice, not the pick order's). */
  swapAB: boolean;

  init(): Promise<void>;
  /** Makes the version picked as B the A of a two-version evaluation. */
  swapVersions(): void;
  setSwapAB(swap: boolean): Promise<void>;
  setForm(patch: Partial<EvalForm>): void;
  pickPrompt(promptId: string): Promise<void>;
  toggleVersion(versionId: string): void;
  addAssertion(type: AssertionType): void;
  updateAssertion(index: number, assertion: AssertionInput): void;
  /** Makes the `fields` check at index score (and constrain to) the template's fields. */
  pickTemplate(index: number, templateId: string): void;
  removeAssertion(index: number): void;
  createAndStart(): Promise<void>;
  open(evalId: string): Promise<void>;
  newEval(): void;
  cancel(): Promise<void>;
  resume(): Promise<void>;
  applyProgress(progress: EvalProgress): void;
  loadResults(): Promise<void>;
  setCompareTarget(key: string): Promise<void>;
  compare(): Promise<void>;
  setExport(patch: { exportPath?: string; exportFormat?: 'csv' | 'json' }): void;
  exportResults(): Promise<void>;
}

const RESULTS_REFRESH_MS = 1000;
let resultsTimer: ReturnType<typeof setTimeout> | null = null;

export const useEvalsStore = create<EvalsStore>()((set, get) => ({
  prompts: [],
  versions: [],
  testSets: [],
  templates: [],
  evals: [],
  loadError: null,
  form: emptyForm(),
  creating: false,
  createError: null,
  current: null,
  progress: null,
  results: null,
  resultsError: null,
  compareTargetKey: '',
  comparison: null,
  compareError: null,
  actionError: null,
  exportPath: '',
  exportFormat: 'csv',
  exportMessage: null,
  etaBase: null,
  swapAB: false,

  async init() {
    try {
      const [prompts, testSets, evals] = await Promise.all([api.invoke('prompts.list', {}), api.invoke('testsets.list', {}), api.invoke('evals.list', {})]);
      set({ prompts, testSets, evals, loadError: null });
      // Templates only feed the fields check's picker: without them the form still works.
      set({ templates: await api.invoke('extraction.list', {}).catch(() => []) });
    } catch (error) {
      set({ loadError: toShownError(error) });
    }
  },
  setForm: (patch) => set((s) => ({ form: { ...s.form, ...patch } })),
  async pickPrompt(promptId) {
    set((s) => ({ form: { ...s.form, promptId, versionIds: [] }, versions: [] }));
    if (!promptId) return;
    try {
      const got = await api.invoke('prompts.get', { promptId });
      // Newest two picked by default (older first as A): the usual "did my change help?" question.
      const newest = [...got.versions].sort((a, b) => b.number - a.number);
      const picked = newest.slice(0, 2).reverse().map((v) => v.id);
      set((s) => ({ versions: newest, form: { ...s.form, versionIds: picked } }));
    } catch (error) {
      set({ createError: toShownError(error) });
    }
  },
  swapVersions: () => set((s) => ({ form: { ...s.form, versionIds: [...s.form.versionIds].reverse() } })),
  async setSwapAB(swap) {
    set({ swapAB: swap });
    await get().compare();
  },
  toggleVersion: (versionId) =>
    set((s) => {
      const ids = s.form.versionIds.includes(versionId) ? s.form.versionIds.filter((v) => v !== versionId) : [...s.form.versionIds, versionId];
      return { form: { ...s.form, versionIds: ids } };
    }),
  ...targetListActions<EvalForm>(set),
  addAssertion: (type) => set((s) => ({ form: { ...s.form, assertions: [...s.form.assertions, newAssertion(type)] } })),
  updateAssertion: (index, assertion) => set((s) => ({ form: { ...s.form, assertions: s.form.assertions.map((a, i) => (i === index ? assertion : a)) } })),
  pickTemplate: (index, templateId) =>
    set((s) => {
      const t = s.templates.find((x) => x.id === templateId);
      if (!t) return {};
      return { form: { ...s.form, assertions: s.form.assertions.map((a, i) => (i === index && a.type === 'fields' ? { ...a, templateId: t.id, fields: t.fields } : a)) } };
    }),
  removeAssertion: (index) => set((s) => ({ form: { ...s.form, assertions: s.form.assertions.filter((_, i) => i !== index) } })),

  async createAndStart() {
    const f = get().form;
    const targets = f.targetKeys.flatMap((k, i): RunTarget[] => {
      const t = parseTargetKey(k);
      return t ? [withAdapters(t, f.targetAdapters[i] ?? [])] : [];
    });
    const pct = f.minPassRate.trim() === '' ? undefined : Number(f.minPassRate) / 100;
    if (!f.testSetId) return set({ createError: { code: 'BAD_INPUT', message: 'Choose a test set.' } });
    if (f.versionIds.length === 0) return set({ createError: { code: 'BAD_INPUT', message: 'Pick at least one prompt version.' } });
    if (pct !== undefined && !(pct >= 0 && pct <= 1)) return set({ createError: { code: 'BAD_INPUT', message: 'The minimum pass rate is a percent from 0 to 100.' } });
    set({ creating: true, createError: null });
    try {
      const info = await api.invoke('evals.create', {
        name: f.name.trim() || 'Evaluation',
        promptVersionIds: f.versionIds,
        targets,
        testSetId: f.testSetId,
        assertions: f.assertions,
        constrainOutput: f.constrainOutput,
        thresholds: pct === undefined ? {} : { minPassRate: pct },
      });
      set({ current: info, progress: null, results: null, comparison: null, compareTargetKey: '', exportMessage: null, actionError: null, swapAB: false, etaBase: { evalId: info.id, done: 0, at: Date.now() } });
      await api.invoke('evals.start', { evalId: info.id });
      // One status everywhere: once started it is running, in the list as in the detail (progress may have come first).
      const started: EvalInfo = { ...info, status: get().current?.id === info.id ? (get().progress?.status ?? 'running') : 'running' };
      set((s) => ({ evals: [started, ...s.evals.filter((e) => e.id !== info.id)], current: s.current?.id === info.id ? { ...s.current, status: started.status } : s.current }));
      void get().loadResults();
    } catch (error) {
      set({ createError: toShownError(error) });
    } finally {
      set({ creating: false });
    }
  },
  async open(evalId) {
    try {
      const info = await api.invoke('evals.get', { evalId });
      set({ current: info, progress: null, results: null, comparison: null, compareTargetKey: '', exportMessage: null, actionError: null, swapAB: false, etaBase: null });
      await get().loadResults();
    } catch (error) {
      set({ actionError: toShownError(error) });
    }
  },
  newEval: () => set({ current: null, progress: null, results: null, comparison: null }),
  async cancel() {
    const id = get().current?.id;
    if (!id) return;
    try {
      await api.invoke('evals.cancel', { evalId: id });
    } catch (error) {
      set({ actionError: toShownError(error) });
    }
  },
  async resume() {
    const id = get().current?.id;
    if (!id) return;
    try {
      set({ actionError: null, etaBase: { evalId: id, done: get().current?.stored ?? 0, at: Date.now() } });
      await api.invoke('evals.start', { evalId: id });
    } catch (error) {
      set({ actionError: toShownError(error) });
    }
  },
  applyProgress(progress) {
    // The list's entry follows every evaluation's progress, so it never says "pending" while it runs.
    set((s) => ({ evals: s.evals.map((e) => (e.id === progress.evalId && e.status !== progress.status ? { ...e, status: progress.status } : e)) }));
    const current = get().current;
    if (!current || current.id !== progress.evalId) return;
    const etaBase = get().etaBase?.evalId === progress.evalId ? get().etaBase : { evalId: progress.evalId, done: progress.done, at: Date.now() };
    set({ progress, etaBase, current: { ...current, status: progress.status } });
    if (progress.status !== 'running') {
      if (resultsTimer) clearTimeout(resultsTimer);
      resultsTimer = null;
      void get().loadResults();
    } else if (progress.done > (get().results?.eval.stored ?? -1) && !resultsTimer) {
      // Cells show as they finish: the results table reloads at most once a second while running.
      resultsTimer = setTimeout(() => {
        resultsTimer = null;
        void get().loadResults();
      }, RESULTS_REFRESH_MS);
    }
  },
  async loadResults() {
    const id = get().current?.id;
    if (!id) return;
    try {
      const results = await api.invoke('evals.results', { evalId: id });
      // The list shows each evaluation's status too: keep its entry in step.
      if (get().current?.id !== results.eval.id) return;
      // A progress event newer than this read keeps its status (the read may predate the last cell).
      const status = get().progress?.evalId === id ? (get().progress?.status ?? results.eval.status) : results.eval.status;
      const info = { ...results.eval, status };
      set((s) => ({ results, current: info, resultsError: null, evals: s.evals.map((e) => (e.id === info.id ? info : e)) }));
      if (results.eval.definition.promptVersionIds.length === 2) await get().compare();
    } catch (error) {
      set({ resultsError: toShownError(error) });
    }
  },
  async setCompareTarget(key) {
    set({ compareTargetKey: key });
    await get().compare();
  },
  async compare() {
    const r = get().results;
    if (!r) return;
    const [first, second] = r.eval.definition.promptVersionIds;
    const [versionA, versionB] = get().swapAB ? [second, first] : [first, second];
    if (!versionA || !versionB) return;
    const keys = [...new Set(r.eval.columns.map((c) => c.targetKey))];
    const key = get().compareTargetKey || (keys.length > 1 ? (keys[0] ?? '') : '');
    const target = key ? (r.eval.columns.find((c) => c.targetKey === key)?.target ?? null) : null;
    try {
      const comparison = await api.invoke('evals.compare', { evalId: r.eval.id, versionA, versionB, target });
      set({ comparison, compareError: null, compareTargetKey: key });
    } catch (error) {
      set({ comparison: null, compareError: toShownError(error) });
    }
  },
  setExport: (patch) => set(patch),
  async exportResults() {
    const id = get().current?.id;
    const { exportPath, exportFormat } = get();
    if (!id || !exportReady(exportPath)) return;
    try {
      const { out: r, downloads } = await exportOrDownload({
        purpose: 'eval',
        path: exportPath,
        fileName: `eval-${id}.${exportFormat}`,
        run: (path) => api.invoke('evals.export', { evalId: id, format: exportFormat, path }),
        files: (out) => [out.path],
      });
      const where = downloads.length ? `this browser's downloads (${downloads[0]?.name ?? ''})` : r.path;
      set({ exportMessage: `Wrote ${r.cells} cells (${r.bytes} bytes) to ${where}`, actionError: null });
    } catch (error) {
      set({ exportMessage: null, actionError: toShownError(error) });
    }
  },
}));
