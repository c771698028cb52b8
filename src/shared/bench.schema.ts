// The cost and latency lab: benchmark runs (targets × workload × load shape) measured with vLLM
// benchmark_serving's definitions, cost profiles per target, and the cost model that turns measured
// throughput into money. Cost profiles keep their wire names (costs.*, the `profile` field of costs.set).
import { z } from 'zod';
import { Empty, type CommandSpec, type EventSpec } from './commandSpec';
import { Id } from './ids';
import { MAX_IMAGES_PER_RUN } from './images.schema';
import { RunTarget } from './runs.schema';

const Ms = z.number().min(0);

/** Where an image workload's images come from: generated deterministically (sharp), or a test set's image column. */
export const BenchImageSource = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('generated'),
    count: z.number().int().min(1).max(256).default(8),
    width: z.number().int().min(16).max(4096).default(640),
    height: z.number().int().min(16).max(4096).default(480),
    /** gradient: smooth colour ramps (small files); noise: seeded random pixels (worst case for encoders). */
    pattern: z.enum(['gradient', 'noise']).default('gradient'),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
  }),
  z.object({ kind: z.literal('testset'), testSetId: Id, column: z.string().min(1).max(100) }),
]);
export type BenchImageSource = z.infer<typeof BenchImageSource>;

export const Workload = z.discriminatedUnion('kind', [
  /** Prompts of about inputLen tokens asking for exactly outputLen tokens (ignore EOS where the target allows). */
  z.object({ kind: z.literal('synthetic'), inputLen: z.number().int().min(1).max(32_768).default(128), outputLen: z.number().int().min(1).max(8192).default(64), seed: z.number().int().default(0) }),
  /** User turns of a dataset's rows (accepted rows when any, else all), in order, cycled. */
  z.object({ kind: z.literal('dataset'), datasetId: Id, outputLen: z.number().int().min(1).max(8192).default(128) }),
  /** A test set's rows rendered through a prompt version. */
  z.object({ kind: z.literal('testset'), testSetId: Id, promptVersionId: Id, outputLen: z.number().int().min(1).max(8192).default(128) }),
  /** Prompts given inline (the CLI's --prompts FILE reads into this). */
  z.object({ kind: z.literal('prompts'), prompts: z.array(z.string().max(200_000)).min(1).max(100_000), outputLen: z.number().int().min(1).max(8192).default(128) }),
  /** The same prompt with `perRequest` images each; request i takes images i·k … i·k+k−1 (cycling). */
  z.object({
    kind: z.literal('images'),
    images: BenchImageSource,
    perRequest: z.number().int().min(1).max(MAX_IMAGES_PER_RUN).default(1),
    prompt: z.string().trim().min(1).max(20_000).default('Describe the image in one sentence.'),
    outputLen: z.number().int().min(1).max(8192).default(64),
  }),
]);
export type Workload = z.infer<typeof Workload>;
export type WorkloadInput = z.input<typeof Workload>;

/** Fixed concurrency, or a request rate with Poisson arrivals (vLLM's --request-rate), optionally capped. */
export const LoadShape = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('concurrency'), concurrency: z.number().int().min(1).max(1024) }),
  z.object({ kind: z.literal('rate'), requestsPerSec: z.number().positive().max(10_000), maxConcurrency: z.number().int().min(1).max(1024).nullable().default(null), seed: z.number().int().default(0) }),
]);
export type LoadShape = z.infer<typeof LoadShape>;
export type LoadShapeInput = z.input<typeof LoadShape>;

export const Slo = z.object({ ttftMs: Ms.nullable().default(1000), tpotMs: Ms.nullable().default(50), e2elMs: Ms.nullable().default(null) });
export type Slo = z.infer<typeof Slo>;

export const BenchTarget = z.object({ target: RunTarget, label: z.string().max(200).optional() });

export const BenchDefinition = z.object({
  name: z.string().trim().min(1).max(200),
  targets: z.array(BenchTarget).min(1).max(12),
  workload: Workload,
  /** Each shape is one point of a sweep (e.g. concurrency 1, 2, 4). */
  loads: z.array(LoadShape).min(1).max(16),
  warmupRequests: z.number().int().min(0).max(1000).default(2),
  /** Requests per (target, load); or a duration. */
  requests: z.number().int().min(1).max(100_000).default(50),
  durationSec: z.number().positive().max(86_400).nullable().default(null),
  slo: Slo.default(Slo.parse({})),
});
export type BenchDefinition = z.infer<typeof BenchDefinition>;
export type BenchDefinitionInput = z.input<typeof BenchDefinition>;

/** mean, median, p90, p95, p99 in ms (numpy-style linear percentiles, as vLLM reports them). */
export const Dist = z.object({ mean: z.number(), median: z.number(), p90: z.number(), p95: z.number(), p99: z.number() });
export type Dist = z.infer<typeof Dist>;

/** An image workload's cell: what was sent, and the time spent on images (from the run records). */
export const BenchImageMetrics = z.object({
  perRequest: z.number().int(),
  /** Images sent in completed requests. */
  total: z.number().int(),
  /** Mean size of the workload's images, in pixels and stored bytes. */
  width: z.number(),
  height: z.number(),
  meanBytes: z.number(),
  /** Preparing a request's images here (decode, strip, downscale, re-encode); null: no run reported it. */
  prepareMs: Dist.nullable(),
  /** The server's image-encode time per request, where it reports it; null: none did. */
  encodeMs: Dist.nullable(),
});
export type BenchImageMetrics = z.infer<typeof BenchImageMetrics>;

/** One (target, load) cell: the names match vLLM benchmark_serving's result keys where it has them. */
export const BenchResult = z.object({
  targetKey: z.string(),
  targetLabel: z.string(),
  load: LoadShape,
  completed: z.number().int(),
  failed: z.number().int(),
  durationSec: z.number(),
  totalInputTokens: z.number().int(),
  totalOutputTokens: z.number().int(),
  requestThroughput: z.number(),
  outputThroughput: z.number(),
  totalTokenThroughput: z.number(),
  /** Requests per second that met every SLO. */
  goodput: z.number().nullable(),
  goodputPct: z.number().nullable(),
  ttftMs: Dist,
  tpotMs: Dist,
  itlMs: Dist,
  e2elMs: Dist,
  /** Local targets: prompt processing and token generation rates as llama-bench reports them (tok/s). */
  ppTokPerSec: z.number().nullable(),
  tgTokPerSec: z.number().nullable(),
  /** Sorted per-request values for CDF charts (capped at 2,000 points). */
  ttftSamples: z.array(z.number()),
  e2elSamples: z.array(z.number()),
  /** Image workloads only. */
  images: BenchImageMetrics.nullable().optional(),
  errors: z.array(z.string()).max(20),
});
export type BenchResult = z.infer<typeof BenchResult>;

export const BenchState = z.enum(['pending', 'running', 'done', 'cancelled', 'failed']);
export const BenchRun = z.object({
  id: Id,
  name: z.string(),
  definition: BenchDefinition,
  state: BenchState,
  results: z.array(BenchResult),
  error: z.string().nullable(),
  createdAt: z.number(),
  finishedAt: z.number().nullable(),
});
export type BenchRun = z.infer<typeof BenchRun>;
export const BenchRunSummary = BenchRun.pick({ id: true, name: true, state: true, createdAt: true, finishedAt: true }).extend({ targets: z.array(z.string()) });

export const BenchProgress = z.object({
  benchId: Id,
  state: BenchState,
  /** Requests finished over all cells, and the total planned (null for duration-bound runs). */
  done: z.number().int(),
  total: z.number().int().nullable(),
  cell: z.string().nullable(),
  result: BenchResult.nullable(),
});
export type BenchProgress = z.infer<typeof BenchProgress>;

/** A cost profile: how a target is paid for. All money in the cost profile's currency. */
export const CostProfile = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('api'), currency: z.string().min(1).max(8).default('$'), inputPer1M: z.number().min(0), outputPer1M: z.number().min(0) }),
  z.object({
    kind: z.enum(['server', 'edge']),
    currency: z.string().min(1).max(8).default('$'),
    purchasePrice: z.number().min(0),
    amortizationMonths: z.number().positive().max(240),
    powerWatts: z.number().min(0),
    electricityPerKwh: z.number().min(0),
    hostingPerMonth: z.number().min(0).default(0),
    /** Share of the month the hardware serves requests at the measured throughput (0–1]. */
    utilization: z.number().positive().max(1).default(0.5),
  }),
]);
export type CostProfile = z.infer<typeof CostProfile>;

export const StoredCostProfile = z.object({ targetKey: z.string(), label: z.string(), profile: CostProfile, updatedAt: z.number() });

export const benchCommands = {
  'bench.start': { input: BenchDefinition, output: z.object({ benchId: Id }), permission: 'run' },
  'bench.cancel': { input: z.object({ benchId: Id }), output: z.object({ cancelled: z.boolean() }), permission: 'run' },
  'bench.list': { input: z.object({ limit: z.number().int().min(1).max(500).default(50) }), output: z.array(BenchRunSummary), permission: 'view' },
  'bench.get': { input: z.object({ benchId: Id }), output: BenchRun, permission: 'view' },
  'bench.remove': { input: z.object({ benchId: Id }), output: z.object({ removed: z.boolean() }), permission: 'manageData' },
  /** HTML report with the charts, plus CSV and JSON of the raw numbers, written beside `path`. */
  'bench.export': { input: z.object({ benchId: Id, path: z.string().min(1).max(4096) }), output: z.object({ files: z.array(z.string()) }), permission: 'export' },
  'costs.list': { input: Empty, output: z.array(StoredCostProfile), permission: 'view' },
  'costs.set': { input: z.object({ targetKey: z.string().min(1).max(500), label: z.string().max(200), profile: CostProfile }), output: StoredCostProfile, permission: 'manageModels' },
  'costs.remove': { input: z.object({ targetKey: z.string().min(1).max(500) }), output: z.object({ removed: z.boolean() }), permission: 'manageModels' },
} as const satisfies Record<string, CommandSpec>;

export const benchEvents = {
  'bench.progress': { payload: BenchProgress, permission: 'run' },
} as const satisfies Record<string, EventSpec>;
