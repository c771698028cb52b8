// LoRA adapters (local GGUF files attached to a loaded model per context, with a scale), LoRA modules on
// remote vLLM servers, and the fine-tune loop: a training package from a dataset, an optional training
// run whose adapter comes back registered with its provenance. Only types come from ./contract.
import { z } from 'zod';
import type { CommandSpec } from './contract';
import { Id } from './schemas';

// Defined beside RunTarget (which carries them) so schemas.ts needs no import from here.
export { AdapterUse, MAX_STACKED_ADAPTERS, type AdapterUseInput } from './schemas';

const FilePath = z.string().min(1).max(4096);


export const AdapterMetadata = z.object({
  name: z.string().nullable(),
  /** general.architecture: the base architecture the adapter was made for (e.g. llama). */
  architecture: z.string().nullable(),
  /** adapter.type: 'lora' (the only kind llama.cpp loads as an adapter today). */
  adapterType: z.string().nullable(),
  alpha: z.number().nullable(),
  /** From the lora_a/lora_b shapes; null when tensors disagree. */
  rank: z.number().int().nullable(),
  /** Base weights the adapter changes, without the block number: attn_q.weight, attn_v.weight, … */
  targets: z.array(z.string()),
  /** Blocks (layers) the adapter touches: highest blk.N + 1. */
  layerCount: z.number().int().nullable(),
  tensorCount: z.number().int(),
});
export type AdapterMetadata = z.infer<typeof AdapterMetadata>;

export const Hyperparameters = z.object({
  method: z.enum(['lora', 'qlora']).default('lora'),
  r: z.number().int().min(1).max(1024).default(16),
  alpha: z.number().min(1).max(4096).default(32),
  dropout: z.number().min(0).max(0.9).default(0.05),
  targetModules: z.array(z.string().regex(/^[A-Za-z0-9_.]+$/, 'module names are letters, digits, _ and .')).min(1).max(20).default(['q_proj', 'v_proj']),
  learningRate: z.number().positive().max(1).default(2e-4),
  epochs: z.number().positive().max(100).default(3),
  batchSize: z.number().int().min(1).max(1024).default(4),
  gradientAccumulation: z.number().int().min(1).max(1024).default(4),
  maxLength: z.number().int().min(16).max(131_072).default(2048),
  precision: z.enum(['bf16', 'fp16', 'fp32']).default('bf16'),
  seed: z.number().int().default(42),
});
export type Hyperparameters = z.infer<typeof Hyperparameters>;
export type HyperparametersInput = z.input<typeof Hyperparameters>;

/** Where an adapter came from, when Lamplight packaged its training. */
export const AdapterProvenance = z.object({
  trainingId: Id,
  datasetId: Id,
  datasetName: z.string(),
  /** The dataset as exported: rows, its last change, and the sha256 of the exported data file. */
  datasetVersion: z.object({ rows: z.number().int(), updatedAt: z.number(), sha256: z.string() }),
  baseModelId: Id,
  baseModelSha256: z.string().nullable(),
  /** The Hugging Face model the adapter was trained on (GGUF cannot be trained). */
  trainBaseModel: z.string(),
  hyperparameters: Hyperparameters,
  trainedAt: z.number().nullable(),
});
export type AdapterProvenance = z.infer<typeof AdapterProvenance>;

export const AdapterInfo = z.object({
  id: Id,
  path: z.string(),
  fileName: z.string(),
  sizeBytes: z.number(),
  sha256: z.string().nullable(),
  metadata: AdapterMetadata,
  provenance: AdapterProvenance.nullable(),
  addedAt: z.number(),
});
export type AdapterInfo = z.infer<typeof AdapterInfo>;

export const TensorMismatch = z.object({
  tensor: z.string(),
  /** GGUF dimension order (ne0, ne1, …). */
  adapterShape: z.array(z.number()),
  baseShape: z.array(z.number()).nullable(),
});
export const AdapterCheck = z.object({
  compatible: z.boolean(),
  /** Why not, naming the first mismatching tensor and its shapes; null when compatible. */
  reason: z.string().nullable(),
  mismatch: TensorMismatch.nullable(),
  /** One line: "llama, rank 8, alpha 16, 32 tensors over 2 layers: attn_q.weight, attn_v.weight". */
  summary: z.string(),
});
export type AdapterCheck = z.infer<typeof AdapterCheck>;

export const TrainingPackageRequest = z.object({
  datasetId: Id,
  /** Default: the dataset's train split when it has one, otherwise all accepted rows. */
  split: z.enum(['train', 'all']).default('train'),
  baseModelId: Id,
  /** The Hugging Face id or local folder of the unquantized base model to train on. */
  trainBaseModel: z.string().trim().min(1).max(500),
  hyperparameters: Hyperparameters.default(Hyperparameters.parse({})),
  outDir: FilePath,
});
export type TrainingPackageRequest = z.infer<typeof TrainingPackageRequest>;
export type TrainingPackageRequestInput = z.input<typeof TrainingPackageRequest>;

export const TrainingState = z.enum(['packaged', 'running', 'converting', 'done', 'failed', 'cancelled']);
export const TrainingInfo = z.object({
  id: Id,
  dir: z.string(),
  files: z.array(z.string()),
  datasetId: Id,
  baseModelId: Id,
  hyperparameters: Hyperparameters,
  state: TrainingState,
  command: z.string().nullable(),
  /** The last lines of the training log. */
  logTail: z.array(z.string()),
  step: z.number().int().nullable(),
  totalSteps: z.number().int().nullable(),
  epoch: z.number().nullable(),
  loss: z.number().nullable(),
  error: z.string().nullable(),
  adapterId: Id.nullable(),
  createdAt: z.number(),
  finishedAt: z.number().nullable(),
});
export type TrainingInfo = z.infer<typeof TrainingInfo>;

export const TrainingProgress = z.object({
  trainingId: Id,
  state: TrainingState,
  /** New log lines since the last event. */
  lines: z.array(z.string()),
  step: z.number().int().nullable(),
  totalSteps: z.number().int().nullable(),
  epoch: z.number().nullable(),
  loss: z.number().nullable(),
  error: z.string().nullable(),
  adapterId: Id.nullable(),
});
export type TrainingProgress = z.infer<typeof TrainingProgress>;

export const adapterCommands = {
  'adapters.list': { input: z.object({}).strict().default({}), output: z.array(AdapterInfo) },
  /** Reads the GGUF header; refuses a file that is not a LoRA adapter, naming the file and why. */
  'adapters.add': { input: z.object({ path: FilePath }), output: AdapterInfo },
  'adapters.remove': { input: z.object({ adapterId: Id }), output: z.object({ removed: z.boolean() }) },
  /** Architecture, embedding size, layer count and every tensor shape against the base model, before loading. */
  'adapters.check': { input: z.object({ adapterId: Id, modelId: Id }), output: AdapterCheck },

  /** vLLM with VLLM_ALLOW_RUNTIME_LORA_UPDATING: POST /v1/load_lora_adapter on every replica. */
  'targets.loadLora': {
    input: z.object({ targetId: Id, name: z.string().trim().min(1).max(200), path: z.string().trim().min(1).max(4096) }),
    output: z.object({ loaded: z.boolean(), message: z.string() }),
  },
  'targets.unloadLora': {
    input: z.object({ targetId: Id, name: z.string().trim().min(1).max(200) }),
    output: z.object({ unloaded: z.boolean(), message: z.string() }),
  },

  /** Writes data, LLaMA-Factory config, PEFT/TRL script, README and the GGUF conversion step into outDir. */
  'training.package': { input: TrainingPackageRequest, output: TrainingInfo },
  /**
   * Runs a user-configured command (local, or `ssh host …`) in the package folder, streams its log as
   * training.progress, and registers the GGUF adapter at adapterPath (relative to the folder) when it ends.
   */
  'training.start': {
    input: z.object({ trainingId: Id, command: z.string().trim().min(1).max(10_000), adapterPath: z.string().trim().min(1).max(4096).default('adapter/adapter.gguf') }),
    output: TrainingInfo,
  },
  'training.cancel': { input: z.object({ trainingId: Id }), output: z.object({ cancelled: z.boolean() }) },
  'training.list': { input: z.object({}).strict().default({}), output: z.array(TrainingInfo) },
  'training.get': { input: z.object({ trainingId: Id }), output: TrainingInfo },
} as const satisfies Record<string, CommandSpec>;

export const adapterEvents = {
  'training.progress': TrainingProgress,
} as const;
