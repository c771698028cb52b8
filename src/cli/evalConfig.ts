// The `lamplight eval --config FILE.json` format, and turning it into a stored evaluation: prompts created
// (or reused by name) through the prompt library, local models added and loaded, remote targets added (or
// reused by URL), and test rows read inline, from JSON, or from CSV/JSONL as test set import reads them.
import { readFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { z } from 'zod';
import { Assertion } from '../shared/assertions.schema';
import { CreateEval, EvalConcurrency, EvalThresholds, type EvalRowInput } from '../shared/evals.schema';
import { PromptContent } from '../shared/prompts.schema';
import { Id } from '../shared/ids';
import { LoadSettings } from '../shared/engine.schema';
import { SamplingParams, type RunTarget } from '../shared/runs.schema';
import { BaseUrl } from '../shared/targets.schema';
import type { Core } from '../core/createCore';
import { contentHash } from '../core/prompts/prompts.service';
import { applyMapping, suggestMapping } from '../core/testsets/mapping';
import { openTable } from '../core/io/tableSource';
import { UsageError } from './main';
import { resolveModel } from './resolveModel';

const Cell = z.union([z.string(), z.number(), z.boolean()]).transform(String);

const TargetSpec = z.union([
  z
    .object({
      targetUrl: z.string(),
      model: z.string().min(1).max(500),
      key: z.string().max(8192).optional(),
      /** Read the key from this environment variable (keeps it out of the file). */
      keyEnv: z.string().min(1).optional(),
    })
    .strict(),
  z.object({ model: z.string().min(1), settings: LoadSettings.partial().optional() }).strict(),
]);
type TargetSpec = z.infer<typeof TargetSpec>;

const TestCase = z
  .object({
    vars: z.record(z.string(), Cell).default({}),
    expected: Cell.nullable().default(null),
    label: Cell.nullable().default(null),
  })
  .strict();

export const EvalConfig = z
  .object({
    name: z.string().trim().min(1).max(200),
    /** A stored version by id, or a prompt by name with its content (messages, params, persona, …). */
    prompts: z
      .array(z.union([z.object({ versionId: Id }).strict(), z.looseObject({ name: z.string().trim().min(1).max(200), messages: z.array(z.unknown()) })]))
      .min(1)
      .max(20),
    targets: z.array(TargetSpec).max(20).default([]),
    tests: z.union([z.array(TestCase).min(1), z.object({ testSetPath: z.string().min(1) }).strict()]),
    assertions: z.array(Assertion).default([]),
    judge: z
      .object({ rubric: z.string(), min: z.number(), scale: z.number().optional(), params: SamplingParams.partial().optional(), target: TargetSpec })
      .strict()
      .optional(),
    concurrency: EvalConcurrency.optional(),
    thresholds: EvalThresholds.optional(),
  })
  .strict();
export type EvalConfig = z.infer<typeof EvalConfig>;

const issues = (e: z.ZodError, prefix = '') => e.issues.map((i) => `${[prefix, ...i.path].filter((p) => p !== '').join('.') || 'config'}: ${i.message}`).join('; ');

/** The file as JSON, checked; every problem is a usage error naming the file and the field. */
export function readEvalConfig(file: string): EvalConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read --config "${file}": ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--config "${file}" is not JSON: ${(e as Error).message}`);
  }
  const parsed = EvalConfig.safeParse(json);
  if (!parsed.success) throw new UsageError(`--config "${file}": ${issues(parsed.error)}`);
  return parsed.data;
}

/** CSV or JSONL through the test set reader (header or keys mapped as an import suggests), or a JSON array of tests. */
export async function readTestFile(path: string): Promise<EvalRowInput[]> {
  if (extname(path).toLowerCase() === '.json') {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      throw new UsageError(`tests.testSetPath "${path}": ${(e as Error).message}`);
    }
    const parsed = z.array(TestCase).min(1).safeParse(json);
    if (!parsed.success) throw new UsageError(`tests.testSetPath "${path}": ${issues(parsed.error)}`);
    return parsed.data.map((t) => ({ variables: t.vars, expected: t.expected, label: t.label }));
  }
  let file;
  try {
    file = await openTable(path, { format: 'auto' });
  } catch (e) {
    throw new UsageError(`tests.testSetPath: ${(e as Error).message}`);
  }
  const columns: string[] = [];
  const rows: { line: number; values: Record<string, string | null> }[] = [];
  const bad: string[] = [];
  try {
    for await (const batch of file.items) {
      for (const item of batch) {
        if (item.kind === 'header') columns.push(...item.columns);
        else if (item.kind === 'bad') bad.push(`line ${item.line}: ${item.reason}`);
        else {
          rows.push(item);
          if (file.format === 'jsonl') for (const k of Object.keys(item.values)) if (!columns.includes(k)) columns.push(k);
        }
      }
    }
  } finally {
    await file.close();
  }
  if (bad.length > 0) throw new UsageError(`tests.testSetPath "${path}": ${bad.slice(0, 3).join('; ')}${bad.length > 3 ? ` (and ${bad.length - 3} more)` : ''}`);
  if (rows.length === 0) throw new UsageError(`tests.testSetPath "${path}" has no rows`);
  const mapping = suggestMapping(columns);
  return rows.map((r) => {
    const m = applyMapping(r.values, mapping);
    if (!m.ok) throw new UsageError(`tests.testSetPath "${path}" line ${r.line}: ${m.reason}`);
    return { variables: m.variables, expected: m.expected, label: m.label };
  });
}

async function resolveTarget(core: Core, spec: TargetSpec, baseDir: string, where: string, loaded: { done: boolean }): Promise<RunTarget> {
  if ('targetUrl' in spec) {
    const url = BaseUrl.safeParse(spec.targetUrl);
    if (!url.success) throw new UsageError(`${where}.targetUrl: ${url.error.issues[0]?.message ?? 'invalid URL'}`);
    let key = spec.key ?? null;
    if (spec.keyEnv) {
      key = process.env[spec.keyEnv] ?? null;
      if (key === null) throw new UsageError(`${where}.keyEnv: the environment variable ${spec.keyEnv} is not set`);
    }
    const existing = (await core.invoke('targets.list', {})).find((t) => t.baseUrls.includes(url.data));
    const target = existing
      ? key !== null
        ? await core.invoke('targets.update', { targetId: existing.id, patch: { apiKey: key } })
        : existing
      : await core.invoke('targets.add', { name: new URL(url.data).host, baseUrls: [url.data], apiKey: key });
    return { kind: 'remote', targetId: target.id, model: spec.model };
  }
  const isId = (await core.invoke('models.list', {})).some((m) => m.id === spec.model);
  const model = await resolveModel(core, isId ? spec.model : resolve(baseDir, spec.model));
  // The first local model is loaded with these settings; the evaluation loads any other one in turn.
  if (!loaded.done) {
    await core.invoke('engine.load', { modelId: model.id, settings: { gpu: 'cpu', ...spec.settings } });
    loaded.done = true;
  }
  return { kind: 'local', modelId: model.id };
}

/** Creates the prompt, or a new version when its latest differs, or reuses the latest when it is the same. */
async function resolvePrompt(core: Core, entry: EvalConfig['prompts'][number], where: string): Promise<string> {
  if ('versionId' in entry && typeof entry.versionId === 'string') return entry.versionId;
  const { name, description, ...fields } = entry as { name: string; description?: unknown };
  const content = PromptContent.safeParse(fields);
  if (!content.success) throw new UsageError(issues(content.error, where));
  const existing = (await core.invoke('prompts.list', {})).find((p) => p.name.toLowerCase() === name.toLowerCase());
  if (!existing) {
    const desc = typeof description === 'string' ? description : '';
    return (await core.invoke('prompts.create', { name, description: desc, content: content.data, message: 'from lamplight eval', author: 'cli' })).version.id;
  }
  if (existing.latest.contentHash === contentHash(content.data)) return existing.latest.id;
  return (await core.invoke('prompts.saveVersion', { promptId: existing.id, parentId: existing.latest.id, content: content.data, message: 'from lamplight eval', author: 'cli' })).id;
}

/** The stored-evaluation definition the file describes; model paths and testSetPath are relative to the file. */
export async function definitionFromConfig(core: Core, config: EvalConfig, file: string): Promise<CreateEval> {
  const baseDir = dirname(resolve(file));
  const rows = Array.isArray(config.tests)
    ? config.tests.map((t) => ({ variables: t.vars, expected: t.expected, label: t.label }))
    : await readTestFile(resolve(baseDir, config.tests.testSetPath));
  const promptVersionIds: string[] = [];
  for (const [i, p] of config.prompts.entries()) promptVersionIds.push(await resolvePrompt(core, p, `prompts.${i}`));
  const engine = await core.invoke('engine.status', {});
  const loaded = { done: engine.state === 'ready' && engine.modelId !== null };
  const targets: RunTarget[] = [];
  for (const [i, t] of config.targets.entries()) targets.push(await resolveTarget(core, t, baseDir, `targets.${i}`, loaded));
  const judge = config.judge
    ? { ...config.judge, params: { temperature: 0, seed: 1, maxTokens: 256, ...config.judge.params }, modelTarget: await resolveTarget(core, config.judge.target, baseDir, 'judge.target', loaded) }
    : null;
  const parsed = CreateEval.safeParse({
    name: config.name,
    promptVersionIds,
    targets,
    rows,
    assertions: config.assertions,
    judge,
    concurrency: config.concurrency,
    thresholds: config.thresholds,
  });
  if (!parsed.success) throw new UsageError(`--config "${file}": ${issues(parsed.error)}`);
  return parsed.data;
}
