// The local engine: one model loaded in a worker process, its settings and its state.
import { z } from 'zod';
import { Empty, type CommandSpec, type EventSpec } from './commandSpec';
import { Id } from './ids';

export const GpuBackend = z.enum(['auto', 'cuda', 'metal', 'vulkan', 'cpu']);
export type GpuBackend = z.infer<typeof GpuBackend>;

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

export const engineCommands = {
  'engine.status': { input: Empty, output: EngineStatus, permission: 'view' },
  'engine.load': { input: z.object({ modelId: Id, settings: LoadSettings }), output: EngineStatus, permission: 'run' },
  'engine.unload': { input: Empty, output: EngineStatus, permission: 'run' },
  'engine.restart': { input: Empty, output: EngineStatus, permission: 'run' },
} as const satisfies Record<string, CommandSpec>;

export const engineEvents = {
  'engine.status': { payload: EngineStatus, permission: 'view' },
} as const satisfies Record<string, EventSpec>;
