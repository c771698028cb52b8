// The only list of what the UI can ask and hear. Both transports (Electron IPC, browser-host WebSocket)
// carry exactly these names, and every input is parsed with its schema at the boundary.
import { z } from 'zod';
import {
  DownloadProgress,
  EngineStatus,
  Id,
  LoadSettings,
  ModelInfo,
  PromptInput,
  RenderedPrompt,
  RunRecord,
  RunRequest,
  RunSummary,
} from './schemas';
import { ApiServerSettings, ApiServerStatus } from './apiServer.schema';
import { Comparison, CompareRequest, ComparisonSummary } from './compare.schema';
import { TargetCheck, TargetInfo, TargetInput, TargetPatch } from './targets.schema';
import { promptCommands } from './prompts.schema';
import { testSetCommands } from './testsets.schema';
import { evalCommands, evalEvents } from './evals.schema';
import { datasetCommands, datasetEvents } from './datasets.schema';
import { adapterCommands, adapterEvents } from './adapters.schema';
import { benchCommands, benchEvents } from './bench.schema';
import { guardCommands } from './guard.schema';
import { backupCommands, backupEvents } from './backup.schema';
import { modelTemplateCommands } from './modelTemplate.schema';
import { runSearchCommands } from './runSearch.schema';

export interface CommandSpec {
  input: z.ZodType;
  output: z.ZodType;
}

const Empty = z.object({}).strict().default({});

export const AppInfo = z.object({
  version: z.string(),
  dataDir: z.string(),
  transport: z.enum(['electron', 'browser-host']),
  platform: z.string(),
  availableParallelism: z.number(),
  /** GPU backends this machine can run, as node-llama-cpp reports them; 'cpu' is always present. */
  supportedGpu: z.array(z.string()),
});
export type AppInfo = z.infer<typeof AppInfo>;

export const commands = {
  'app.info': { input: Empty, output: AppInfo },

  'models.list': { input: Empty, output: z.array(ModelInfo) },
  'models.add': { input: z.object({ path: z.string().min(1) }), output: ModelInfo },
  'models.scan': {
    input: z.object({ dir: z.string().min(1) }),
    output: z.object({
      added: z.array(ModelInfo),
      errors: z.array(z.object({ path: z.string(), message: z.string() })),
    }),
  },
  'models.remove': { input: z.object({ modelId: Id }), output: z.object({ removed: z.boolean() }) },
  'models.download': {
    input: z.object({ uri: z.string().min(1).max(4000), dir: z.string().optional() }),
    output: z.object({ downloadId: Id }),
  },
  'models.cancelDownload': { input: z.object({ downloadId: Id }), output: z.object({ cancelled: z.boolean() }) },
  'models.downloads': { input: Empty, output: z.array(DownloadProgress) },

  'engine.status': { input: Empty, output: EngineStatus },
  'engine.load': { input: z.object({ modelId: Id, settings: LoadSettings }), output: EngineStatus },
  'engine.unload': { input: Empty, output: EngineStatus },
  'engine.restart': { input: Empty, output: EngineStatus },

  'prompt.render': { input: PromptInput.extend({ modelId: Id.nullable().default(null) }), output: RenderedPrompt },

  'runs.start': { input: RunRequest, output: z.object({ runId: Id }) },
  'runs.cancel': { input: z.object({ runId: Id }), output: z.object({ cancelled: z.boolean() }) },
  'runs.list': {
    input: z.object({ limit: z.number().int().min(1).max(1000).default(100), before: z.number().optional() }),
    output: z.array(RunSummary),
  },
  'runs.get': { input: z.object({ runId: Id }), output: RunRecord },

  'targets.list': { input: Empty, output: z.array(TargetInfo) },
  'targets.add': { input: TargetInput, output: TargetInfo },
  'targets.update': { input: z.object({ targetId: Id, patch: TargetPatch }), output: TargetInfo },
  'targets.remove': { input: z.object({ targetId: Id }), output: z.object({ removed: z.boolean() }) },
  /** Health check of every replica and the models the server lists (vLLM lists LoRA modules too). */
  'targets.check': { input: z.object({ targetId: Id }), output: TargetCheck },

  'compare.start': { input: CompareRequest, output: z.object({ comparisonId: Id, runIds: z.array(Id) }) },
  'compare.list': { input: z.object({ limit: z.number().int().min(1).max(500).default(50) }), output: z.array(ComparisonSummary) },
  'compare.get': { input: z.object({ comparisonId: Id }), output: z.object({ comparison: Comparison, runs: z.array(RunRecord) }) },

  'apiServer.status': { input: Empty, output: ApiServerStatus },
  /** Returns the bearer key once, so the user can copy it; it is not shown again. */
  'apiServer.start': { input: ApiServerSettings, output: z.object({ status: ApiServerStatus, key: z.string() }) },
  'apiServer.stop': { input: Empty, output: ApiServerStatus },

  ...promptCommands,
  ...testSetCommands,
  ...evalCommands,
  ...datasetCommands,
  ...adapterCommands,
  ...benchCommands,
  ...guardCommands,
  ...backupCommands,
  ...modelTemplateCommands,
  ...runSearchCommands,
} as const satisfies Record<string, CommandSpec>;

export const RunChunk = z.object({ runId: Id, text: z.string(), tokens: z.number() });
export type RunChunk = z.infer<typeof RunChunk>;

export const events = {
  /** Batched text deltas of a streaming run, keyed by run id; never the whole text. */
  'runs.chunk': RunChunk,
  'runs.finished': RunRecord,
  'engine.status': EngineStatus,
  'models.changed': ModelInfo,
  'downloads.progress': DownloadProgress,
  /** A target's replica health changed (no secrets: TargetInfo never carries keys or header values). */
  'targets.changed': TargetInfo,
  'apiServer.status': ApiServerStatus,
  ...evalEvents,
  ...datasetEvents,
  ...adapterEvents,
  ...benchEvents,
  ...backupEvents,
} as const satisfies Record<string, z.ZodType>;

export type Commands = typeof commands;
export type CommandName = keyof Commands;
export type CommandInput<N extends CommandName> = z.input<Commands[N]['input']>;
export type CommandOutput<N extends CommandName> = z.output<Commands[N]['output']>;
export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;

export const commandNames = Object.keys(commands) as CommandName[];
export const eventNames = Object.keys(events) as EventName[];

export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(commands, name);
}
export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(events, name);
}

/** What crosses a transport when a command fails. */
export interface WireError {
  code: ErrorCode;
  message: string;
}
export type ErrorCode =
  | 'BAD_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'MODEL_INVALID'
  | 'ENGINE'
  | 'ENGINE_CRASHED'
  | 'REMOTE'
  | 'UNAUTHORIZED'
  /** The profile's role does not allow this command (the message names the permission). */
  | 'FORBIDDEN'
  /** A guardrail policy refused it (PII in a request to a target whose policy is block). */
  | 'BLOCKED'
  /** The disk holding the data folder (or a file being written) is full; nothing stored was changed. */
  | 'DISK_FULL'
  /** Too many commands in flight on one connection; send again once replies arrive. */
  | 'BUSY'
  | 'INTERNAL';

export type WireResult<T> = { ok: true; value: T } | { ok: false; error: WireError };

/** The one client shape the renderer, tests and CLI use, whatever carries it. */
export interface LamplightApi {
  invoke<N extends CommandName>(name: N, input: CommandInput<N>): Promise<CommandOutput<N>>;
  on<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void;
}

/** What the Electron preload exposes as window.lamplight: results travel as WireResult so codes survive. */
export interface PreloadApi {
  invoke(name: CommandName, input: unknown): Promise<WireResult<unknown>>;
  on(name: EventName, listener: (payload: unknown) => void): () => void;
}
