// The fine-tune loop: a training package from a dataset, an optional training run whose adapter comes back
// registered with its provenance.
import { z } from 'zod';
import { Empty, type CommandSpec, type EventSpec } from './commandSpec';
import { Id } from './ids';

const FilePath = z.string().min(1).max(4096);

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

export const trainingCommands = {
  /** Writes data, LLaMA-Factory config, PEFT/TRL script, README and the GGUF conversion step into outDir. */
  'training.package': { input: TrainingPackageRequest, output: TrainingInfo, permission: 'export' },
  /**
   * Runs a user-configured command (local, or `ssh host …`) in the package folder, streams its log as
   * training.progress, and registers the GGUF adapter at adapterPath (relative to the folder) when it ends.
   */
  'training.start': {
    input: z.object({ trainingId: Id, command: z.string().trim().min(1).max(10_000), adapterPath: z.string().trim().min(1).max(4096).default('adapter/adapter.gguf') }),
    output: TrainingInfo,
    permission: 'manageModels',
  },
  'training.cancel': { input: z.object({ trainingId: Id }), output: z.object({ cancelled: z.boolean() }), permission: 'manageModels' },
  'training.list': { input: Empty, output: z.array(TrainingInfo), permission: 'view' },
  'training.get': { input: z.object({ trainingId: Id }), output: TrainingInfo, permission: 'view' },
} as const satisfies Record<string, CommandSpec>;

export const trainingEvents = {
  'training.progress': { payload: TrainingProgress, permission: 'manageModels' },
} as const satisfies Record<string, EventSpec>;
