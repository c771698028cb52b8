// Remote OpenAI-compatible targets (vLLM and friends) and what a run can be sent to.
import { z } from 'zod';
import { Empty, type CommandSpec, type EventSpec } from './commandSpec';
import { Id } from './ids';
import { DEFAULT_MAX_IMAGE_PIXELS, MAX_INPUT_IMAGE_PIXELS } from './images.schema';

/**
 * Whether a target's models take images. 'auto': as the server says (llama.cpp's /props modalities, a
 * model card that lists vision); a server that does not say is treated as text-only, and the refusal says
 * to set 'yes'. An image is never dropped silently: a text-only target refuses an image prompt.
 */
export const AcceptsImages = z.enum(['auto', 'yes', 'no']);
export type AcceptsImages = z.infer<typeof AcceptsImages>;
export const MaxImagePixels = z.number().int().min(784).max(MAX_INPUT_IMAGE_PIXELS);

/** A base URL ending in /v1 (or wherever the server's OpenAI routes live), without a trailing slash. */
export const BaseUrl = z
  .string()
  .trim()
  .transform((s) => s.replace(/\/+$/, ''))
  .refine((s) => {
    try {
      const u = new URL(s);
      return (u.protocol === 'http:' || u.protocol === 'https:') && !u.username && !u.password;
    } catch {
      return false;
    }
  }, 'must be an http(s) URL such as http://gpu-1:8000/v1, without credentials in it');

export const Timeouts = z.object({
  connectMs: z.number().int().min(100).max(600_000).default(10_000),
  firstTokenMs: z.number().int().min(100).max(3_600_000).default(120_000),
  idleMs: z.number().int().min(100).max(3_600_000).default(60_000),
});
export type Timeouts = z.infer<typeof Timeouts>;

/** Extra request headers. Checked here, so a value HTTP cannot carry (a line break) is refused when it is
 * saved rather than failing every run later. */
const ExtraHeaders = z.record(
  z.string().regex(/^[A-Za-z0-9-]+$/, 'header names are letters, digits and -'),
  z.string().max(8192).regex(/^[\t\x20-\x7e\x80-\xff]*$/, 'header values cannot contain line breaks or other control characters'),
);

export const TargetInput = z.object({
  name: z.string().trim().min(1).max(100),
  baseUrls: z.array(BaseUrl).min(1).max(32),
  /** Write-only: stored in the OS keychain (Electron safeStorage) or the host's 0600 key file. */
  apiKey: z.string().max(8192).nullable().default(null),
  /** Write-only like the key: header values often carry credentials too. */
  headers: ExtraHeaders.default({}),
  timeouts: Timeouts.default(Timeouts.parse({})),
  maxRetries: z.number().int().min(0).max(5).default(2),
  acceptsImages: AcceptsImages.default('auto'),
  /** Images with more pixels are downscaled before they are sent (Qwen2-VL's budget by default). */
  maxImagePixels: MaxImagePixels.default(DEFAULT_MAX_IMAGE_PIXELS),
});
export type TargetInput = z.infer<typeof TargetInput>;

export const TargetPatch = z.object({
  name: z.string().trim().min(1).max(100).optional(),
  baseUrls: z.array(BaseUrl).min(1).max(32).optional(),
  /** undefined keeps the stored key, null removes it. */
  apiKey: z.string().max(8192).nullable().optional(),
  headers: ExtraHeaders.optional(),
  timeouts: Timeouts.optional(),
  maxRetries: z.number().int().min(0).max(5).optional(),
  acceptsImages: AcceptsImages.optional(),
  maxImagePixels: MaxImagePixels.optional(),
});

export const ReplicaState = z.object({
  url: z.string(),
  healthy: z.boolean(),
  lastError: z.string().nullable(),
  lastCheckedAt: z.number().nullable(),
  latencyMs: z.number().nullable(),
});
export type ReplicaState = z.infer<typeof ReplicaState>;

export const TargetInfo = z.object({
  id: Id,
  name: z.string(),
  baseUrls: z.array(z.string()),
  hasApiKey: z.boolean(),
  headerNames: z.array(z.string()),
  timeouts: Timeouts,
  maxRetries: z.number(),
  createdAt: z.number(),
  replicas: z.array(ReplicaState),
  /** Absent on records from before images (read as 'auto' and the default budget). */
  acceptsImages: AcceptsImages.optional(),
  maxImagePixels: z.number().int().optional(),
});
export type TargetInfo = z.infer<typeof TargetInfo>;

export const RemoteModel = z.object({
  id: z.string(),
  ownedBy: z.string().nullable(),
  /** vLLM lists LoRA modules with the base model as parent/root. */
  root: z.string().nullable(),
  parent: z.string().nullable(),
  maxModelLen: z.number().nullable(),
  /** The server says this model takes images (true), says it does not (false), or says nothing (null/absent). */
  vision: z.boolean().nullable().optional(),
});
export type RemoteModel = z.infer<typeof RemoteModel>;

export const TargetCheck = z.object({
  targetId: Id,
  checkedAt: z.number(),
  replicas: z.array(
    z.object({ url: z.string(), ok: z.boolean(), latencyMs: z.number().nullable(), status: z.number().nullable(), error: z.string().nullable() }),
  ),
  models: z.array(RemoteModel),
});
export type TargetCheck = z.infer<typeof TargetCheck>;

export { RunTarget } from './runs.schema';

export const targetsCommands = {
  'targets.list': { input: Empty, output: z.array(TargetInfo), permission: 'view' },
  'targets.add': { input: TargetInput, output: TargetInfo, permission: 'admin' },
  'targets.update': { input: z.object({ targetId: Id, patch: TargetPatch }), output: TargetInfo, permission: 'admin' },
  'targets.remove': { input: z.object({ targetId: Id }), output: z.object({ removed: z.boolean() }), permission: 'admin' },
  /** Health check of every replica and the models the server lists (vLLM lists LoRA modules too). */
  'targets.check': { input: z.object({ targetId: Id }), output: TargetCheck, permission: 'run' },
  /** vLLM with VLLM_ALLOW_RUNTIME_LORA_UPDATING: POST /v1/load_lora_adapter on every replica. */
  'targets.loadLora': {
    input: z.object({ targetId: Id, name: z.string().trim().min(1).max(200), path: z.string().trim().min(1).max(4096) }),
    output: z.object({ loaded: z.boolean(), message: z.string() }),
    permission: 'manageModels',
  },
  'targets.unloadLora': {
    input: z.object({ targetId: Id, name: z.string().trim().min(1).max(200) }),
    output: z.object({ unloaded: z.boolean(), message: z.string() }),
    permission: 'manageModels',
  },
} as const satisfies Record<string, CommandSpec>;

export const targetsEvents = {
  /** A target's replica health changed (no secrets: TargetInfo never carries keys or header values). */
  'targets.changed': { payload: TargetInfo, permission: 'run' },
} as const satisfies Record<string, EventSpec>;
