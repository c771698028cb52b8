// Evaluations: every (prompt version, target) column runs every test row through runs.start (source 'eval',
// so each cell's run is in history), checks the output, and stores the cell as it finishes. A start skips
// stored cells, so starting again after a cancel, a crash or a closed app resumes where it stopped.
import { EventEmitter } from 'node:events';
import {
  targetKey,
  type CreateEval,
  type EvalColumn,
  type EvalComparison,
  type EvalDefinition,
  type EvalInfo,
  type EvalProgress,
  type EvalResults,
  type EvalRow,
} from '../../shared/evals.schema';
import { ulid } from '../../shared/ids';
import { LoadSettings } from '../../shared/engine.schema';
import { type RunTarget } from '../../shared/runs.schema';
import { extractImageVariables, isImageHash } from '../../shared/imageVars';
import { extractVariables } from '../../shared/template';
import type { AdaptersService } from '../adapters/adapters.service';
import type { EngineService } from '../engine/engine.service';
import { CoreError } from '../errors';
import type { ModelsService } from '../models/models.service';
import type { PromptsService } from '../prompts/prompts.service';
import type { TargetsService } from '../targets/targets.service';
import { EvalJob, type Cell, type EvalRuns, type EvalTargets } from './evalJob';
import { buildResults, compareVersions, exportResults, resultsJson, type EvalExport } from './evalResults';
import { cellKey, type EvalsRepo, type StoredEval, type VersionTemplate } from './evals.repo';
import { assertionVariableProblems } from './assertions';
import { outputConstraint, type TemplateNames } from './outputSchema';

export type { EvalRuns, EvalTargets } from './evalJob';

export interface EvalRowSourceRow {
  id: string;
  variables: Record<string, string>;
  expected: string | null;
  label: string | null;
}

/** Test set rows, in order (createCore wires the test sets service through testSetRowsSource). */
export interface EvalRowsSource {
  rows(testSetId: string): Promise<EvalRowSourceRow[]>;
}

/** Pages through a test set's rows (the TestSetsService's rows(), or the testsets.rows command). */
export function testSetRowsSource(testSets: {
  rows(testSetId: string, offset: number, limit: number): { rows: EvalRowSourceRow[]; total: number } | Promise<{ rows: EvalRowSourceRow[]; total: number }>;
}): EvalRowsSource {
  return {
    async rows(testSetId) {
      const out: EvalRowSourceRow[] = [];
      for (;;) {
        const page = await testSets.rows(testSetId, out.length, 1000);
        out.push(...page.rows);
        if (page.rows.length === 0 || out.length >= page.total) return out;
      }
    },
  };
}

export type EvalPrompts = Pick<PromptsService, 'version' | 'get' | 'render'>;

export interface EvalsDeps {
  repo: EvalsRepo;
  runs: EvalRuns;
  prompts: EvalPrompts;
  rows: EvalRowsSource;
  targets: EvalTargets;
  now?: () => number;
  /** The image store: rows' images stay while an evaluation refers to them (it can be run again). */
  images?: { registerRefs(name: string, refs: () => Iterable<string>): void };
  /** Extraction templates' names, for the schema a `fields` check constrains output to. */
  templateNames?: TemplateNames;
}

/** The {{image:name}} variables of an evaluation's versions, in order. */
export function templateImageVariables(templates: Readonly<Record<string, VersionTemplate>>): string[] {
  return extractImageVariables(...Object.values(templates).flatMap((t) => [t.systemPrompt, t.userMessage]));
}

/** The schema every version's output was constrained to when the evaluation was created (null: none). */
function outputSchemaOf(templates: Readonly<Record<string, VersionTemplate>>): EvalInfo['outputSchema'] {
  const t = Object.values(templates).find((x) => x.schemaName !== undefined && x.jsonSchema !== null);
  return t ? { name: t.schemaName as string, jsonSchema: t.jsonSchema as string } : null;
}

/** The engine, models and remote targets of a core as EvalTargets. */
export function coreEvalTargets(c: { engine: EngineService; models: ModelsService; targets: TargetsService; adapters?: Pick<AdaptersService, 'resolveUses'> }): EvalTargets {
  return {
    async ensureReady(t) {
      if (t.kind !== 'local' || c.engine.loadedModelId === t.modelId) return;
      const m = c.models.get(t.modelId);
      await c.engine.load(m.id, m.path, c.engine.status.settings ?? LoadSettings.parse({}));
    },
    describe(t) {
      try {
        if (t.kind === 'remote') return c.targets.displayName(t.targetId, t.model);
        const m = c.models.get(t.modelId);
        const base = m.metadata.name ?? m.fileName;
        // "base + adapter@scale": base, adapter and each scale of a sweep read as different columns.
        if (!t.adapters?.length || !c.adapters) return base;
        return [base, ...c.adapters.resolveUses(t.adapters).map((a) => a.label)].join(' + ');
      } catch {
        return targetKey(t);
      }
    },
  };
}

export class EvalsService extends EventEmitter<{ progress: [EvalProgress] }> {
  private readonly jobs = new Map<string, { job: EvalJob; usesLocal: boolean; finished: Promise<EvalInfo> }>();
  private readonly repo: EvalsRepo;
  private readonly now: () => number;

  constructor(private readonly deps: EvalsDeps) {
    super();
    this.repo = deps.repo;
    this.now = deps.now ?? Date.now;
    this.repo.markInterrupted(this.now());
    deps.images?.registerRefs('evals', () => this.imageRefs());
  }

  private *imageRefs(): Generator<string> {
    for (const e of this.repo.list(Number.MAX_SAFE_INTEGER)) {
      const names = templateImageVariables(e.templates);
      if (names.length === 0) continue;
      for (const row of this.repo.rows(e.id)) for (const n of names) if (isImageHash(row.variables[n])) yield row.variables[n] as string;
    }
  }

  private stored(evalId: string): StoredEval {
    const e = this.repo.get(evalId);
    if (!e) throw new CoreError('NOT_FOUND', `No evaluation with id ${evalId}`);
    return e;
  }

  private info(e: StoredEval): EvalInfo {
    return {
      id: e.id,
      name: e.name,
      definition: e.definition,
      columns: e.columns,
      status: e.status,
      imageVariables: templateImageVariables(e.templates),
      outputSchema: outputSchemaOf(e.templates),
      rowCount: e.rowCount,
      total: e.rowCount * e.columns.length,
      stored: e.stored,
      passed: e.passed,
      failed: e.failed,
      errors: e.errors,
      createdAt: e.createdAt,
      startedAt: e.startedAt,
      finishedAt: e.finishedAt,
    };
  }

  get(evalId: string): EvalInfo {
    return this.info(this.stored(evalId));
  }

  list(limit: number): EvalInfo[] {
    return this.repo.list(limit).map((e) => this.info(e));
  }

  async create(input: CreateEval): Promise<EvalInfo> {
    const { rows: inlineRows, testSetId, ...rest } = input;
    const definition: EvalDefinition = { ...rest, testSetId };
    const { columns, templates } = this.columnsFor(definition);
    this.checkJudge(definition, columns);

    const source = testSetId !== null ? await this.deps.rows.rows(testSetId) : (inlineRows ?? []).map((r) => ({ id: ulid(), ...r }));
    if (source.length === 0) throw new CoreError('BAD_INPUT', 'testSetId: the test set has no rows');
    const rows: EvalRow[] = source.map((r, position) => ({ id: r.id, position, variables: r.variables, expected: r.expected, label: r.label }));
    this.checkVariables(columns, templates, rows);
    const unknown = assertionVariableProblems(definition.assertions, rows);
    if (unknown.length > 0) throw new CoreError('BAD_INPUT', unknown.slice(0, 3).join('; '));

    const id = ulid();
    this.repo.insert({ id, name: definition.name, definition, columns, templates, createdAt: this.now() }, rows);
    return this.get(id);
  }

  /** Columns in order: each version on each target (or on its own saved target), named now. */
  private columnsFor(def: EvalDefinition): { columns: EvalColumn[]; templates: Record<string, VersionTemplate> } {
    const columns: EvalColumn[] = [];
    const templates: Record<string, VersionTemplate> = {};
    const constraint = outputConstraint(def, this.deps.templateNames);
    def.promptVersionIds.forEach((versionId, i) => {
      const v = this.deps.prompts.version(versionId);
      const promptName = this.deps.prompts.get(v.promptId).prompt.name;
      // Rendered without values: {{variables}} stay for runs.start, which fills them and stores them with the run.
      const r = this.deps.prompts.render(versionId, {});
      // The template's schema replaces the version's own: every version is held to what the check scores.
      templates[versionId] = constraint
        ? { ...r.playground, params: r.params, jsonSchema: constraint.jsonSchema, schemaName: constraint.name }
        : { ...r.playground, params: r.params, jsonSchema: r.jsonSchema };
      const targets = def.targets.length > 0 ? def.targets : v.content.target ? [v.content.target] : [];
      if (targets.length === 0) {
        throw new CoreError('BAD_INPUT', `promptVersionIds.${i}: "${promptName}" v${v.number} has no saved target; give targets`);
      }
      for (const target of targets) {
        columns.push({ versionId, promptId: v.promptId, promptName, versionNumber: v.number, targetKey: targetKey(target), target, targetName: this.deps.targets.describe(target) });
      }
    });
    return { columns, templates };
  }

  /** One local model is loaded at a time, so a local judge must be the model local columns run on. */
  private checkJudge(def: EvalDefinition, columns: readonly EvalColumn[]): void {
    const judge = def.judge?.modelTarget;
    if (judge?.kind !== 'local') return;
    const other = columns.find((c) => c.target.kind === 'local' && c.target.modelId !== judge.modelId);
    if (other) {
      throw new CoreError(
        'BAD_INPUT',
        `judge.modelTarget: a local judge must be the local model the evaluation runs on (${other.targetName}); one local model is loaded at a time — use that model or a remote judge`,
      );
    }
  }

  private checkVariables(columns: readonly EvalColumn[], templates: Record<string, VersionTemplate>, rows: readonly EvalRow[]): void {
    const problems: string[] = [];
    for (const c of columns.filter((x, i) => columns.findIndex((y) => y.versionId === x.versionId) === i)) {
      const t = templates[c.versionId] as VersionTemplate;
      const used = extractVariables(t.systemPrompt, t.userMessage);
      const images = extractImageVariables(t.systemPrompt, t.userMessage);
      for (const row of rows) {
        const missing = used.filter((n) => !Object.prototype.hasOwnProperty.call(row.variables, n)).map((n) => `{{${n}}}`);
        // An image variable takes the row's value of the same name: a stored image's hash (an image column).
        missing.push(...images.filter((n) => !isImageHash(row.variables[n])).map((n) => `image for {{image:${n}}}`));
        if (missing.length > 0) problems.push(`row ${row.position + 1}${row.label ? ` (${row.label})` : ''} has no ${missing.join(', ')} for "${c.promptName}" v${c.versionNumber}`);
      }
    }
    if (problems.length > 0) {
      const more = problems.length > 3 ? ` (and ${problems.length - 3} more)` : '';
      throw new CoreError('BAD_INPUT', `rows: ${problems.slice(0, 3).join('; ')}${more}`);
    }
  }

  /** Runs every cell not stored yet (or stored with an error) in the background. */
  start(evalId: string): { evalId: string; total: number; skipped: number } {
    if (this.jobs.has(evalId)) throw new CoreError('CONFLICT', 'This evaluation is already running');
    const e = this.stored(evalId);
    const usesLocal = e.columns.some((c) => c.target.kind === 'local') || e.definition.judge?.modelTarget.kind === 'local';
    const other = usesLocal ? [...this.jobs.values()].find((j) => j.usesLocal) : undefined;
    if (other) throw new CoreError('CONFLICT', `Evaluation "${other.job.ev.name}" is using the local model; wait for it or cancel it`);

    const done = this.repo.doneKeys(evalId);
    const cells: Cell[] = [];
    for (const row of this.repo.rows(evalId)) {
      for (const column of e.columns) if (!done.has(cellKey(column.versionId, column.targetKey, row.id))) cells.push({ column, row });
    }
    this.repo.markStarted(evalId, this.now());
    const job = new EvalJob(e, cells, { repo: this.repo, runs: this.deps.runs, targets: this.deps.targets, now: this.now, emit: (p) => this.emit('progress', p) });
    const finished = job.run().then(
      () => this.finish(job),
      (err: unknown) => this.finish(job, err),
    );
    this.jobs.set(evalId, { job, usesLocal, finished });
    return { evalId, total: job.total, skipped: job.skipped };
  }

  private finish(job: EvalJob, err?: unknown): EvalInfo {
    this.jobs.delete(job.ev.id);
    if (err !== undefined) console.error(`evaluation ${job.ev.id} stopped on an internal error:`, err);
    if (job.isClosed) {
      job.end('interrupted');
      return { ...this.info(job.ev), status: 'interrupted' };
    }
    const status = job.cancelled ? 'cancelled' : 'done';
    try {
      this.repo.setStatus(job.ev.id, status, this.now());
    } finally {
      job.end(status);
    }
    return this.get(job.ev.id);
  }

  /** Stops scheduling and aborts the runs in flight; the evaluation ends 'cancelled' once they return. */
  cancel(evalId: string): boolean {
    const job = this.jobs.get(evalId);
    if (!job) {
      this.stored(evalId);
      return false;
    }
    job.job.cancel();
    return true;
  }

  /** Resolves when the evaluation stops (at once when it is not running). */
  wait(evalId: string): Promise<EvalInfo> {
    const job = this.jobs.get(evalId);
    return job ? job.finished : Promise.resolve(this.get(evalId));
  }

  isRunning(evalId: string): boolean {
    return this.jobs.has(evalId);
  }

  remove(evalId: string): boolean {
    if (this.jobs.has(evalId)) throw new CoreError('CONFLICT', 'Cancel the evaluation before removing it');
    return this.repo.remove(evalId);
  }

  /** Stats per column and a page of rows; minPassRate overrides the evaluation's own threshold. */
  results(evalId: string, page: { offset: number; limit: number }, minPassRate?: number | null): EvalResults {
    const e = this.stored(evalId);
    return buildResults(this.repo, e, this.info(e), page, minPassRate);
  }

  compare(evalId: string, input: { versionA: string; versionB: string; target: RunTarget | null }): EvalComparison {
    return compareVersions(this.repo, this.stored(evalId), input);
  }

  /** Everything stored, with the baseline comparisons (what evals.export writes as JSON). */
  resultsJson(evalId: string, minPassRate?: number | null): EvalExport {
    const e = this.stored(evalId);
    return resultsJson(this.repo, e, this.info(e), minPassRate);
  }

  export(evalId: string, format: 'csv' | 'json', path: string) {
    const e = this.stored(evalId);
    return exportResults(this.repo, e, this.info(e), format, path);
  }

  /** For core.close(): running evaluations become 'interrupted' (a later start resumes them). */
  close(): void {
    for (const { job } of this.jobs.values()) {
      job.close();
      this.repo.setStatus(job.ev.id, 'interrupted', this.now());
    }
  }
}
