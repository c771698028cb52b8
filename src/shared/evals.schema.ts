// Evaluations: prompt versions × targets × test rows, each output checked by assertions (and optionally a
// rubric judge), stored cell by cell so a run resumes where it stopped.
import { z } from 'zod';
import type { CommandSpec, EventSpec } from './commandSpec';
import { Assertion } from './assertions.schema';
import { Id } from './ids';
import { RunTarget, SamplingParams } from './runs.schema';

/** One cell column: `local:<modelId>` or `remote:<targetId>:<model>`. */
export function targetKey(t: RunTarget): string {
  if (t.kind === 'remote') return `remote:${t.targetId}:${t.model}`;
  // Base, base + adapter and each scale of a sweep are distinct columns; a plain local key stays as it was.
  const adapters = (t.adapters ?? []).map((a) => `+${a.adapterId}@${a.scale}`).join('');
  return `local:${t.modelId}${adapters}`;
}

const Name = z.string().trim().min(1).max(200);
const FilePath = z.string().min(1).max(4096);

export const EvalRowInput = z.object({
  variables: z.record(z.string().max(100), z.string().max(1_000_000)).default({}),
  expected: z.string().max(1_000_000).nullable().default(null),
  label: z.string().max(10_000).nullable().default(null),
});
export type EvalRowInput = z.input<typeof EvalRowInput>;

export const EvalRow = z.object({
  id: Id,
  /** 0-based, contiguous: the order rows are run and shown in. */
  position: z.number().int(),
  variables: z.record(z.string(), z.string()),
  expected: z.string().nullable(),
  label: z.string().nullable(),
});
export type EvalRow = z.infer<typeof EvalRow>;

/**
 * LLM-as-judge: the rubric, the output, the expected output and the row's variables go to modelTarget,
 * which must end its reply with "SCORE: N/scale". A reply without a readable score fails the check.
 */
export const JudgeConfig = z
  .object({
    /** May use the row's {{variables}}, like assertion values. */
    rubric: z.string().trim().min(1).max(20_000),
    /** Pass when the score (on the scale) is at least this. */
    min: z.number().min(0),
    scale: z.number().int().min(1).max(100).default(10),
    modelTarget: RunTarget,
    params: SamplingParams.prefault({ temperature: 0, seed: 1, maxTokens: 256 }),
  })
  .refine((j) => j.min <= j.scale, { message: 'min must be on the scale (0 to scale)', path: ['min'] });
export type JudgeConfig = z.infer<typeof JudgeConfig>;

/** In-flight runs per target. Local runs share one engine; more than its sequences just queue there. */
export const EvalConcurrency = z.object({
  local: z.number().int().min(1).max(16).default(1),
  remote: z.number().int().min(1).max(64).default(4),
});
export type EvalConcurrency = z.infer<typeof EvalConcurrency>;

export const EvalThresholds = z.object({
  /** Every (version, target) must pass at least this share of its rows (0–1). */
  minPassRate: z.number().min(0).max(1).optional(),
});
export type EvalThresholds = z.infer<typeof EvalThresholds>;

const definitionFields = {
  name: Name,
  /** Two versions make an A/B comparison (A first). */
  promptVersionIds: z
    .array(Id)
    .min(1)
    .max(20)
    .refine((v) => new Set(v).size === v.length, 'prompt versions must be distinct'),
  /** Empty: each version runs on the target saved in it. */
  targets: z
    .array(RunTarget)
    .max(20)
    .refine((t) => new Set(t.map(targetKey)).size === t.length, 'targets must be distinct')
    .default([]),
  assertions: z.array(Assertion).max(50).default([]),
  judge: JudgeConfig.nullable().default(null),
  /**
   * A `fields` check's template schema is sent as the response format of every case (local grammar,
   * json_schema / response_format) unless this is false: then each version's own schema, and outputs
   * are validated after. Optional, so definitions stored before it read as on.
   */
  constrainOutput: z.boolean().optional(),
  concurrency: EvalConcurrency.prefault({}),
  thresholds: EvalThresholds.prefault({}),
};

export const CreateEval = z
  .object({
    ...definitionFields,
    /** The rows are copied when the evaluation is created: later edits to the set do not change it. */
    testSetId: Id.nullable().default(null),
    rows: z.array(EvalRowInput).min(1).max(100_000).nullable().default(null),
  })
  .superRefine((e, ctx) => {
    if ((e.testSetId === null) === (e.rows === null)) {
      ctx.addIssue({ code: 'custom', path: ['testSetId'], message: 'give a testSetId or inline rows (one of them)' });
    }
    if (e.assertions.length === 0 && e.judge === null) {
      ctx.addIssue({ code: 'custom', path: ['assertions'], message: 'give at least one assertion or a judge' });
    }
  });
export type CreateEval = z.infer<typeof CreateEval>;
export type CreateEvalInput = z.input<typeof CreateEval>;

export const EvalDefinition = z.object({
  ...definitionFields,
  /** Where the rows were copied from (null: inline rows). */
  testSetId: Id.nullable(),
});
export type EvalDefinition = z.infer<typeof EvalDefinition>;

/** One (version, target) pair, named as it was when the evaluation was created. */
export const EvalColumn = z.object({
  versionId: Id,
  promptId: Id,
  promptName: z.string(),
  versionNumber: z.number().int(),
  targetKey: z.string(),
  target: RunTarget,
  targetName: z.string(),
  /** The target refused the template's schema (the server's words): the column ran unconstrained, validated after. */
  schemaRefused: z.string().optional(),
});
export type EvalColumn = z.infer<typeof EvalColumn>;

export const EvalStatus = z.enum(['pending', 'running', 'done', 'cancelled', 'interrupted']);
export type EvalStatus = z.infer<typeof EvalStatus>;

export const EvalInfo = z.object({
  id: Id,
  name: z.string(),
  definition: EvalDefinition,
  /** Cells run for each row, in this order; results' stats and row cells are aligned with it. */
  columns: z.array(EvalColumn),
  status: EvalStatus,
  /** {{image:name}} variables of the versions: the rows' values of these names are image hashes (thumbnails). */
  imageVariables: z.array(z.string()),
  /** The template whose schema every case's output is constrained to (null: none, or turned off). */
  outputSchema: z.object({ name: z.string(), jsonSchema: z.string() }).nullable(),
  rowCount: z.number().int(),
  /** Cells: columns × rows. */
  total: z.number().int(),
  /** Stored cells, errors included. */
  stored: z.number().int(),
  passed: z.number().int(),
  failed: z.number().int(),
  /** Cells whose run failed (not judged; the next start runs them again). */
  errors: z.number().int(),
  createdAt: z.number(),
  startedAt: z.number().nullable(),
  finishedAt: z.number().nullable(),
});
export type EvalInfo = z.infer<typeof EvalInfo>;

/** Throttled to at most 10 a second per evaluation; the last one (status not 'running') always comes. */
export const EvalProgress = z.object({
  evalId: Id,
  status: EvalStatus,
  /** Cells finished: stored before this start plus finished since, errors included. */
  done: z.number().int(),
  total: z.number().int(),
  passed: z.number().int(),
  failed: z.number().int(),
  errors: z.number().int(),
  running: z.number().int(),
});
export type EvalProgress = z.infer<typeof EvalProgress>;

export const CheckType = z.enum([
  'equals',
  'contains',
  'notContains',
  'regex',
  'isJson',
  'jsonSchema',
  'numeric',
  'classification',
  'maxLatency',
  'bleu',
  'rouge',
  'judge',
  'fields',
]);
export type CheckType = z.infer<typeof CheckType>;

/** One assertion's (or the judge's) verdict on one output. */
export const CheckResult = z.object({
  type: CheckType,
  pass: z.boolean(),
  score: z.number().nullable(),
  reason: z.string(),
  /** `fields` (extraction) only: per-field outcomes, and whether the output was valid JSON of the template. */
  fields: z.array(z.object({ field: z.string(), scored: z.boolean(), pass: z.boolean(), expected: z.string(), got: z.string(), reason: z.string() })).optional(),
  valid: z.boolean().optional(),
});
export type CheckResult = z.infer<typeof CheckResult>;

export const EvalCell = z.object({
  versionId: Id,
  targetKey: z.string(),
  runId: Id.nullable(),
  judgeRunId: Id.nullable(),
  output: z.string(),
  /** All checks passed (false for an error). */
  pass: z.boolean(),
  /** The row score the A/B comparison pairs (see rowScore in evals.service.ts). */
  score: z.number().nullable(),
  /** The run (or the judge's run) failed: not judged, and run again by the next start. */
  error: z.string().nullable(),
  checks: z.array(CheckResult),
  ttftMs: z.number().nullable(),
  e2eMs: z.number().nullable(),
  completionTokens: z.number().nullable(),
  finishedAt: z.number(),
});
export type EvalCell = z.infer<typeof EvalCell>;

/** Per (version, target): over stored cells without an error. */
export const EvalColumnStats = z.object({
  versionId: Id,
  targetKey: z.string(),
  n: z.number().int(),
  passed: z.number().int(),
  /** null until a cell is stored. */
  passRate: z.number().nullable(),
  errors: z.number().int(),
  /** Cells not stored yet. */
  pending: z.number().int(),
  /** Mean score per check type that gives one (BLEU 0–100, ROUGE F, judge on its scale, latency ms, …). */
  meanScores: z.record(z.string(), z.number()),
  /** Outputs a `fields` check found invalid (not JSON, or not matching the template's schema); they fail. */
  invalid: z.number().int(),
  meanRowScore: z.number().nullable(),
  meanTtftMs: z.number().nullable(),
  meanE2eMs: z.number().nullable(),
  meanCompletionTokens: z.number().nullable(),
});
export type EvalColumnStats = z.infer<typeof EvalColumnStats>;

export const EvalRowResult = EvalRow.extend({
  /** Aligned with eval.columns; null where the cell has not run yet. */
  cells: z.array(EvalCell.nullable()),
});
export type EvalRowResult = z.infer<typeof EvalRowResult>;

export const ThresholdFailure = z.object({ versionId: Id, targetKey: z.string(), message: z.string() });

export const ThresholdCheck = z.object({
  minPassRate: z.number().nullable(),
  /** Every cell stored without an error. */
  complete: z.boolean(),
  /** Complete, and every column meets the thresholds. */
  passed: z.boolean(),
  failures: z.array(ThresholdFailure),
});
export type ThresholdCheck = z.infer<typeof ThresholdCheck>;

export const EvalResults = z.object({
  eval: EvalInfo,
  /** Aligned with eval.columns. */
  stats: z.array(EvalColumnStats),
  rows: z.array(EvalRowResult),
  offset: z.number().int(),
  rowTotal: z.number().int(),
  thresholds: ThresholdCheck,
});
export type EvalResults = z.infer<typeof EvalResults>;

export const Verdict = z.enum(['B better', 'A better', 'no significant difference']);

export const EvalComparison = z.object({
  evalId: Id,
  versionA: Id,
  versionB: Id,
  targetKeyA: z.string(),
  targetKeyB: z.string(),
  /** Rows where both cells are stored without an error. */
  n: z.number().int(),
  /** 'passFail': the row score is pass as 0/1; 'score': the mean of the judge/BLEU/ROUGE scores (0–1). */
  scoreKind: z.enum(['passFail', 'score']),
  passRateA: z.number().nullable(),
  passRateB: z.number().nullable(),
  meanScoreA: z.number().nullable(),
  meanScoreB: z.number().nullable(),
  /** Invalid outputs of A's and B's columns (a `fields` check): each counted as a wrong document. */
  invalidA: z.number().int(),
  invalidB: z.number().int(),
  mcnemar: z.object({ onlyA: z.number(), onlyB: z.number(), bothPass: z.number(), bothFail: z.number(), pValue: z.number() }),
  bootstrap: z.object({
    meanDiff: z.number(),
    low: z.number(),
    high: z.number(),
    confidence: z.number(),
    resamples: z.number(),
    pNotBetter: z.number(),
  }),
  verdict: Verdict,
  /** The verdict in a sentence, with the numbers behind it. */
  explanation: z.string(),
});
export type EvalComparison = z.infer<typeof EvalComparison>;

const EvalId = z.object({ evalId: Id });

export const evalsCommands = {
  /** Stores the definition and copies its rows; runs nothing (evals.start does). */
  'evals.create': { input: CreateEval, output: EvalInfo, permission: 'run' },
  'evals.list': { input: z.object({ limit: z.number().int().min(1).max(1000).default(100) }), output: z.array(EvalInfo), permission: 'view' },
  'evals.get': { input: EvalId, output: EvalInfo, permission: 'view' },
  /** Runs the cells not stored yet (or stored with an error): a first start, or a resume. CONFLICT while running. */
  'evals.start': { input: EvalId, output: z.object({ evalId: Id, total: z.number().int(), skipped: z.number().int() }), permission: 'run' },
  /** Stops scheduling and cancels the runs in flight; stored cells stay for the next start. */
  'evals.cancel': { input: EvalId, output: z.object({ cancelled: z.boolean() }), permission: 'run' },
  /** The evaluation and its cells; the runs stay in history. CONFLICT while running. */
  'evals.remove': { input: EvalId, output: z.object({ removed: z.boolean() }), permission: 'manageData' },
  /** Stats per (version, target) and a page of rows with every cell side by side. */
  'evals.results': {
    input: EvalId.extend({ offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(1000).default(200) }),
    output: EvalResults,
    permission: 'view',
  },
  /**
   * Paired A/B test on the rows both versions have: McNemar's exact test on pass/fail and a seeded paired
   * bootstrap CI of mean(B − A) on the row score. target: the column both ran on; omit it when each version
   * ran on its own target, or when the evaluation has one.
   */
  'evals.compare': {
    input: EvalId.extend({ versionA: Id, versionB: Id, target: RunTarget.nullable().default(null) }),
    output: EvalComparison,
    permission: 'view',
  },
  /** CSV: one line per cell, RFC 4180 quoting. JSON: the full results with every A/B comparison. */
  'evals.export': {
    input: EvalId.extend({ format: z.enum(['csv', 'json']), path: FilePath }),
    output: z.object({ path: z.string(), format: z.enum(['csv', 'json']), cells: z.number().int(), bytes: z.number().int() }),
    permission: 'export',
  },
} as const satisfies Record<string, CommandSpec>;

export const evalsEvents = {
  'evals.progress': { payload: EvalProgress, permission: 'run' },
} as const satisfies Record<string, EventSpec>;

export type EvalCommands = typeof evalsCommands;
export type EvalCommandName = keyof EvalCommands;
