// Runs: one prompt sent to one target (the loaded local model or a remote model), streamed, stored with its
// metrics, and searchable; prompt.render shows the prompt as the model will see it.
import { z } from 'zod';
import type { CommandSpec, EventSpec } from './commandSpec';
import { AdapterUse, MAX_STACKED_ADAPTERS } from './adapters.schema';
import { LoadSettings } from './engine.schema';
import { RunGuard } from './guard.schema';
import { Id } from './ids';
import { ImageHash, MAX_IMAGES_PER_RUN, PromptImage, RunImage } from './images.schema';

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
  /** Images attached to the user message, in order, placed before its text (as chat UIs send them). */
  images: z.array(PromptImage).max(MAX_IMAGES_PER_RUN).optional(),
  /** Values of `{{image:name}}` variables: the image is placed where the variable stands in the text. */
  imageVariables: z.record(z.string(), ImageHash).optional(),
});
export type PromptInput = z.infer<typeof PromptInput>;

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
  /** Images sent with the prompt, in order (absent or empty for text runs). */
  images: z.array(RunImage).optional(),
  /** Prompt tokens the images took, where the server reports it (llama-server: prompt tokens minus the text's). */
  imageTokens: z.number().nullable().optional(),
  /** Time the server spent encoding the images, where it reports it. */
  imageEncodeMs: z.number().nullable().optional(),
  /** Preparing the images here (decode, strip, downscale, re-encode), before the clock of TTFT starts. */
  imagePrepareMs: z.number().nullable().optional(),
  /** The `{{image:name}}` values the run was given, so reopening it fills the same slots. */
  imageVariables: z.record(z.string(), ImageHash).optional(),
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
}).extend({
  outputPreview: z.string(),
  /** Hashes of the run's images (thumbnails in the history). */
  imageHashes: z.array(z.string()).optional(),
});
export type RunSummary = z.infer<typeof RunSummary>;

export const RenderedPrompt = z.object({
  text: z.string(),
  tokenCount: z.number().nullable(),
  missingVariables: z.array(z.string()),
  /** Why tokenCount is null, e.g. no model loaded. */
  note: z.string().nullable(),
  /** The user message as it will be sent when it carries images: text and image parts in order. */
  parts: z
    .array(
      z.discriminatedUnion('kind', [
        z.object({ kind: z.literal('text'), text: z.string() }),
        z.object({ kind: z.literal('image'), hash: ImageHash, name: z.string(), estTokens: z.number().int().nullable() }),
      ]),
    )
    .optional(),
  /** Estimated prompt tokens of all images (included in tokenCount when that is not null). */
  imageTokens: z.number().int().nullable().optional(),
  /** `{{image:name}}` variables without a value. */
  missingImages: z.array(z.string()).optional(),
});
export type RenderedPrompt = z.infer<typeof RenderedPrompt>;

export const RunSearchHit = RunSummary.extend({
  /** The model's file name when the run was local and the model is still in the library. */
  fileName: z.string().nullable(),
  /** The values the run's {{variables}} were filled with. */
  variables: z.record(z.string(), z.string()),
  /** Who started it (null: not known, from before owners were kept); only they or an admin may remove it. */
  profileId: z.string().nullable().optional(),
});
export type RunSearchHit = z.infer<typeof RunSearchHit>;

export const RunChunk = z.object({ runId: Id, text: z.string(), tokens: z.number() });

/** At most this many run ids in one runs.remove. */
export const MAX_REMOVE_IDS = 1000;

/**
 * Which runs to remove: listed by id, or every run started more than N days ago. A profile without the
 * `admin` permission may remove only its own runs (listing another's is refused; the filter keeps to its own).
 */
export const RemoveRuns = z
  .object({
    ids: z.array(Id).min(1).max(MAX_REMOVE_IDS).optional(),
    olderThanDays: z.number().int().min(0).max(36_500).optional(),
    /** Count what would go (runs, images) without removing anything: the confirmation's numbers. */
    dryRun: z.boolean().default(false),
  })
  .refine((r) => (r.ids === undefined) !== (r.olderThanDays === undefined), { message: 'give either ids or olderThanDays', path: ['ids'] });
export type RemoveRuns = z.infer<typeof RemoveRuns>;
export type RemoveRunsInput = z.input<typeof RemoveRuns>;

export const RemoveRunsResult = z.object({
  dryRun: z.boolean(),
  /** The runs removed (or that would be). */
  runIds: z.array(Id),
  /** Stored images only those runs used: removed from disk at once (or that would be). */
  imagesRemoved: z.number().int(),
  /** Images of those runs still used elsewhere (another run, a test set, a dataset…): kept. */
  imagesKept: z.number().int(),
  /** Comparisons left without any column, removed with their copy of the prompt. */
  comparisonsRemoved: z.number().int(),
});
export type RemoveRunsResult = z.infer<typeof RemoveRunsResult>;
export type RunChunk = z.infer<typeof RunChunk>;

// Runs hold prompts and replies: readable by those who may run models (a labeler sees only its drafts'
// results, through the dataset).
export const runsCommands = {
  'prompt.render': {
    // target: whose pixel budget the image estimates use (a remote target's; the default otherwise).
    input: PromptInput.extend({ modelId: Id.nullable().default(null), target: RunTarget.nullable().optional() }),
    output: RenderedPrompt,
    permission: 'view',
  },
  'runs.start': { input: RunRequest, output: z.object({ runId: Id }), permission: 'run' },
  'runs.cancel': { input: z.object({ runId: Id }), output: z.object({ cancelled: z.boolean() }), permission: 'run' },
  'runs.list': {
    input: z.object({ limit: z.number().int().min(1).max(1000).default(100), before: z.number().optional() }),
    output: z.array(RunSummary),
    permission: 'run',
  },
  'runs.get': { input: z.object({ runId: Id }), output: RunRecord, permission: 'run' },
  /** Newest first; an empty query lists the latest runs. Matches prompts, variable values, outputs and model names. */
  'runs.search': {
    input: z.object({ query: z.string().max(500).default(''), limit: z.number().int().min(1).max(1000).default(200) }),
    output: z.array(RunSearchHit),
    permission: 'run',
  },
  /** Permanent: the runs, their image rows and the images nothing else uses; evaluations keep their figures. */
  'runs.remove': { input: RemoveRuns, output: RemoveRunsResult, permission: 'run' },
} as const satisfies Record<string, CommandSpec>;

export const runsEvents = {
  /** Batched text deltas of a streaming run, keyed by run id; never the whole text. */
  'runs.chunk': { payload: RunChunk, permission: 'run' },
  'runs.finished': { payload: RunRecord, permission: 'run' },
  /** Runs were removed: open views drop them (ids only, never content). */
  'runs.removed': { payload: z.object({ runIds: z.array(Id) }), permission: 'run' },
} as const satisfies Record<string, EventSpec>;
