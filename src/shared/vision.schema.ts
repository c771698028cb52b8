// The vision engine: llama.cpp's own `llama-server` run as a managed child process with a model and its
// projector (mmproj), because node-llama-cpp 3.22 cannot pass an image to a model. Also the projector's
// header, the pairing check, and building llama-server from the source node-llama-cpp ships.
import { z } from 'zod';
import { Empty, type CommandSpec, type EventSpec } from './commandSpec';
import { LoadSettings } from './engine.schema';
import { Id } from './ids';

/** A projector file's GGUF header, read without loading it. */
export const ProjectorInfo = z.object({
  path: z.string(),
  /** clip.projector_type, e.g. 'qwen2vl_merger', 'mlp'; null when the file does not say (old LLaVA files). */
  projectorType: z.string().nullable(),
  hasVisionEncoder: z.boolean(),
  imageSize: z.number().int().nullable(),
  patchSize: z.number().int().nullable(),
  /** clip.vision.projection_dim: must equal the text model's embedding length. */
  projectionDim: z.number().int().nullable(),
  /** Spatial merge, when the projector merges patches (Qwen2-VL: 2 → one token per 28×28 pixels). */
  spatialMerge: z.number().int().nullable(),
  bytes: z.number().int(),
});
export type ProjectorInfo = z.infer<typeof ProjectorInfo>;

export const VisionState = z.enum(['stopped', 'building', 'starting', 'ready', 'crashed']);
export type VisionState = z.infer<typeof VisionState>;

export const VisionStatus = z.object({
  state: VisionState,
  modelId: Id.nullable(),
  projector: ProjectorInfo.nullable(),
  settings: LoadSettings.nullable(),
  /** The llama-server binary in use and where it came from. */
  binary: z.string().nullable(),
  binarySource: z.enum(['settings', 'flag', 'path', 'built']).nullable(),
  /** Why no binary can be used (a path that is gone, none built), so Settings can say it before a load fails. */
  binaryError: z.string().nullable().default(null),
  /** The managed server's base URL (loopback), e.g. http://127.0.0.1:41234/v1. */
  baseUrl: z.string().nullable(),
  pid: z.number().nullable(),
  error: z.string().nullable(),
  /** The last lines the server wrote before it stopped or failed (for the crash banner). */
  stderrTail: z.string().nullable(),
  crashCount: z.number().int(),
  startedAt: z.number().nullable(),
});
export type VisionStatus = z.infer<typeof VisionStatus>;

export const ServerBuildStatus = z.object({
  jobId: Id,
  backend: z.enum(['cpu', 'cuda', 'vulkan', 'metal']),
  phase: z.enum(['source', 'configure', 'compile', 'install', 'done', 'failed', 'cancelled']),
  percent: z.number().min(0).max(100),
  line: z.string(),
  binary: z.string().nullable(),
  error: z.string().nullable(),
  /** The build was already in the cache: nothing was compiled. */
  cached: z.boolean().default(false),
});
export type ServerBuildStatus = z.infer<typeof ServerBuildStatus>;

export const visionCommands = {
  'vision.status': { input: Empty, output: VisionStatus, permission: 'view' },
  /** Reads a projector's header (no loading). */
  'vision.projectorInfo': { input: z.object({ path: z.string().min(1) }), output: ProjectorInfo, permission: 'view' },
  /** The projector found beside a library model (same folder or the repository it was downloaded from), if any. */
  'vision.findProjector': { input: z.object({ modelId: Id }), output: ProjectorInfo.nullable(), permission: 'view' },
  /** Starts llama-server with the model and projector (refused when the pair does not fit: both numbers named). */
  'vision.load': {
    input: z.object({ modelId: Id, projectorPath: z.string().min(1), settings: LoadSettings.default(LoadSettings.parse({})) }),
    output: VisionStatus,
    permission: 'run',
  },
  'vision.unload': { input: Empty, output: VisionStatus, permission: 'run' },
  'vision.restart': { input: Empty, output: VisionStatus, permission: 'run' },
  /** The llama-server binary to use (Settings); null goes back to PATH / the built one. */
  'vision.setServerBinary': { input: z.object({ path: z.string().min(1).nullable() }), output: VisionStatus, permission: 'manageModels' },
  /** Builds llama-server from node-llama-cpp's bundled source for a backend; progress arrives as events. */
  'vision.buildServer': {
    input: z.object({ backend: z.enum(['auto', 'cpu', 'cuda', 'vulkan', 'metal']).default('auto') }),
    output: ServerBuildStatus,
    permission: 'manageModels',
  },
  'vision.cancelBuild': { input: z.object({ jobId: Id }), output: z.object({ cancelled: z.boolean() }), permission: 'manageModels' },
} satisfies Record<string, CommandSpec>;

export const visionEvents = {
  'vision.status': { payload: VisionStatus, permission: 'view' },
  'vision.buildProgress': { payload: ServerBuildStatus, permission: 'manageModels' },
} satisfies Record<string, EventSpec>;
