// Lamplight's own OpenAI-compatible server for the loaded local model: off by default, loopback only.
import { z } from 'zod';

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
