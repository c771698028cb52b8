// Cost & latency: the run form, the run shown (its cells stream in from bench.progress), an earlier run to
// overlay, and cost profiles per target. The core stores runs and profiles; this store holds what the view
// shows. Profiles are edited here first (the charts follow at once) and saved a moment later.
import { create } from 'zustand';
import type { AdapterUse } from '../../../shared/adapters.schema';
import type { BenchProgress, BenchResult, BenchRun, CostProfile } from '../../../shared/bench.schema';
import type { CommandOutput } from '../../../shared/contract';
import type { DatasetSummary } from '../../../shared/datasets.schema';
import type { PromptInfo, PromptVersionSummary } from '../../../shared/prompts.schema';
import type { RunTarget } from '../../../shared/runs.schema';
import type { TestSetSummary } from '../../../shared/testsets.schema';
import { api } from '../../client/bridge';
import { toShownError, type ShownError } from '../../client/errors';
import { exportOrDownload, exportReady } from '../../ui/fileTransfer';
import { withAdapters } from '../../ui/targets/adapterTarget';
import { parseTargetKey } from '../../ui/targets/targetChoices';
import { targetListActions, type TargetListActions } from '../../ui/targets/targetList';
import { parseLoads, parseOptionalNumber } from './benchCharts';
import { emptyImageWorkload, imageWorkloadFromForm, type ImageWorkloadForm } from './imageWorkload';

export type BenchSummary = CommandOutput<'bench.list'>[number];
export type StoredProfile = CommandOutput<'costs.set'>;

export interface BenchForm extends ImageWorkloadForm {
  name: string;
  targetKeys: string[];
  targetAdapters: AdapterUse[][];
  workload: 'synthetic' | 'dataset' | 'testset' | 'images';
  inputLen: string;
  outputLen: string;
  datasetId: string;
  testSetId: string;
  promptId: string;
  promptVersionId: string;
  loadMode: 'concurrency' | 'rate';
  loadsText: string;
  maxConcurrency: string;
  warmup: string;
  requests: string;
  ttftMs: string;
  tpotMs: string;
  e2elMs: string;
}

const emptyForm = (): BenchForm => ({
  ...emptyImageWorkload(),
  name: '',
  targetKeys: [''],
  targetAdapters: [[]],
  workload: 'synthetic',
  inputLen: '128',
  outputLen: '64',
  datasetId: '',
  testSetId: '',
  promptId: '',
  promptVersionId: '',
  loadMode: 'concurrency',
  loadsText: '1, 2, 4',
  maxConcurrency: '',
  warmup: '2',
  requests: '50',
  ttftMs: '1000',
  tpotMs: '50',
  e2elMs: '',
});

const SAVE_DELAY_MS = 400;
const saveTimers = new Map<string, ReturnType<typeof setTimeout>>();

export interface BenchStore extends TargetListActions {
  runs: BenchSummary[];
  datasets: DatasetSummary[];
  testSets: TestSetSummary[];
  prompts: PromptInfo[];
  versions: PromptVersionSummary[];
  loadError: ShownError | null;
  form: BenchForm;
  starting: boolean;
  formError: ShownError | null;

  current: BenchRun | null;
  progress: BenchProgress | null;
  other: BenchRun | null;
  actionError: ShownError | null;

  profiles: Record<string, StoredProfile>;
  saving: string[];
  saveError: ShownError | null;
  callsPerMonth: number;
  latencyMetric: 'e2el' | 'ttft';

  exportPath: string;
  exportFiles: string[] | null;
  /** Browser host: the report's files as one-time download links (the HTML one is already saved). */
  exportDownloads: { name: string; url: string }[];

  init(): Promise<void>;
  setForm(patch: Partial<BenchForm>): void;
  pickPrompt(promptId: string): Promise<void>;
  start(): Promise<void>;
  cancel(): Promise<void>;
  open(benchId: string): Promise<void>;
  openOther(benchId: string): Promise<void>;
  newRun(): void;
  applyProgress(progress: BenchProgress): void;
  refreshList(): Promise<void>;
  setProfile(targetKey: string, label: string, profile: CostProfile): void;
  removeProfile(targetKey: string): Promise<void>;
  setCallsPerMonth(calls: number): void;
  setLatencyMetric(metric: 'e2el' | 'ttft'): void;
  setExportPath(path: string): void;
  exportReport(): Promise<void>;
}

/** The same (target, load) cell: a streamed result replaces an earlier copy of itself. */
function sameCell(a: BenchResult, b: BenchResult): boolean {
  return a.targetKey === b.targetKey && JSON.stringify(a.load) === JSON.stringify(b.load);
}

function bad(message: string): ShownError {
  return { code: 'BAD_INPUT', message };
}

export const useBenchStore = create<BenchStore>()((set, get) => ({
  runs: [],
  datasets: [],
  testSets: [],
  prompts: [],
  versions: [],
  loadError: null,
  form: emptyForm(),
  starting: false,
  formError: null,
  current: null,
  progress: null,
  other: null,
  actionError: null,
  profiles: {},
  saving: [],
  saveError: null,
  callsPerMonth: 100_000,
  latencyMetric: 'e2el',
  exportPath: '',
  exportFiles: null,
  exportDownloads: [],

  async init() {
    try {
      const [runs, profiles, datasets, testSets, prompts] = await Promise.all([
        api.invoke('bench.list', { limit: 100 }),
        api.invoke('costs.list', {}),
        api.invoke('datasets.list', {}),
        api.invoke('testsets.list', {}),
        api.invoke('prompts.list', {}),
      ]);
      // Edits not yet saved win over what the core returns.
      set((s) => ({ runs, datasets, testSets, prompts, loadError: null, profiles: { ...Object.fromEntries(profiles.map((p) => [p.targetKey, p])), ...pendingOnly(s) } }));
    } catch (error) {
      set({ loadError: toShownError(error) });
    }
  },
  setForm: (patch) => set((s) => ({ form: { ...s.form, ...patch } })),
  ...targetListActions<BenchForm>(set),
  async pickPrompt(promptId) {
    set((s) => ({ form: { ...s.form, promptId, promptVersionId: '' }, versions: [] }));
    if (!promptId) return;
    try {
      const got = await api.invoke('prompts.get', { promptId });
      const newest = [...got.versions].sort((a, b) => b.number - a.number);
      set((s) => ({ versions: newest, form: { ...s.form, promptVersionId: newest[0]?.id ?? '' } }));
    } catch (error) {
      set({ formError: toShownError(error) });
    }
  },

  async start() {
    const f = get().form;
    const targets = f.targetKeys.flatMap((k, i): { target: RunTarget }[] => {
      const t = parseTargetKey(k);
      return t ? [{ target: withAdapters(t, f.targetAdapters[i] ?? []) }] : [];
    });
    if (targets.length === 0) return set({ formError: bad('Choose at least one target.') });
    const maxC = parseOptionalNumber(f.maxConcurrency, 'Max concurrency', 1);
    if (!maxC.ok) return set({ formError: bad(maxC.message) });
    const loads = parseLoads(f.loadsText, f.loadMode, maxC.value);
    if (!loads.ok) return set({ formError: bad(loads.message) });
    const ints: Record<'inputLen' | 'outputLen' | 'warmup' | 'requests', number> = { inputLen: 0, outputLen: 0, warmup: 0, requests: 0 };
    for (const [key, label, min] of [['inputLen', 'Input tokens', 1], ['outputLen', 'Output tokens', 1], ['warmup', 'Warm-up requests', 0], ['requests', 'Requests', 1]] as const) {
      const n = Number(f[key]);
      if (!Number.isInteger(n) || n < min) return set({ formError: bad(`${label}: “${f[key]}” is not a whole number ≥ ${min}.`) });
      ints[key] = n;
    }
    const slo: Record<'ttftMs' | 'tpotMs' | 'e2elMs', number | null> = { ttftMs: null, tpotMs: null, e2elMs: null };
    for (const [key, label] of [['ttftMs', 'TTFT SLO'], ['tpotMs', 'TPOT SLO'], ['e2elMs', 'E2E SLO']] as const) {
      const v = parseOptionalNumber(f[key], label);
      if (!v.ok) return set({ formError: bad(v.message) });
      slo[key] = v.value;
    }
    let workload;
    if (f.workload === 'synthetic') workload = { kind: 'synthetic' as const, inputLen: ints.inputLen, outputLen: ints.outputLen };
    else if (f.workload === 'dataset') {
      if (!f.datasetId) return set({ formError: bad('Choose a dataset.') });
      workload = { kind: 'dataset' as const, datasetId: f.datasetId, outputLen: ints.outputLen };
    } else if (f.workload === 'images') {
      const w = imageWorkloadFromForm(f, ints.outputLen);
      if (!w.ok) return set({ formError: bad(w.message) });
      workload = w.workload;
    } else {
      if (!f.testSetId || !f.promptVersionId) return set({ formError: bad('Choose a test set and a prompt version.') });
      workload = { kind: 'testset' as const, testSetId: f.testSetId, promptVersionId: f.promptVersionId, outputLen: ints.outputLen };
    }
    set({ starting: true, formError: null });
    try {
      const name = f.name.trim() || `Benchmark ${new Date().toLocaleString('en-US', { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' })}`;
      const { benchId } = await api.invoke('bench.start', { name, targets, workload, loads: loads.loads, warmupRequests: ints.warmup, requests: ints.requests, slo });
      set({ other: null, exportFiles: null, actionError: null, progress: null });
      await get().open(benchId);
      await get().refreshList();
    } catch (error) {
      set({ formError: toShownError(error) });
    } finally {
      set({ starting: false });
    }
  },
  async cancel() {
    const id = get().current?.id;
    if (!id) return;
    try {
      await api.invoke('bench.cancel', { benchId: id });
    } catch (error) {
      set({ actionError: toShownError(error) });
    }
  },
  async open(benchId) {
    try {
      const run = await api.invoke('bench.get', { benchId });
      // Cells that streamed in while bench.get was on its way are kept.
      set((s) => {
        const streamed = s.current?.id === run.id ? s.current.results.filter((r) => !run.results.some((x) => sameCell(x, r))) : [];
        const progress = s.progress?.benchId === run.id ? s.progress : null;
        return { current: { ...run, results: [...run.results, ...streamed] }, progress, actionError: null, exportFiles: s.current?.id === run.id ? s.exportFiles : null, other: s.other?.id === run.id ? null : s.other };
      });
    } catch (error) {
      set({ actionError: toShownError(error) });
    }
  },
  async openOther(benchId) {
    if (!benchId) return set({ other: null });
    try {
      set({ other: await api.invoke('bench.get', { benchId }) });
    } catch (error) {
      set({ actionError: toShownError(error) });
    }
  },
  newRun: () => set({ current: null, progress: null, other: null, exportFiles: null }),
  applyProgress(progress) {
    const current = get().current;
    if (!current || current.id !== progress.benchId) {
      if (progress.state !== 'running' && progress.state !== 'pending') void get().refreshList();
      return;
    }
    const r = progress.result;
    const results = r ? [...current.results.filter((x) => !sameCell(x, r)), r] : current.results;
    set({ progress, current: { ...current, state: progress.state, results } });
    if (progress.state !== 'running' && progress.state !== 'pending') {
      void get().open(current.id);
      void get().refreshList();
    }
  },
  async refreshList() {
    try {
      set({ runs: await api.invoke('bench.list', { limit: 100 }) });
    } catch (error) {
      set({ loadError: toShownError(error) });
    }
  },
  setProfile(targetKey, label, profile) {
    set((s) => ({ profiles: { ...s.profiles, [targetKey]: { targetKey, label, profile, updatedAt: Date.now() } }, saving: s.saving.includes(targetKey) ? s.saving : [...s.saving, targetKey] }));
    const prior = saveTimers.get(targetKey);
    if (prior) clearTimeout(prior);
    saveTimers.set(
      targetKey,
      setTimeout(() => {
        saveTimers.delete(targetKey);
        void (async () => {
          const p = get().profiles[targetKey];
          if (!p) return;
          try {
            await api.invoke('costs.set', { targetKey, label: p.label, profile: p.profile });
            set({ saveError: null });
          } catch (error) {
            set({ saveError: toShownError(error) });
          } finally {
            if (!saveTimers.has(targetKey)) set((s) => ({ saving: s.saving.filter((k) => k !== targetKey) }));
          }
        })();
      }, SAVE_DELAY_MS),
    );
  },
  async removeProfile(targetKey) {
    const prior = saveTimers.get(targetKey);
    if (prior) clearTimeout(prior);
    saveTimers.delete(targetKey);
    set((s) => {
      const profiles = { ...s.profiles };
      delete profiles[targetKey];
      return { profiles, saving: s.saving.filter((k) => k !== targetKey) };
    });
    try {
      await api.invoke('costs.remove', { targetKey });
    } catch (error) {
      set({ saveError: toShownError(error) });
    }
  },
  setCallsPerMonth: (calls) => set({ callsPerMonth: calls }),
  setLatencyMetric: (metric) => set({ latencyMetric: metric }),
  setExportPath: (path) => set({ exportPath: path }),
  async exportReport() {
    const id = get().current?.id;
    const path = get().exportPath;
    if (!id || !exportReady(path)) return;
    try {
      const { out, downloads } = await exportOrDownload({
        purpose: 'bench',
        path,
        fileName: `bench-${id}.html`,
        run: (p) => api.invoke('bench.export', { benchId: id, path: p }),
        files: (o) => o.files,
      });
      set({ exportFiles: out.files, exportDownloads: downloads, actionError: null });
    } catch (error) {
      set({ exportFiles: null, exportDownloads: [], actionError: toShownError(error) });
    }
  },
}));

function pendingOnly(s: BenchStore): Record<string, StoredProfile> {
  return Object.fromEntries(s.saving.flatMap((k) => (s.profiles[k] ? [[k, s.profiles[k]]] : [])));
}

