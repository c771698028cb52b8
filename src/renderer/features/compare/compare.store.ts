// Compare: one prompt run on 2–8 columns at once. Holds the draft (prompt, variables, sampling, columns), the
// live lanes streaming from runs.chunk by run id, and the stored comparisons (compare.list / compare.get).
import { create } from 'zustand';
import { promptFieldsActions, type PromptFieldsActions, type PromptFieldsState } from '../playground/promptFields';
import type { RunChunk } from '../../../shared/runs.schema';
import type { ComparisonSummary } from '../../../shared/compare.schema';
import type { RunRecord, RunTarget } from '../../../shared/runs.schema';
import { api } from '../../app/bridge';
import { toShownError, type ShownError } from '../../ui/errors';
import { DEFAULT_PARAMS, toParamsForm } from '../playground/params';
import { extractVariables, syncVariables } from '../playground/variables';
import { buildCompareRequest, MAX_COLUMNS, MIN_COLUMNS } from './compareRequest';

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

/** Prompt fields the Playground can hand over (through the shell). */
export type PromptHandover = Omit<PromptFieldsState, 'variableMemory'>;

interface CompareStore extends PromptFieldsState, PromptFieldsActions {
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

// Chunks and finish events may overtake compare.start's reply; hold them until the run ids are known.
const early = new Map<string, { text: string; tokens: number; finished: RunRecord | null }>();
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
    if (built.localModelId) {
      const notReady = await ensureLocalModel(built.localModelId);
      if (notReady) {
        set({ phase: 'idle', problem: notReady });
        return;
      }
    }
    early.clear();
    set({ phase: 'starting' });
    try {
      const { comparisonId, runIds } = await api.invoke('compare.start', built.request);
      const lanes = built.request.columns.map((target, i): Lane | null => {
        const runId = runIds[i];
        if (!runId) return null;
        const held = early.get(runId);
        return { runId, target, output: held?.text ?? '', tokens: held?.tokens ?? 0, record: null, cancelling: false, cancelError: null };
      });
      const finished = runIds.flatMap((id) => early.get(id)?.finished ?? []);
      early.clear();
      set({ comparisonId, lanes, phase: 'running' });
      for (const record of finished) get().applyFinished(record);
      if (get().phase === 'running' && allDone(get().lanes)) set({ phase: 'finished' });
    } catch (error) {
      early.clear();
      set({ phase: 'idle', problem: { title: 'The comparison could not start', error: toShownError(error) } });
    }
  },

  async cancel(index) {
    const lane = get().lanes[index];
    if (!lane || lane.record || lane.cancelling) return;
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
    if (s.phase === 'starting') {
      const held = early.get(chunk.runId) ?? { text: '', tokens: 0, finished: null };
      held.text += chunk.text;
      held.tokens += chunk.tokens;
      early.set(chunk.runId, held);
      return;
    }
    const i = s.lanes.findIndex((l) => l?.runId === chunk.runId);
    const lane = s.lanes[i];
    if (!lane || lane.record) return;
    const lanes = s.lanes.slice();
    lanes[i] = { ...lane, output: lane.output + chunk.text, tokens: lane.tokens + chunk.tokens };
    set({ lanes });
  },

  applyFinished(record) {
    const s = get();
    if (s.phase === 'starting') {
      const held = early.get(record.id) ?? { text: '', tokens: 0, finished: null };
      held.finished = record;
      early.set(record.id, held);
      return;
    }
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
      set({
        opening: null,
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

