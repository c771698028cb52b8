// Messages between the core and the inference worker process. Plain JSON-serializable data only.
import type { LoadSettings } from '../../shared/engine.schema';
import type { SamplingParams, StopReason } from '../../shared/runs.schema';

export interface EffectiveSettings {
  gpu: string;
  gpuLayers: number;
  contextSize: number;
  threads: number;
  batchSize: number;
}

export interface WorkerRunResult {
  output: string;
  stopReason: StopReason;
  error: string | null;
  promptTokens: number | null;
  completionTokens: number;
  renderedPrompt: string | null;
  /** Measured in the worker from first to last token, so IPC batching does not blur it. */
  decodeTokPerSec: number | null;
  /** The request itself was unusable (e.g. a JSON schema no grammar can be built from), not the engine. */
  badInput?: boolean;
}

/** A LoRA adapter file and the strength it is applied with. */
export interface AdapterSpec {
  path: string;
  scale: number;
}

/** One turn of a full conversation (the local API server's chat requests). */
export interface ChatTurn {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** A run is a chat from systemPrompt + userMessage (the playground), unless one of these is given. */
export interface RunVariant {
  /** A whole conversation; the last turn must be the user's. systemPrompt/userMessage are then only labels. */
  messages?: ChatTurn[] | null;
  /** A raw text completion of this prompt, no chat template (/v1/completions). */
  completionPrompt?: string | null;
  /** Constrain output to any JSON value (response_format json_object); jsonSchema takes precedence. */
  jsonObject?: boolean;
  /** Never end on an end-of-generation token: decode until maxTokens or a stop sequence (benchmarks). */
  ignoreEos?: boolean;
}

export type ToWorker =
  | {
      type: 'load';
      reqId: number;
      modelPath: string;
      settings: LoadSettings;
      memoryLimitBytes: number | null;
      /** Restoring the previous model: a no-op when it is still loaded with these settings. */
      keepIfLoaded?: boolean;
    }
  | { type: 'unload'; reqId: number }
  | { type: 'render'; reqId: number; systemPrompt: string; userMessage: string }
  | ({
      type: 'run';
      runId: string;
      systemPrompt: string;
      userMessage: string;
      params: SamplingParams;
      jsonSchema: string | null;
      /** LoRA adapters to attach (the core has checked them against the model); none = the base context. */
      adapters?: AdapterSpec[];
    } & RunVariant)
  | { type: 'embed'; reqId: number; texts: string[] }
  /** Token counts of plain texts with the loaded model's vocabulary (no chat template, no BOS). */
  | { type: 'countTokens'; reqId: number; texts: string[] }
  | { type: 'cancel'; runId: string };

export type WorkerErrorCode = 'MODEL_INVALID' | 'ENGINE' | 'BAD_INPUT';

export type FromWorker =
  | { type: 'ready'; pid: number }
  | { type: 'reply'; reqId: number; ok: true; value: unknown }
  | { type: 'reply'; reqId: number; ok: false; code: WorkerErrorCode; message: string }
  | { type: 'loadProgress'; progress: number }
  | { type: 'chunk'; runId: string; text: string; tokens: number }
  | { type: 'runDone'; runId: string; result: WorkerRunResult };

export interface LoadReply {
  effective: EffectiveSettings;
}

export interface EmbedReply {
  vectors: number[][];
  promptTokens: number;
}

export interface RenderReply {
  text: string;
  tokenCount: number;
}

/** The two ends a worker can be reached through: a Node child process or an Electron utilityProcess. */
export interface WorkerChannel {
  readonly pid: number | null;
  send(message: ToWorker): void;
  onMessage(listener: (message: FromWorker) => void): void;
  /** Called once when the process is gone, whatever the reason. */
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  /** The last lines the process wrote to stderr (llama.cpp prints GGML_ASSERT there before aborting). */
  stderrTail(): string;
  kill(): void;
}

export type SpawnWorker = () => WorkerChannel;
