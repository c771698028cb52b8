// One prompt run on several targets at once, stored so it can be reopened.
import { z } from 'zod';
import type { CommandSpec, EventSpec } from './commandSpec';
import { Id } from './ids';
import { ClientRunId, PromptInput, RunRecord, RunTarget, SamplingParams } from './runs.schema';

export const CompareRequest = PromptInput.extend({
  params: SamplingParams.default(SamplingParams.parse({})),
  jsonSchema: z.string().max(200_000).nullable().default(null),
  columns: z.array(RunTarget).min(1).max(8),
  /** One client-chosen id per column (see ClientRunId), so the view can match chunks as they arrive. */
  runIds: z.array(ClientRunId).min(1).max(8).optional(),
}).refine((r) => r.runIds === undefined || r.runIds.length === r.columns.length, {
  message: 'give one run id per column',
  path: ['runIds'],
});
export type CompareRequest = z.infer<typeof CompareRequest>;

export const Comparison = z.object({
  id: Id,
  createdAt: z.number(),
  systemPrompt: z.string(),
  userMessage: z.string(),
  variables: z.record(z.string(), z.string()),
  params: SamplingParams,
  jsonSchema: z.string().nullable(),
  /** One run per column, in column order. */
  runIds: z.array(Id),
});
export type Comparison = z.infer<typeof Comparison>;

export const ComparisonSummary = z.object({
  id: Id,
  createdAt: z.number(),
  userMessage: z.string(),
  columns: z.array(z.object({ runId: Id, modelName: z.string(), target: RunTarget })),
});
export type ComparisonSummary = z.infer<typeof ComparisonSummary>;

export const compareCommands = {
  'compare.start': { input: CompareRequest, output: z.object({ comparisonId: Id, runIds: z.array(Id) }), permission: 'run' },
  'compare.list': { input: z.object({ limit: z.number().int().min(1).max(500).default(50) }), output: z.array(ComparisonSummary), permission: 'view' },
  'compare.get': { input: z.object({ comparisonId: Id }), output: z.object({ comparison: Comparison, runs: z.array(RunRecord) }), permission: 'view' },
} as const satisfies Record<string, CommandSpec>;

export const compareEvents = {} as const satisfies Record<string, EventSpec>;
