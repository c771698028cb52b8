// One start of an evaluation: runs the cells not stored yet through runs.start, checks each output (and has
// the judge score it), and stores the cell the moment it finishes — so whatever stops the job, a later
// start resumes from the stored cells. Progress is counted here and sent at most 10 times a second.
// Cells that finish in the same turn of the event loop are committed in one transaction (a commit per cell
// was ~10% of an evaluation's time); a cell is counted and reported done only after its commit.
import type { CheckResult, EvalColumn, EvalProgress, EvalRow, EvalStatus, JudgeConfig } from '../../shared/evals.schema';
import type { RunRecord, RunTarget } from '../../shared/runs.schema';
import { extractImageVariables, imageValuesFor } from '../../shared/imageVars';
import type { RunsService } from '../runs/runs.service';
import { evaluateAll } from './assertions';
import { rowScore } from './evalResults';
import type { EvalsRepo, NewResult, StoredEval, VersionTemplate } from './evals.repo';
import { judgePrompt, parseJudgeScore } from './judge';
import { refusedSchema } from './outputSchema';

/** What evaluations need from targets: a runnable target, and its name for result columns. */
export interface EvalTargets {
  /** Loads a local model when another one (or none) is loaded; remote targets need nothing. */
  ensureReady(target: RunTarget): Promise<void>;
  describe(target: RunTarget): string;
}

export type EvalRuns = Pick<RunsService, 'start' | 'wait' | 'cancel'>;

export interface Cell {
  column: EvalColumn;
  row: EvalRow;
}

export interface JobDeps {
  repo: EvalsRepo;
  runs: EvalRuns;
  targets: EvalTargets;
  now: () => number;
  emit: (p: EvalProgress) => void;
}

/** Progress events go out at most this often per evaluation. */
const PROGRESS_MS = 100;

const FAILED_STOPS = new Set<RunRecord['stopReason']>(['error', 'crash', 'interrupted', 'abort', 'blocked']);

/** Why a run gives no output to judge, or null when it finished normally (eos, maxTokens, stop). */
function runFailure(r: RunRecord): string | null {
  if (r.error) return r.error;
  if (r.stopReason === 'abort') return 'the run was stopped';
  if (FAILED_STOPS.has(r.stopReason)) return `the run ended with ${r.stopReason}`;
  return null;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
/** Local runs store no E2E; their wall time is the same measure at ms resolution. */
const latencyOf = (r: RunRecord) => r.e2eMs ?? (r.finishedAt !== null ? r.finishedAt - r.startedAt : null);

type JudgeOutcome = { runId: string; check: CheckResult } | { runId: string | null; error: string } | null;

export class EvalJob {
  readonly total: number;
  private done: number;
  private passed: number;
  private failed: number;
  private errors = 0;
  private running = 0;
  /** Cancel or close: schedule nothing more; runs aborted now are not stored. */
  private stopping = false;
  /** The core is closing: touch neither the database nor events. */
  private closed = false;
  private readonly inFlight = new Set<string>();
  private lastEmit = 0;
  private timer: NodeJS.Timeout | null = null;
  /** Results waiting for this turn's commit, and that commit. */
  private unstored: NewResult[] = [];
  private commit: Promise<void> | null = null;
  /** A commit failed (e.g. disk full): nothing more is scheduled and run() rejects with it. */
  private storeError: unknown = null;
  /** Target keys that refused the template's schema: their cases run unconstrained from then on. */
  private readonly refused = new Set<string>();

  constructor(
    readonly ev: StoredEval,
    private readonly cells: readonly Cell[],
    private readonly deps: JobDeps,
  ) {
    this.total = ev.rowCount * ev.columns.length;
    this.done = this.total - cells.length;
    // Cells stored with an error are in `cells` again: only clean ones count as already done.
    this.passed = ev.passed;
    this.failed = ev.failed;
    for (const c of ev.columns) if (c.schemaRefused !== undefined) this.refused.add(c.targetKey);
  }

  get skipped(): number {
    return this.total - this.cells.length;
  }

  get cancelled(): boolean {
    return this.stopping;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Runs the cells; resolves once every result is committed. */
  async run(): Promise<void> {
    await this.runCells();
    while (this.commit) await this.commit;
    if (this.storeError !== null) throw this.storeError;
  }

  /** Local columns run one target after another (one model is loaded at a time); remote ones in parallel. */
  private async runCells(): Promise<void> {
    this.progress();
    if (this.cells.length === 0) return;
    const judge = this.ev.definition.judge;
    if (judge?.modelTarget.kind === 'local') {
      try {
        await this.deps.targets.ensureReady(judge.modelTarget);
      } catch (e) {
        for (const cell of this.cells) this.store(this.errorResult(cell, null, `judge: ${message(e)}`));
        return;
      }
    }
    const lanes = new Map<string, Cell[]>();
    for (const cell of this.cells) {
      const lane = lanes.get(cell.column.targetKey);
      if (lane) lane.push(cell);
      else lanes.set(cell.column.targetKey, [cell]);
    }
    const all = [...lanes.values()];
    const localChain = (async () => {
      for (const lane of all.filter((l) => l[0]?.column.target.kind === 'local')) await this.runLane(lane);
    })();
    await Promise.all([localChain, ...all.filter((l) => l[0]?.column.target.kind === 'remote').map((lane) => this.runLane(lane))]);
  }

  /** Stops scheduling and aborts the runs in flight; run() then returns once they have. */
  cancel(): void {
    this.stopping = true;
    for (const runId of this.inFlight) this.deps.runs.cancel(runId);
  }

  /** Like cancel, and nothing more is written or sent: the database is about to close. */
  close(): void {
    // What finished is committed while the database is still open; a failure leaves those cells to the next start.
    try {
      this.commitResults();
    } catch {
      // counted nowhere: not stored, not reported
    }
    this.closed = true;
    this.stopTimer();
    this.cancel();
  }

  snapshot(status: EvalStatus): EvalProgress {
    const { done, total, passed, failed, errors, running } = this;
    return { evalId: this.ev.id, status, done, total, passed, failed, errors, running };
  }

  /** The last event, with the final status; nothing is sent after it. */
  end(status: EvalStatus): void {
    this.stopTimer();
    if (!this.closed) this.deps.emit(this.snapshot(status));
  }

  private stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async runLane(lane: readonly Cell[]): Promise<void> {
    const first = lane[0];
    if (!first || this.stopping) return;
    const target = first.column.target;
    try {
      await this.deps.targets.ensureReady(target);
    } catch (e) {
      if (!this.stopping) for (const cell of lane) this.store(this.errorResult(cell, null, message(e)));
      return;
    }
    const { concurrency } = this.ev.definition;
    const limit = target.kind === 'local' ? concurrency.local : concurrency.remote;
    let next = 0;
    const worker = async () => {
      while (!this.stopping && next < lane.length) await this.runCell(lane[next++] as Cell);
    };
    await Promise.all(Array.from({ length: Math.min(limit, lane.length) }, worker));
  }

  private async runCell(cell: Cell): Promise<void> {
    this.running++;
    this.progress();
    try {
      const result = await this.produce(cell);
      if (result) this.store(result);
    } catch (e) {
      if (!this.stopping) this.store(this.errorResult(cell, null, message(e)));
    } finally {
      this.running--;
      this.progress();
    }
  }

  private store(r: NewResult): void {
    if (this.closed || this.storeError !== null) return;
    this.unstored.push(r);
    this.commit ??= new Promise<void>((resolve) =>
      setImmediate(() => {
        try {
          this.commitResults();
        } catch (e) {
          this.storeError = e;
          this.cancel();
        }
        resolve();
      }),
    );
  }

  /** One transaction for the buffered results; only then are they counted (and reported) done. */
  private commitResults(): void {
    this.commit = null;
    const batch = this.unstored.splice(0);
    if (batch.length === 0 || this.closed) return;
    this.deps.repo.transaction(() => {
      for (const r of batch) this.deps.repo.upsertResult(r);
    });
    for (const r of batch) {
      this.done++;
      if (r.error !== null) this.errors++;
      else if (r.pass) this.passed++;
      else this.failed++;
    }
    this.progress();
  }

  /** Starts a run (source 'eval', so it is in history) and waits for it; cancel() aborts it meanwhile. */
  private async runTracked(
    target: RunTarget,
    prompt: { systemPrompt: string; userMessage: string; variables: Record<string, string>; imageVariables?: Record<string, string> },
    rest: Pick<VersionTemplate, 'params' | 'jsonSchema'>,
    promptVersionId: string | null = null,
  ): Promise<RunRecord> {
    const { runId } = this.deps.runs.start({ source: 'eval', target, modelId: null, ...prompt, params: rest.params, jsonSchema: rest.jsonSchema, promptVersionId });
    this.inFlight.add(runId);
    try {
      return await this.deps.runs.wait(runId);
    } finally {
      this.inFlight.delete(runId);
    }
  }

  /** The cell's result, or null when a cancel abandoned it (nothing stored: the next start runs it). */
  private async produce(cell: Cell): Promise<NewResult | null> {
    const { column, row } = cell;
    const t = this.ev.templates[column.versionId] as VersionTemplate;
    const prompt = { systemPrompt: t.systemPrompt, userMessage: t.userMessage, ...promptValues(t, row) };
    const refused = t.schemaName !== undefined && this.refused.has(column.targetKey);
    const constrained = t.schemaName !== undefined && !refused;
    let rec = await this.runTracked(column.target, prompt, refused ? { ...t, jsonSchema: null } : t, column.versionId);
    if (constrained && refusedSchema(rec) && !this.stopping) {
      // The same case without the schema: when that runs, the schema was the problem (said once, then skipped).
      const retry = await this.runTracked(column.target, prompt, { ...t, jsonSchema: null }, column.versionId);
      if (runFailure(retry) === null) {
        this.noteRefusal(column.targetKey, rec.error as string);
        rec = retry;
      } else if (this.stopping && retry.stopReason === 'abort') return null;
    }
    if (this.stopping && rec.stopReason === 'abort') return null;
    const failure = runFailure(rec);
    if (failure !== null) return this.errorResult(cell, rec, failure);

    const checks: CheckResult[] = evaluateAll(this.ev.definition.assertions, {
      output: rec.output,
      expected: row.expected,
      label: row.label,
      latencyMs: latencyOf(rec),
      variables: row.variables,
    }).results;
    const judge = this.ev.definition.judge;
    let judgeRunId: string | null = null;
    if (judge) {
      if (this.stopping) return null;
      const j = await this.judge(judge, rec.output, row);
      if (j === null) return null;
      judgeRunId = j.runId;
      if ('error' in j) return { ...this.errorResult(cell, rec, `judge: ${j.error}`), judgeRunId };
      checks.push(j.check);
    }
    const pass = checks.every((c) => c.pass);
    return { ...this.base(cell, rec), judgeRunId, pass, score: rowScore(checks, pass, judge?.scale ?? null), error: null, checks };
  }

  /** Marks every column on the target and stores it, so a later start runs them unconstrained too. */
  private noteRefusal(key: string, reason: string): void {
    if (this.refused.has(key)) return;
    this.refused.add(key);
    for (const c of this.ev.columns) if (c.targetKey === key) c.schemaRefused = reason;
    if (!this.closed) this.deps.repo.setColumns(this.ev.id, this.ev.columns);
  }

  /** A parse failure is a failed check; a failed judge run is a cell error (retried by the next start). */
  private async judge(judge: JudgeConfig, output: string, row: EvalRow): Promise<JudgeOutcome> {
    const prompt = judgePrompt(judge, { output, expected: row.expected, variables: row.variables });
    let rec: RunRecord;
    try {
      // No variables: the model's output is quoted as written, never template-filled.
      rec = await this.runTracked(judge.modelTarget, { ...prompt, variables: {} }, { params: judge.params, jsonSchema: null });
    } catch (e) {
      return { runId: null, error: message(e) };
    }
    if (this.stopping && rec.stopReason === 'abort') return null;
    const failure = runFailure(rec);
    if (failure !== null) return { runId: rec.id, error: failure };
    const s = parseJudgeScore(rec.output, judge.scale);
    if (!s.ok) return { runId: rec.id, check: { type: 'judge', pass: false, score: null, reason: s.reason } };
    const why = s.justification ? `: ${s.justification}` : '';
    return { runId: rec.id, check: { type: 'judge', pass: s.score >= judge.min, score: s.score, reason: `judge ${s.score}/${judge.scale} (min ${judge.min})${why}` } };
  }

  private base(cell: Cell, rec: RunRecord | null): Omit<NewResult, 'judgeRunId' | 'pass' | 'score' | 'error' | 'checks'> {
    return {
      evalId: this.ev.id,
      versionId: cell.column.versionId,
      targetKey: cell.column.targetKey,
      rowId: cell.row.id,
      runId: rec?.id ?? null,
      ttftMs: rec?.ttftMs ?? null,
      e2eMs: rec ? latencyOf(rec) : null,
      completionTokens: rec?.completionTokens ?? null,
      finishedAt: this.deps.now(),
    };
  }

  private errorResult(cell: Cell, rec: RunRecord | null, error: string): NewResult {
    return { ...this.base(cell, rec), judgeRunId: null, pass: false, score: null, error, checks: [] };
  }

  /** At most one event per PROGRESS_MS; a change inside the window goes out at its end. */
  private progress(): void {
    if (this.closed || this.timer) return;
    const send = () => {
      this.timer = null;
      this.lastEmit = Date.now();
      this.deps.emit(this.snapshot('running'));
    };
    const wait = this.lastEmit + PROGRESS_MS - Date.now();
    if (wait <= 0) send();
    else this.timer = setTimeout(send, wait);
  }
}

/**
 * A row's values for a version's template: every value as a text variable, and the template's
 * {{image:name}} variables filled from the row's image hashes (an image prompt when there are any).
 */
export function promptValues(t: Pick<VersionTemplate, 'systemPrompt' | 'userMessage'>, row: Pick<EvalRow, 'variables'>): { variables: Record<string, string>; imageVariables?: Record<string, string> } {
  const names = extractImageVariables(t.systemPrompt, t.userMessage);
  if (names.length === 0) return { variables: row.variables };
  return { variables: row.variables, imageVariables: imageValuesFor(names, row.variables).imageVariables };
}
