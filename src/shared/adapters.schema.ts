// LoRA adapters: local GGUF files attached to a loaded model per context, with a scale (training them is
// training.schema.ts; LoRA modules on remote vLLM servers are targets.loadLora/unloadLora).
import { z } from 'zod';
import { Empty, type CommandSpec, type EventSpec } from './commandSpec';
import { Id } from './ids';
import { Hyperparameters } from './training.schema';

const FilePath = z.string().min(1).max(4096);

/** An adapter attached to a local model, with its strength: 0 = the base model exactly, 1 = as trained. */
export const AdapterUse = z.object({ adapterId: Id, scale: z.number().min(0).max(2).default(1) });
export type AdapterUse = z.infer<typeof AdapterUse>;
export type AdapterUseInput = z.input<typeof AdapterUse>;
export const MAX_STACKED_ADAPTERS = 4;

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

export const adaptersCommands = {
  'adapters.list': { input: Empty, output: z.array(AdapterInfo), permission: 'view' },
  /** Reads the GGUF header; refuses a file that is not a LoRA adapter, naming the file and why. */
  'adapters.add': { input: z.object({ path: FilePath }), output: AdapterInfo, permission: 'manageModels' },
  'adapters.remove': { input: z.object({ adapterId: Id }), output: z.object({ removed: z.boolean() }), permission: 'manageModels' },
  /** Architecture, embedding size, layer count and every tensor shape against the base model, before loading. */
  'adapters.check': { input: z.object({ adapterId: Id, modelId: Id }), output: AdapterCheck, permission: 'view' },
} as const satisfies Record<string, CommandSpec>;

export const adaptersEvents = {} as const satisfies Record<string, EventSpec>;
