// The model library: GGUF files on disk with their metadata and hash, downloads, and each model's chat
// template as stored in its file (with what it makes of a sample conversation).
import { z } from 'zod';
import { Empty, type CommandSpec, type EventSpec } from './commandSpec';
import { Id } from './ids';

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

export const DownloadState = z.enum(['running', 'done', 'cancelled', 'error']);

/** The projector (mmproj) an hf: download brings from the model's repository. */
export const DownloadProjector = z.object({
  /** listing: asking the repository; running: fetching it; none: the repository has none; failed: not fetched. */
  state: z.enum(['listing', 'running', 'done', 'none', 'failed', 'cancelled']),
  /** The projector's hf: URI once the repository was listed and one was picked. */
  uri: z.string().nullable(),
  /** Where it is on disk once fetched (beside the model, where the Vision section finds it). */
  path: z.string().nullable(),
  /** Why there is none: "no projector in the repository", "projector not fetched: <reason>". */
  note: z.string().nullable(),
});
export type DownloadProjector = z.infer<typeof DownloadProjector>;

export const DownloadProgress = z.object({
  downloadId: Id,
  uri: z.string(),
  state: DownloadState,
  receivedBytes: z.number(),
  totalBytes: z.number().nullable(),
  error: z.string().nullable(),
  modelId: Id.nullable(),
  /** Null when no projector was asked for: a plain URL, or an hf: URI with `projector: false`. */
  projector: DownloadProjector.nullable(),
});
export type DownloadProgress = z.infer<typeof DownloadProgress>;

export const TemplateTurn = z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string() });

export const ModelTemplate = z.object({
  /** The Jinja text from tokenizer.chat_template; null when the file has none. */
  template: z.string().nullable(),
  /** The chat format Lamplight applies (node-llama-cpp's wrapper name), e.g. "ChatML". */
  format: z.string(),
  sample: z.array(TemplateTurn),
  /** The sample as the model sees it, ending where the model starts answering. */
  rendered: z.string(),
});
export type ModelTemplate = z.infer<typeof ModelTemplate>;

export const modelsCommands = {
  'models.list': { input: Empty, output: z.array(ModelInfo), permission: 'view' },
  'models.add': { input: z.object({ path: z.string().min(1) }), output: ModelInfo, permission: 'manageModels' },
  'models.scan': {
    input: z.object({ dir: z.string().min(1) }),
    output: z.object({
      added: z.array(ModelInfo),
      errors: z.array(z.object({ path: z.string(), message: z.string() })),
    }),
    permission: 'manageModels',
  },
  'models.remove': { input: z.object({ modelId: Id }), output: z.object({ removed: z.boolean() }), permission: 'manageModels' },
  'models.download': {
    input: z.object({
      uri: z.string().min(1).max(4000),
      dir: z.string().optional(),
      /** Also fetch the repository's projector (mmproj) beside the model: hf: URIs only, on unless false. */
      projector: z.boolean().optional(),
    }),
    output: z.object({ downloadId: Id }),
    permission: 'manageModels',
  },
  'models.cancelDownload': { input: z.object({ downloadId: Id }), output: z.object({ cancelled: z.boolean() }), permission: 'manageModels' },
  'models.downloads': { input: Empty, output: z.array(DownloadProgress), permission: 'view' },
  'models.template': { input: z.object({ modelId: Id }), output: ModelTemplate, permission: 'view' },
} as const satisfies Record<string, CommandSpec>;

export const modelsEvents = {
  'models.changed': { payload: ModelInfo, permission: 'view' },
  'downloads.progress': { payload: DownloadProgress, permission: 'manageModels' },
} as const satisfies Record<string, EventSpec>;
