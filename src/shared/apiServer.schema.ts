// Lamplight's own OpenAI-compatible server for the loaded local model: off by default, loopback only.
import { z } from 'zod';
import { Empty, type CommandSpec, type EventSpec } from './commandSpec';
import { Id } from './ids';

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

/** 'inference': the OpenAI endpoints; 'metrics': only GET /metrics (for Prometheus). */
export const ApiKeyScope = z.enum(['inference', 'metrics']);

export const ApiKeyLimits = z.object({
  /** Requests per minute (sliding window); null: no limit. */
  ratePerMinute: z.number().int().min(1).max(1_000_000).nullable().default(null),
  /** Prompt + completion tokens per quota period; null: no quota. */
  tokenQuota: z.number().int().min(1).nullable().default(null),
  quotaPeriod: z.enum(['day', 'month']).default('month'),
  /** Monthly budget in the cost profile's currency: an alert at 80%, requests refused at 100%. */
  budgetPerMonth: z.number().positive().nullable().default(null),
});

export const ApiKeyInfo = ApiKeyLimits.extend({
  id: Id,
  prefix: z.string(),
  name: z.string(),
  profileId: Id,
  profileName: z.string(),
  scope: ApiKeyScope,
  createdAt: z.number(),
  lastUsedAt: z.number().nullable(),
  revokedAt: z.number().nullable(),
  /** This quota period's tokens, and this month's cost (null: no per-token price for the target). */
  periodTokens: z.number(),
  monthCost: z.number().nullable(),
});
export type ApiKeyInfo = z.infer<typeof ApiKeyInfo>;

export const ApiUsageRow = z.object({
  /** null: the server's start key (the owner's). */
  keyId: Id.nullable(),
  prefix: z.string().nullable(),
  targetKey: z.string(),
  requests: z.number(),
  errors: z.number(),
  promptTokens: z.number(),
  completionTokens: z.number(),
  meanLatencyMs: z.number(),
  cost: z.number().nullable(),
  currency: z.string().nullable(),
});
export type ApiUsageRow = z.infer<typeof ApiUsageRow>;

export const ApiBudgetAlert = z.object({ keyId: Id, prefix: z.string(), profileId: Id, spent: z.number(), budget: z.number(), currency: z.string(), fraction: z.number() });
export type ApiBudgetAlert = z.infer<typeof ApiBudgetAlert>;

export const apiServerCommands = {
  'apiServer.status': { input: Empty, output: ApiServerStatus, permission: 'view' },
  /** Returns the bearer key once, so the user can copy it; it is not shown again. */
  'apiServer.start': { input: ApiServerSettings, output: z.object({ status: ApiServerStatus, key: z.string() }), permission: 'admin' },
  'apiServer.stop': { input: Empty, output: ApiServerStatus, permission: 'admin' },
  /** A key for one profile: returned once (only its hash is stored); requests with it act as that profile. */
  'apiServer.issueKey': {
    input: ApiKeyLimits.extend({ profileId: Id, name: z.string().trim().min(1).max(200), scope: ApiKeyScope.default('inference') }),
    output: z.object({ key: z.string(), info: ApiKeyInfo }),
    permission: 'admin',
  },
  'apiServer.listKeys': { input: Empty, output: z.array(ApiKeyInfo), permission: 'admin' },
  'apiServer.revokeKey': { input: z.object({ keyId: Id }), output: ApiKeyInfo, permission: 'admin' },
  /** Usage per key and target since a time (default: the start of this month). */
  'apiServer.usage': { input: z.object({ since: z.number().int().min(0).nullable().default(null) }), output: z.array(ApiUsageRow), permission: 'admin' },
} as const satisfies Record<string, CommandSpec>;

export const apiServerEvents = {
  'apiServer.status': { payload: ApiServerStatus, permission: 'admin' },
  /** A key passed 80% of its monthly budget (sent once per key and month). */
  'apiServer.budgetAlert': { payload: ApiBudgetAlert, permission: 'admin' },
} as const satisfies Record<string, EventSpec>;
