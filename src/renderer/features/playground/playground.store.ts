// The Playground: prompt texts, variables, sampling form, the rendered prompt and the current run's stream.
import { create } from 'zustand';
import { promptFieldsActions, type PromptFieldsActions, type PromptFieldsState } from '../../ui/prompt/promptFields';
import type { RunChunk } from '../../../shared/runs.schema';
import type { RenderedPrompt, RunRecord, RunTarget, SamplingParams } from '../../../shared/runs.schema';
import { ulid } from '../../../shared/ids';
import { api } from '../../client/bridge';
import { toShownError, type ShownError } from '../../client/errors';
import { DEFAULT_PARAMS, toParamsForm } from '../../ui/prompt/params';
import { buildRunRequest } from './runRequest';
import { extractVariables, filledVariables, syncVariables } from '../../ui/prompt/variables';
import type { RunProblem } from '../../client/modelLoading';
import { emptyImageFields, imageFieldsActions, type ImageFieldsActions, type ImageFieldsState } from '../../ui/images/imageFields';
import { imageRequestFields, type Acceptance } from '../../ui/images/imagePrompt';
import { imagesOfRun } from '../../ui/images/runImages';
import { loadDraft, saveDraft } from './playgroundDraft';

export type RunPhase = 'idle' | 'loading-model' | 'starting' | 'streaming' | 'finished';
export type OutputMode = 'markdown' | 'raw';

/** A prompt-library version rendered for the Playground; the shell hands it over. */
export interface PromptHandover {
  systemPrompt: string;
  userMessage: string;
  variables: Record<string, string>;
  params: SamplingParams;
  jsonSchema: string | null;
  /** null keeps the Playground's current choice. */
  target: RunTarget | null;
  source: { promptName: string; versionNumber: number; versionId?: string };
}

/** Loads the model if needed; resolves null when it is ready, or the reason it is not. */
export type { RunProblem };
export type EnsureModel = (modelId: string) => Promise<RunProblem | null>;

interface PlaygroundStore extends PromptFieldsState, PromptFieldsActions, ImageFieldsState, ImageFieldsActions {
  /** Where Run sends the prompt: a local library model or a remote target · model. */
  target: RunTarget | null;

  rendered: RenderedPrompt | null;
  renderError: ShownError | null;
  rendering: boolean;

  phase: RunPhase;
  runId: string | null;
  output: string;
  streamedTokens: number;
  /** The finished run (metrics, stop reason); null while streaming. */
  record: RunRecord | null;
  problem: RunProblem | null;
  /** Set when the shown run came from History rather than from pressing Run. */
  reopened: { modelName: string; startedAt: number } | null;
  /** Set when the prompt texts came from the prompt library, with the texts as they arrived. */
  fromPrompt: (PromptHandover['source'] & { systemPrompt: string; userMessage: string }) | null;
  outputMode: OutputMode;

  setTarget(target: RunTarget | null): void;
  setOutputMode(mode: OutputMode): void;
  setProblem(problem: RunProblem | null): void;
  render(): Promise<void>;
  /** acceptance: whether the chosen target takes images (the view knows the targets and their checks). */
  run(ensureModel: EnsureModel, acceptance?: Acceptance): Promise<void>;
  cancel(): Promise<void>;
  applyChunk(chunk: RunChunk): void;
  applyFinished(record: RunRecord): void;
  openRun(record: RunRecord): void;
  openPrompt(p: PromptHandover): void;
}

const DEFAULT_SCHEMA = `{
  "type": "object",
  "properties": {
    "answer": { "type": "string" }
  },
  "required": ["answer"]
}`;

let renderSeq = 0;

// A reload of the tab keeps what was being written, images included (by hash; the files stay in the store).
const draft = loadDraft();

/** The local model a target names; token counts and chat templates need one. */
export function localModelId(target: RunTarget | null): string | null {
  return target?.kind === 'local' ? target.modelId : null;
}

export const usePlaygroundStore = create<PlaygroundStore>()((set, get) => ({
  target: null,
  systemPrompt: draft?.systemPrompt ?? '',
  userMessage: draft?.userMessage ?? '',
  variables: draft?.variables ?? {},
  variableMemory: {},
  params: toParamsForm(DEFAULT_PARAMS),
  schemaEnabled: false,
  schemaText: DEFAULT_SCHEMA,
  ...emptyImageFields(),
  ...(draft ? { images: draft.images, imageSlots: draft.imageSlots } : {}),
  rendered: null,
  renderError: null,
  rendering: false,
  phase: 'idle',
  runId: null,
  output: '',
  streamedTokens: 0,
  record: null,
  problem: null,
  reopened: null,
  fromPrompt: null,
  outputMode: 'markdown',

  setTarget(target) {
    set({ target });
  },
  ...promptFieldsActions(set),
  ...imageFieldsActions(set),
  setOutputMode(mode) {
    set({ outputMode: mode });
  },
  setProblem(problem) {
    set({ problem });
  },

  async render() {
    const { systemPrompt, userMessage, variables, target, images, imageSlots } = get();
    const modelId = localModelId(target);
    const seq = ++renderSeq;
    set({ rendering: true });
    try {
      const { missing: _missing, ...imageFields } = imageRequestFields(images, imageSlots, [userMessage]);
      // target: a remote target's pixel budget drives the image estimates (a field the runs feature adds to
      // prompt.render; a core without it ignores it).
      const input = { systemPrompt, userMessage, variables: filledVariables(variables), modelId, ...imageFields, target: target?.kind === 'remote' ? target : null };
      const rendered = await api.invoke('prompt.render', input);
      if (seq === renderSeq) set({ rendered, renderError: null, rendering: false });
    } catch (error) {
      if (seq === renderSeq) set({ renderError: toShownError(error), rendering: false });
    }
  },

  async run(ensureModel, acceptance) {
    const s = get();
    if (s.phase === 'loading-model' || s.phase === 'starting' || s.phase === 'streaming') return;
    // A version opened from the library and run as it is names itself in the audit log.
    const unedited = s.fromPrompt !== null && s.systemPrompt === s.fromPrompt.systemPrompt && s.userMessage === s.fromPrompt.userMessage;
    const built = buildRunRequest({ ...s, acceptance, promptVersionId: unedited ? (s.fromPrompt?.versionId ?? null) : null });
    if (!built.ok) {
      set({ problem: { title: 'Cannot run yet', error: { code: null, message: built.message } } });
      return;
    }
    set({ phase: 'loading-model', problem: null, record: null, output: '', streamedTokens: 0, runId: null, reopened: null });
    // A local run with images goes to the vision engine (Models → Vision), not the text engine: no load here.
    const withImages = (built.request.images?.length ?? 0) > 0 || Object.keys(built.request.imageVariables ?? {}).length > 0;
    const notReady = built.request.modelId && !withImages ? await ensureModel(built.request.modelId) : null;
    if (notReady) {
      set({ phase: 'idle', problem: notReady });
      return;
    }
    // The id is ours before the core answers, so chunks that overtake the runs.start reply already match it.
    const runId = ulid();
    set({ runId, phase: 'starting' });
    try {
      await api.invoke('runs.start', { ...built.request, runId });
      // The run may already have finished while the reply travelled.
      if (get().runId === runId && get().phase === 'starting') set({ phase: 'streaming' });
    } catch (error) {
      set({ runId: null, phase: 'idle', problem: { title: 'The run could not start', error: toShownError(error) } });
    }
  },

  async cancel() {
    const { runId, phase } = get();
    if (!runId || phase !== 'streaming') return;
    try {
      await api.invoke('runs.cancel', { runId });
    } catch (error) {
      set({ problem: { title: 'Could not stop the run', error: toShownError(error) } });
    }
  },

  applyChunk(chunk) {
    const s = get();
    if (chunk.runId !== s.runId || (s.phase !== 'starting' && s.phase !== 'streaming')) return;
    set({ output: s.output + chunk.text, streamedTokens: s.streamedTokens + chunk.tokens });
  },

  applyFinished(record) {
    const s = get();
    if (record.id !== s.runId) return;
    // The record's output is the stored truth; streamed deltas were a preview of it.
    const problem: RunProblem | null = record.error
      ? {
          title: record.stopReason === 'crash' ? 'The engine crashed during the run' : record.stopReason === 'blocked' ? 'The output was blocked by policy' : 'The run failed',
          error: { code: record.stopReason === 'blocked' ? 'BLOCKED' : null, message: record.error },
        }
      : null;
    // A blocked reply is withheld: what streamed before the verdict goes too.
    const output = record.stopReason === 'blocked' ? record.output : record.output || s.output;
    set({ phase: 'finished', record, output, problem });
  },

  openRun(record) {
    const names = extractVariables(record.systemPrompt, record.userMessage);
    const memory = { ...get().variableMemory, ...record.variables };
    const synced = syncVariables(names, record.variables, memory);
    const done = record.status === 'done';
    const restored = imagesOfRun(record);
    set({
      images: restored.images,
      imageSlots: { ...get().imageSlots, ...restored.slots },
      imageError: null,
      target: record.target,
      systemPrompt: record.systemPrompt,
      userMessage: record.userMessage,
      variables: synced.values,
      variableMemory: synced.memory,
      params: toParamsForm(record.params),
      schemaEnabled: record.jsonSchema != null,
      schemaText: record.jsonSchema ?? get().schemaText,
      phase: done ? 'finished' : 'streaming',
      runId: record.id,
      output: record.output,
      streamedTokens: record.completionTokens ?? 0,
      record: done ? record : null,
      problem: record.error ? { title: 'This run failed', error: { code: null, message: record.error } } : null,
      reopened: { modelName: record.modelName, startedAt: record.startedAt },
      fromPrompt: null,
    });
  },

  openPrompt(p) {
    const s = get();
    const names = extractVariables(p.systemPrompt, p.userMessage);
    const synced = syncVariables(names, p.variables, { ...s.variableMemory, ...p.variables });
    const busy = s.phase === 'loading-model' || s.phase === 'starting' || s.phase === 'streaming';
    set({
      target: p.target ?? s.target,
      systemPrompt: p.systemPrompt,
      userMessage: p.userMessage,
      variables: synced.values,
      variableMemory: synced.memory,
      params: toParamsForm(p.params),
      schemaEnabled: p.jsonSchema !== null,
      schemaText: p.jsonSchema ?? s.schemaText,
      fromPrompt: { ...p.source, systemPrompt: p.systemPrompt, userMessage: p.userMessage },
      // A run in progress keeps streaming into its output; otherwise the old output no longer belongs here.
      ...(busy ? {} : { phase: 'idle' as const, runId: null, output: '', streamedTokens: 0, record: null, problem: null, reopened: null }),
    });
  },
}));

let draftTimer: ReturnType<typeof setTimeout> | null = null;
usePlaygroundStore.subscribe((s, prev) => {
  if (s.systemPrompt === prev.systemPrompt && s.userMessage === prev.userMessage && s.variables === prev.variables && s.images === prev.images && s.imageSlots === prev.imageSlots) return;
  // One write per pause in typing, not one per key.
  if (draftTimer) clearTimeout(draftTimer);
  draftTimer = setTimeout(() => {
    const { systemPrompt, userMessage, variables, images, imageSlots } = usePlaygroundStore.getState();
    saveDraft({ systemPrompt, userMessage, variables, images, imageSlots });
  }, 300);
});
