// Compare: one prompt run on 2–8 columns at once. Holds the draft (prompt, variables, sampling, columns), the
// live lanes streaming from runs.chunk by run id, and the stored comparisons (compare.list / compare.get).
import { create } from 'zustand';
import { promptFieldsActions, type PromptFieldsActions, type PromptFieldsState } from '../../ui/prompt/promptFields';
import type { RunChunk } from '../../../shared/runs.schema';
import type { ComparisonSummary } from '../../../shared/compare.schema';
import type { RunRecord, RunTarget } from '../../../shared/runs.schema';
import { ulid } from '../../../shared/ids';
import { api } from '../../client/bridge';
import { toShownError, type ShownError } from '../../client/errors';
import { DEFAULT_PARAMS, toParamsForm } from '../../ui/prompt/params';
import { extractVariables, syncVariables } from '../../ui/prompt/variables';
import { buildCompareRequest, MAX_COLUMNS, MIN_COLUMNS } from './compareRequest';
import { emptyImageFields, imageFieldsActions, type ImageFieldsActions, type ImageFieldsState } from '../../ui/images/imageFields';
import type { AttachedImage } from '../../ui/images/imagePrompt';
import { imagesOfRun } from '../../ui/images/runImages';

export type ComparePhase = 'idle' | 'loading-model' | 'starting' | 'running' | 'finished';
export type CompareOutputMode = 'text' | 'markdown';

export interface CompareProblem {
  title: string;
  error: ShownError;
}

/** Loads the local model if needed; null when it is ready, else why not. */
export type EnsureLocalModel = (modelId: string) => Promise<CompareProblem | null>;

/** One column's run: what streamed so far, and the stored record once it finished. */
export interface Lane {
  runId: string;
  target: RunTarget;
  output: string;
  tokens: number;
  record: RunRecord | null;
  cancelling: boolean;
  cancelError: ShownError | null;
}

/** Prompt fields the Playground can hand over (through the shell), with its images when it has some. */
export type PromptHandover = Omit<PromptFieldsState, 'variableMemory'> & { images?: AttachedImage[]; imageSlots?: Record<string, AttachedImage> };

interface CompareStore extends PromptFieldsState, PromptFieldsActions, ImageFieldsState, ImageFieldsActions {
  /** Column choices, left to right; null = not chosen yet. */
  columns: (RunTarget | null)[];
  /** Aligned with columns: the run shown in each, or null. */
  lanes: (Lane | null)[];
  phase: ComparePhase;
  comparisonId: string | null;
  problem: CompareProblem | null;
  /** Set when the lanes came from a stored comparison. */
  reopened: { comparisonId: string; createdAt: number } | null;
  outputMode: CompareOutputMode;

  history: ComparisonSummary[];
  historyListed: boolean;
  historyLoading: boolean;
  historyError: ShownError | null;
  opening: string | null;
  openError: ShownError | null;

  setOutputMode(mode: CompareOutputMode): void;
  setProblem(problem: CompareProblem | null): void;
  importPrompt(p: PromptHandover): void;

  setColumn(index: number, target: RunTarget | null): void;
  addColumn(target?: RunTarget | null): void;
  removeColumn(index: number): void;
  /** Replaces every column (a scale sweep); clears the lanes shown under them. */
  setColumns(targets: readonly RunTarget[]): void;
  /** Fills unchosen columns with defaults (the loaded model first), without touching chosen ones. */
  fillColumns(defaults: readonly RunTarget[]): void;

  run(ensureLocalModel: EnsureLocalModel): Promise<void>;
  cancel(index: number): Promise<void>;
  cancelAll(): Promise<void>;
  applyChunk(chunk: RunChunk): void;
  applyFinished(record: RunRecord): void;

  refreshHistory(): Promise<void>;
  open(comparisonId: string): Promise<void>;
  newComparison(): void;
}

let historySeq = 0;

const busyPhase = (p: ComparePhase): boolean => p === 'loading-model' || p === 'starting' || p === 'running';

function laneFromRecord(record: RunRecord): Lane {
  const done = record.status === 'done';
  return { runId: record.id, target: record.target, output: record.output, tokens: record.completionTokens ?? 0, record: done ? record : null, cancelling: false, cancelError: null };
}

function allDone(lanes: readonly (Lane | null)[]): boolean {
  return lanes.every((l) => l === null || l.record !== null);
}

export const useCompareStore = create<CompareStore>()((set, get) => ({
  systemPrompt: '',
  userMessage: '',
  variables: {},
  variableMemory: {},
  params: toParamsForm(DEFAULT_PARAMS),
  schemaEnabled: false,
  schemaText: '{\n  "type": "object"\n}',
  ...emptyImageFields(),
  columns: [null, null],
  lanes: [null, null],
  phase: 'idle',
  comparisonId: null,
  problem: null,
  reopened: null,
  outputMode: 'text',
  history: [],
  historyListed: false,
  historyLoading: false,
  historyError: null,
  opening: null,
  openError: null,

  ...promptFieldsActions(set),
  ...imageFieldsActions(set),
  setOutputMode(mode) {
    set({ outputMode: mode });
  },
  setProblem(problem) {
    set({ problem });
  },
  importPrompt(p) {
    const names = extractVariables(p.systemPrompt, p.userMessage);
    const synced = syncVariables(names, p.variables, { ...get().variableMemory, ...p.variables });
    set({
      systemPrompt: p.systemPrompt,
      userMessage: p.userMessage,
      variables: synced.values,
      variableMemory: synced.memory,
      params: p.params,
      schemaEnabled: p.schemaEnabled,
      schemaText: p.schemaText,
      ...(p.images ? { images: p.images, imageSlots: { ...get().imageSlots, ...p.imageSlots }, imageError: null } : {}),
    });
  },

  setColumn(index, target) {
    if (busyPhase(get().phase)) return;
    set((s) => ({
      columns: s.columns.map((c, i) => (i === index ? target : c)),
      // A new choice no longer matches the run shown under it.
      lanes: s.lanes.map((l, i) => (i === index ? null : l)),
    }));
  },
  addColumn(target = null) {
    const s = get();
    if (busyPhase(s.phase) || s.columns.length >= MAX_COLUMNS) return;
    set({ columns: [...s.columns, target], lanes: [...s.lanes, null] });
  },
  removeColumn(index) {
    const s = get();
    if (busyPhase(s.phase) || s.columns.length <= MIN_COLUMNS) return;
    set({ columns: s.columns.filter((_, i) => i !== index), lanes: s.lanes.filter((_, i) => i !== index) });
  },
  setColumns(targets) {
    if (busyPhase(get().phase) || targets.length < MIN_COLUMNS) return;
    const columns = targets.slice(0, MAX_COLUMNS);
    set({ columns, lanes: columns.map(() => null), phase: 'idle', comparisonId: null, reopened: null, problem: null });
  },
  fillColumns(defaults) {
    const s = get();
    if (busyPhase(s.phase) || s.columns.every((c) => c !== null)) return;
    let next = 0;
    const columns = s.columns.map((c) => c ?? defaults[next++] ?? null);
    set({ columns });
  },

  async run(ensureLocalModel) {
    const s = get();
    if (busyPhase(s.phase)) return;
    const built = buildCompareRequest(s);
    if (!built.ok) {
      set({ problem: { title: 'Cannot compare yet', error: { code: null, message: built.message } } });
      return;
    }
    set({ phase: 'loading-model', problem: null, reopened: null, comparisonId: null, lanes: s.columns.map(() => null) });
    // With images a local column runs on the vision engine (Models → Vision): the text engine is not loaded.
    const withImages = (built.request.images?.length ?? 0) > 0 || Object.keys(built.request.imageVariables ?? {}).length > 0;
    if (built.localModelId && !withImages) {
      const notReady = await ensureLocalModel(built.localModelId);
      if (notReady) {
        set({ phase: 'idle', problem: notReady });
        return;
      }
    }
    // One id per column, ours before the core answers: chunks that overtake compare.start's reply already
    // find their lane.
    const runIds = built.request.columns.map(() => ulid());
    const lanes = built.request.columns.map((target, i): Lane => ({ runId: runIds[i] as string, target, output: '', tokens: 0, record: null, cancelling: false, cancelError: null }));
    set({ phase: 'starting', lanes });
    try {
      const { comparisonId } = await api.invoke('compare.start', { ...built.request, runIds });
      set({ comparisonId, phase: allDone(get().lanes) ? 'finished' : 'running' });
    } catch (error) {
      set({ phase: 'idle', lanes: s.columns.map(() => null), problem: { title: 'The comparison could not start', error: toShownError(error) } });
    }
  },

  async cancel(index) {
    const lane = get().lanes[index];
    // Until compare.start answers, the core may not know the run yet.
    if (!lane || lane.record || lane.cancelling || get().phase === 'starting') return;
    const patch = (p: Partial<Lane>): void => set((s) => ({ lanes: s.lanes.map((l) => (l && l.runId === lane.runId ? { ...l, ...p } : l)) }));
    patch({ cancelling: true, cancelError: null });
    try {
      await api.invoke('runs.cancel', { runId: lane.runId });
    } catch (error) {
      patch({ cancelling: false, cancelError: toShownError(error) });
    }
  },

  async cancelAll() {
    await Promise.all(get().lanes.map((_, i) => get().cancel(i)));
  },

  applyChunk(chunk) {
    const s = get();
    const i = s.lanes.findIndex((l) => l?.runId === chunk.runId);
    const lane = s.lanes[i];
    if (!lane || lane.record) return;
    const lanes = s.lanes.slice();
    lanes[i] = { ...lane, output: lane.output + chunk.text, tokens: lane.tokens + chunk.tokens };
    set({ lanes });
  },

  applyFinished(record) {
    const s = get();
    const i = s.lanes.findIndex((l) => l?.runId === record.id);
    const lane = s.lanes[i];
    if (!lane) return;
    const lanes = s.lanes.slice();
    // The record's output is the stored truth; a failed run keeps whatever streamed before the failure.
    lanes[i] = { ...lane, record, output: record.output || lane.output, tokens: record.completionTokens ?? lane.tokens, cancelling: false };
    const done = allDone(lanes);
    set({ lanes, phase: done && s.phase === 'running' ? 'finished' : s.phase });
    if (done && s.historyListed) void get().refreshHistory();
  },

  async refreshHistory() {
    const seq = ++historySeq;
    set({ historyLoading: true });
    try {
      const history = await api.invoke('compare.list', { limit: 100 });
      if (seq === historySeq) set({ history, historyListed: true, historyLoading: false, historyError: null });
    } catch (error) {
      if (seq === historySeq) set({ historyListed: true, historyLoading: false, historyError: toShownError(error) });
    }
  },

  async open(comparisonId) {
    if (busyPhase(get().phase)) return;
    set({ opening: comparisonId, openError: null });
    try {
      const { comparison, runs } = await api.invoke('compare.get', { comparisonId });
      const byId = new Map(runs.map((r) => [r.id, r]));
      const ordered = comparison.runIds.map((id) => byId.get(id) ?? null);
      const lanes = ordered.map((r) => (r ? laneFromRecord(r) : null));
      const names = extractVariables(comparison.systemPrompt, comparison.userMessage);
      const synced = syncVariables(names, comparison.variables, { ...get().variableMemory, ...comparison.variables });
      // Every column got the same images: the first stored run says which.
      const first = runs.find((r) => r.images?.length);
      const restored = first ? imagesOfRun(first) : { images: [], slots: {} };
      set({
        opening: null,
        images: restored.images,
        imageSlots: { ...get().imageSlots, ...restored.slots },
        imageError: null,
        systemPrompt: comparison.systemPrompt,
        userMessage: comparison.userMessage,
        variables: synced.values,
        variableMemory: synced.memory,
        params: toParamsForm(comparison.params),
        schemaEnabled: comparison.jsonSchema !== null,
        schemaText: comparison.jsonSchema ?? get().schemaText,
        columns: ordered.map((r) => r?.target ?? null),
        lanes,
        comparisonId: comparison.id,
        phase: allDone(lanes) ? 'finished' : 'running',
        problem: null,
        reopened: { comparisonId: comparison.id, createdAt: comparison.createdAt },
      });
    } catch (error) {
      set({ opening: null, openError: toShownError(error) });
    }
  },

  newComparison() {
    if (busyPhase(get().phase)) return;
    set((s) => ({ lanes: s.columns.map(() => null), phase: 'idle', comparisonId: null, reopened: null, problem: null }));
  },
}));

