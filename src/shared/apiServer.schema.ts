// Lamplight's own OpenAI-compatible server for the loaded local model: off by default, loopback only.
import { z } from 'zod';
import { Empty, type CommandSpec, type EventSpec } from './commandSpec';

export const ApiServerSettings = z.object({
  port: z.number().int().min(0).max(65535).default(8181),
  /** Bearer key clients must send; generated when not given. Never stored in plain text. */
  key: z.string().min(8).max(512).nullable().default(null),
  /** Parallel context sequences: how many requests decode at once. */
  parallel: z.number().int().min(1).max(16).default(2),
});
export type ApiServerSettings = z.infer<typeof ApiServerSettings>;

export const ApiServerStatus = z.object({
  running: z.boolean(),
  baseUrl: z.string().nullable(),
  port: z.number().nullable(),
  parallel: z.number().nullable(),
  modelId: z.string().nullable(),
  requests: z.number(),
  error: z.string().nullable(),
});
export type ApiServerStatus = z.infer<typeof ApiServerStatus>;

export const apiServerCommands = {
  'apiServer.status': { input: Empty, output: ApiServerStatus, permission: 'view' },
  /** Returns the bearer key once, so the user can copy it; it is not shown again. */
  'apiServer.start': { input: ApiServerSettings, output: z.object({ status: ApiServerStatus, key: z.string() }), permission: 'admin' },
  'apiServer.stop': { input: Empty, output: ApiServerStatus, permission: 'admin' },
} as const satisfies Record<string, CommandSpec>;

export const apiServerEvents = {
  'apiServer.status': { payload: ApiServerStatus, permission: 'admin' },
} as const satisfies Record<string, EventSpec>;
