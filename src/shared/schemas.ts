// Domain schemas shared by every runtime. Pure: no node:*, no DOM, no electron.
import { z } from 'zod';
import { RunGuard } from './runGuard.schema';

export const Id = z.string().min(1).max(64);

export const GpuBackend = z.enum(['auto', 'cuda', 'metal', 'vulkan', 'cpu']);
export type GpuBackend = z.infer<typeof GpuBackend>;

export const ModelMetadata = z.object({
  name: z.string().nullable(),
  architecture: z.string().nullable(),
  parameterCount: z.number().nullable(),
  fileType: z.string().nullable(),
  contextLength: z.number().nullable(),
  blockCount: z.number().nullable(),
  embeddingLength: z.number().nullable(),
  vocabSize: z.number().nullable(),
  hasChatTemplate: z.boolean(),
  ggufVersion: z.number().nullable(),
  tensorCount: z.number().nullable(),
});
export type ModelMetadata = z.infer<typeof ModelMetadata>;

export const HashStatus = z.enum(['pending', 'done', 'error']);

export const ModelInfo = z.object({
  id: Id,
  path: z.string(),
  fileName: z.string(),
  sizeBytes: z.number(),
  sha256: z.string().nullable(),
  hashStatus: HashStatus,
  metadata: ModelMetadata,
  addedAt: z.number(),
});
export type ModelInfo = z.infer<typeof ModelInfo>;

export const LoadSettings = z.object({
  gpu: GpuBackend.default('auto'),
  /** 'auto' lets the engine fit layers to VRAM; a number pins it. Ignored on CPU. */
  gpuLayers: z.union([z.literal('auto'), z.literal('max'), z.number().int().min(0).max(1000)]).default('auto'),
  contextSize: z.number().int().min(64).max(1 << 20).default(4096),
  /** 0 means "the machine's available parallelism" (node-llama-cpp's own default of 4 is wrong on small machines). */
  threads: z.number().int().min(0).max(512).default(0),
  batchSize: z.number().int().min(1).max(1 << 16).default(512),
  /** Parallel context sequences: how many runs decode at once (the local API server uses several). */
  sequences: z.number().int().min(1).max(16).default(1),
});
export type LoadSettings = z.infer<typeof LoadSettings>;
export type LoadSettingsInput = z.input<typeof LoadSettings>;

export const EngineState = z.enum(['stopped', 'idle', 'loading', 'ready', 'crashed']);
export type EngineState = z.infer<typeof EngineState>;

export const EngineStatus = z.object({
  state: EngineState,
  modelId: Id.nullable(),
  modelPath: z.string().nullable(),
  settings: LoadSettings.nullable(),
  /** Resolved values the engine really used (threads, backend, gpu layers, context size). */
  effective: z
    .object({ gpu: z.string(), gpuLayers: z.number(), contextSize: z.number(), threads: z.number(), batchSize: z.number() })
    .nullable(),
  loadProgress: z.number().min(0).max(1).nullable(),
  pid: z.number().nullable(),
  error: z.string().nullable(),
  crashCount: z.number(),
  /** Runs generating on the loaded model now (any source), so "ready" is not shown while it is busy. */
  activeRunIds: z.array(Id).optional(),
});
export type EngineStatus = z.infer<typeof EngineStatus>;

export const SamplingParams = z.object({
  temperature: z.number().min(0).max(5).default(0.8),
  topP: z.number().min(0).max(1).default(0.95),
  topK: z.number().int().min(0).max(100000).default(40),
  minP: z.number().min(0).max(1).default(0.05),
  repeatPenalty: z.number().min(0.5).max(5).default(1.1),
  maxTokens: z.number().int().min(1).max(1 << 20).default(256),
  seed: z.number().int().min(0).max(2 ** 32 - 1).nullable().default(null),
  stop: z.array(z.string().min(1).max(200)).max(16).default([]),
});
export type SamplingParams = z.infer<typeof SamplingParams>;
export type SamplingParamsInput = z.input<typeof SamplingParams>;

export const PromptInput = z.object({
  systemPrompt: z.string().max(1_000_000).default(''),
  userMessage: z.string().max(1_000_000),
  variables: z.record(z.string(), z.string()).default({}),
});
export type PromptInput = z.infer<typeof PromptInput>;

/** An adapter attached to a local model, with its strength: 0 = the base model exactly, 1 = as trained. */
export const AdapterUse = z.object({ adapterId: Id, scale: z.number().min(0).max(2).default(1) });
export type AdapterUse = z.infer<typeof AdapterUse>;
export type AdapterUseInput = z.input<typeof AdapterUse>;
export const MAX_STACKED_ADAPTERS = 4;

/** Where a run goes: the loaded local model (with LoRA adapters attached, if any), or a model on a remote target. */
export const RunTarget = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('local'), modelId: Id, adapters: z.array(AdapterUse).max(MAX_STACKED_ADAPTERS).optional() }),
  z.object({ kind: z.literal('remote'), targetId: Id, model: z.string().min(1).max(500) }),
]);
export type RunTarget = z.infer<typeof RunTarget>;

/**
 * An id the client chooses for a run it starts, so it can match the run's first chunks before the reply
 * arrives. ULID-like: letters, digits, '-' and '_' only, so it is safe in file names and URLs.
 */
export const ClientRunId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{8,64}$/, 'a run id is 8–64 letters, digits, "-" or "_"');

export const RunRequest = PromptInput.extend({
  /** Chosen by the client (see ClientRunId); the core makes one when absent. A taken id is refused. */
  runId: ClientRunId.optional(),
  /** The local model (shorthand for target {kind:'local', modelId}). */
  modelId: Id.nullable().default(null),
  target: RunTarget.nullable().default(null),
  params: SamplingParams.default(SamplingParams.parse({})),
  /** JSON Schema text; when set, output is constrained by a grammar built from it. */
  jsonSchema: z.string().max(200_000).nullable().default(null),
  /** The saved prompt version this text came from, if any (recorded in the audit log). */
  promptVersionId: Id.nullable().default(null),
}).refine((r) => r.modelId !== null || r.target !== null, { message: 'give a modelId or a target', path: ['target'] });
export type RunRequest = z.infer<typeof RunRequest>;
export type RunRequestInput = z.input<typeof RunRequest>;

export const StopReason = z.enum(['eos', 'maxTokens', 'stopSequence', 'abort', 'error', 'crash', 'interrupted', 'blocked']);
export type StopReason = z.infer<typeof StopReason>;

export const RunStatus = z.enum(['running', 'done']);

export const RunSource = z.enum(['playground', 'compare', 'api', 'cli', 'eval', 'dataset', 'bench']);
export type RunSource = z.infer<typeof RunSource>;

export const RunRecord = z.object({
  id: Id,
  source: RunSource,
  target: RunTarget,
  modelId: Id.nullable(),
  modelName: z.string(),
  systemPrompt: z.string(),
  userMessage: z.string(),
  variables: z.record(z.string(), z.string()),
  renderedPrompt: z.string().nullable(),
  params: SamplingParams,
  loadSettings: LoadSettings.nullable(),
  jsonSchema: z.string().nullable(),
  output: z.string(),
  status: RunStatus,
  stopReason: StopReason.nullable(),
  error: z.string().nullable(),
  promptTokens: z.number().nullable(),
  completionTokens: z.number().nullable(),
  ttftMs: z.number().nullable(),
  decodeTokPerSec: z.number().nullable(),
  /** vLLM benchmark_serving definitions, from the stored chunk arrival times. */
  tpotMs: z.number().nullable(),
  itlMeanMs: z.number().nullable(),
  e2eMs: z.number().nullable(),
  /** Arrival of each streamed chunk with choices, ms after the request started (raw, so any metric can be
   * derived); for remote runs TTFT/ITL follow vLLM: first chunk with choices, gaps between them. */
  chunkTimesMs: z.array(z.number()),
  attempts: z.number().nullable(),
  /** What the guardrails did: PII found and masked before sending, output rules that matched. */
  guard: RunGuard.nullable(),
  startedAt: z.number(),
  finishedAt: z.number().nullable(),
});
export type RunRecord = z.infer<typeof RunRecord>;

export const RunSummary = RunRecord.pick({
  id: true,
  source: true,
  target: true,
  modelId: true,
  modelName: true,
  userMessage: true,
  status: true,
  stopReason: true,
  completionTokens: true,
  ttftMs: true,
  decodeTokPerSec: true,
  e2eMs: true,
  startedAt: true,
  finishedAt: true,
}).extend({ outputPreview: z.string() });
export type RunSummary = z.infer<typeof RunSummary>;

export const RenderedPrompt = z.object({
  text: z.string(),
  tokenCount: z.number().nullable(),
  missingVariables: z.array(z.string()),
  /** Why tokenCount is null, e.g. no model loaded. */
  note: z.string().nullable(),
});
export type RenderedPrompt = z.infer<typeof RenderedPrompt>;

export const DownloadState = z.enum(['running', 'done', 'cancelled', 'error']);
export const DownloadProgress = z.object({
  downloadId: Id,
  uri: z.string(),
  state: DownloadState,
  receivedBytes: z.number(),
  totalBytes: z.number().nullable(),
  error: z.string().nullable(),
  modelId: Id.nullable(),
});
export type DownloadProgress = z.infer<typeof DownloadProgress>;
