import type { CheckResult, EvalCell, EvalColumn, EvalDefinition, EvalRow, EvalStatus } from '../../shared/evals.schema';
import type { SamplingParams } from '../../shared/runs.schema';
import type { Db } from '../db/openDb';

interface EvalRowDb {
  id: string;
  name: string;
  definition_json: string;
  columns_json: string;
  templates_json: string;
  test_set_id: string | null;
  status: EvalStatus;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  row_count: number;
  stored: number;
  passed: number;
  failed: number;
  errors: number;
}

interface RowDb {
  row_id: string;
  position: number;
  variables_json: string;
  expected: string | null;
  label: string | null;
}

interface CellDb {
  row_id: string;
  version_id: string;
  target_key: string;
  run_id: string | null;
  judge_run_id: string | null;
  output: string | null;
  pass: number;
  score: number | null;
  error: string | null;
  checks_json: string;
  ttft_ms: number | null;
  e2e_ms: number | null;
  completion_tokens: number | null;
  finished_at: number;
}

/** A version as a run gets it: playground fields with {{variables}} left for runs.start to fill. */
export interface VersionTemplate {
  systemPrompt: string;
  userMessage: string;
  params: SamplingParams;
  jsonSchema: string | null;
  /** The extraction template whose schema replaced the version's own for this evaluation (its name). */
  schemaName?: string;
}

export interface StoredEval {
  id: string;
  name: string;
  definition: EvalDefinition;
  columns: EvalColumn[];
  templates: Record<string, VersionTemplate>;
  status: EvalStatus;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  rowCount: number;
  stored: number;
  passed: number;
  failed: number;
  errors: number;
}

export interface NewResult {
  evalId: string;
  versionId: string;
  targetKey: string;
  rowId: string;
  runId: string | null;
  judgeRunId: string | null;
  pass: boolean;
  score: number | null;
  error: string | null;
  checks: CheckResult[];
  ttftMs: number | null;
  e2eMs: number | null;
  completionTokens: number | null;
  finishedAt: number;
}

export interface ColumnAggregate {
  versionId: string;
  targetKey: string;
  n: number;
  passed: number;
  errors: number;
  meanRowScore: number | null;
  meanTtftMs: number | null;
  meanE2eMs: number | null;
  meanCompletionTokens: number | null;
}

export interface ScoreMean {
  versionId: string;
  targetKey: string;
  type: string;
  mean: number;
}

export interface Pair {
  passA: boolean;
  passB: boolean;
  scoreA: number;
  scoreB: number;
}

export type CellWithRow = EvalCell & { rowId: string };

function toEval(r: EvalRowDb): StoredEval {
  return {
    id: r.id,
    name: r.name,
    definition: JSON.parse(r.definition_json) as EvalDefinition,
    columns: JSON.parse(r.columns_json) as EvalColumn[],
    templates: JSON.parse(r.templates_json) as Record<string, VersionTemplate>,
    status: r.status,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    rowCount: r.row_count,
    stored: r.stored,
    passed: r.passed,
    failed: r.failed,
    errors: r.errors,
  };
}

function toRow(r: RowDb): EvalRow {
  return {
    id: r.row_id,
    position: r.position,
    variables: JSON.parse(r.variables_json) as Record<string, string>,
    expected: r.expected,
    label: r.label,
  };
}

function toCell(r: CellDb): CellWithRow {
  return {
    rowId: r.row_id,
    versionId: r.version_id,
    targetKey: r.target_key,
    runId: r.run_id,
    judgeRunId: r.judge_run_id,
    output: r.output ?? '',
    pass: r.pass === 1,
    score: r.score,
    error: r.error,
    checks: JSON.parse(r.checks_json) as CheckResult[],
    ttftMs: r.ttft_ms,
    e2eMs: r.e2e_ms,
    completionTokens: r.completion_tokens,
    finishedAt: r.finished_at,
  };
}

const EVAL_COLUMNS = `e.*,
  (SELECT count(*) FROM eval_rows r WHERE r.eval_id = e.id) AS row_count,
  (SELECT count(*) FROM eval_results x WHERE x.eval_id = e.id) AS stored,
  (SELECT count(*) FROM eval_results x WHERE x.eval_id = e.id AND x.error IS NULL AND x.pass = 1) AS passed,
  (SELECT count(*) FROM eval_results x WHERE x.eval_id = e.id AND x.error IS NULL AND x.pass = 0) AS failed,
  (SELECT count(*) FROM eval_results x WHERE x.eval_id = e.id AND x.error IS NOT NULL) AS errors`;

// The output is read from the run (history is its one home); the cell keeps only what views compare.
const CELL_COLUMNS = `x.row_id, x.version_id, x.target_key, x.run_id, x.judge_run_id, runs.output, x.pass, x.score, x.error,
  x.checks_json, x.ttft_ms, x.e2e_ms, x.completion_tokens, x.finished_at`;

/** A page of rows (positions [from, to)) with their cells; the plan is asserted in evals.repo.test.ts. */
export const CELLS_SQL = `
  SELECT ${CELL_COLUMNS}
  FROM eval_rows r
  JOIN eval_results x ON x.eval_id = r.eval_id AND x.row_id = r.row_id
  LEFT JOIN runs ON runs.id = x.run_id
  WHERE r.eval_id = ? AND r.position >= ? AND r.position < ?
  ORDER BY r.position`;

/** A/B pairs: both cells of a row, stored without an error. */
export const PAIRS_SQL = `
  SELECT a.pass AS pa, b.pass AS pb, a.score AS sa, b.score AS sb
  FROM eval_rows r
  JOIN eval_results a ON a.eval_id = r.eval_id AND a.row_id = r.row_id
  JOIN eval_results b ON b.eval_id = r.eval_id AND b.row_id = r.row_id
  WHERE r.eval_id = ? AND a.version_id = ? AND a.target_key = ? AND b.version_id = ? AND b.target_key = ?
    AND a.error IS NULL AND b.error IS NULL
  ORDER BY r.position`;

export class EvalsRepo {
  private readonly insertEvalStmt;
  private readonly insertRowStmt;
  private readonly getStmt;
  private readonly listStmt;
  private readonly statusStmt;
  private readonly startStmt;
  private readonly interruptStmt;
  private readonly removeStmt;
  private readonly rowsStmt;
  private readonly doneKeysStmt;
  private readonly upsertStmt;
  private readonly cellsStmt;
  private readonly aggregateStmt;
  private readonly scoreMeansStmt;
  private readonly pairsStmt;
  private readonly invalidStmt;
  private readonly columnsStmt;

  constructor(private readonly db: Db) {
    this.insertEvalStmt = db.prepare(`
      INSERT INTO evals (id, name, definition_json, columns_json, templates_json, test_set_id, status, created_at)
      VALUES (@id, @name, @definitionJson, @columnsJson, @templatesJson, @testSetId, 'pending', @createdAt)`);
    this.insertRowStmt = db.prepare(`
      INSERT INTO eval_rows (eval_id, row_id, position, variables_json, expected, label)
      VALUES (@evalId, @rowId, @position, @variablesJson, @expected, @label)`);
    this.getStmt = db.prepare<[string], EvalRowDb>(`SELECT ${EVAL_COLUMNS} FROM evals e WHERE e.id = ?`);
    this.listStmt = db.prepare<[number], EvalRowDb>(`SELECT ${EVAL_COLUMNS} FROM evals e ORDER BY e.created_at DESC, e.id DESC LIMIT ?`);
    this.statusStmt = db.prepare('UPDATE evals SET status = @status, finished_at = @finishedAt WHERE id = @id');
    this.startStmt = db.prepare("UPDATE evals SET status = 'running', started_at = @startedAt, finished_at = NULL WHERE id = @id");
    this.interruptStmt = db.prepare("UPDATE evals SET status = 'interrupted', finished_at = ? WHERE status = 'running'");
    this.removeStmt = db.prepare('DELETE FROM evals WHERE id = ?');
    this.rowsStmt = db.prepare<[string, number, number], RowDb>(
      'SELECT row_id, position, variables_json, expected, label FROM eval_rows WHERE eval_id = ? AND position >= ? ORDER BY position LIMIT ?',
    );
    this.doneKeysStmt = db.prepare<[string], { version_id: string; target_key: string; row_id: string }>(
      'SELECT version_id, target_key, row_id FROM eval_results WHERE eval_id = ? AND error IS NULL',
    );
    this.upsertStmt = db.prepare(`
      INSERT INTO eval_results (eval_id, version_id, target_key, row_id, run_id, judge_run_id, pass, score, error,
        checks_json, ttft_ms, e2e_ms, completion_tokens, finished_at)
      VALUES (@evalId, @versionId, @targetKey, @rowId, @runId, @judgeRunId, @pass, @score, @error,
        @checksJson, @ttftMs, @e2eMs, @completionTokens, @finishedAt)
      ON CONFLICT (eval_id, version_id, target_key, row_id) DO UPDATE SET
        run_id = excluded.run_id, judge_run_id = excluded.judge_run_id, pass = excluded.pass, score = excluded.score,
        error = excluded.error, checks_json = excluded.checks_json, ttft_ms = excluded.ttft_ms, e2e_ms = excluded.e2e_ms,
        completion_tokens = excluded.completion_tokens, finished_at = excluded.finished_at`);
    this.cellsStmt = db.prepare<[string, number, number], CellDb>(CELLS_SQL);
    this.aggregateStmt = db.prepare<[string], { version_id: string; target_key: string; n: number; passed: number; errors: number; score: number | null; ttft: number | null; e2e: number | null; tokens: number | null }>(`
      SELECT version_id, target_key,
        count(*) FILTER (WHERE error IS NULL) AS n,
        count(*) FILTER (WHERE error IS NULL AND pass = 1) AS passed,
        count(*) FILTER (WHERE error IS NOT NULL) AS errors,
        avg(score) FILTER (WHERE error IS NULL) AS score,
        avg(ttft_ms) FILTER (WHERE error IS NULL) AS ttft,
        avg(e2e_ms) FILTER (WHERE error IS NULL) AS e2e,
        avg(completion_tokens) FILTER (WHERE error IS NULL) AS tokens
      FROM eval_results WHERE eval_id = ?
      GROUP BY version_id, target_key`);
    this.scoreMeansStmt = db.prepare<[string], { version_id: string; target_key: string; type: string; mean: number }>(`
      SELECT x.version_id, x.target_key, json_extract(c.value, '$.type') AS type, avg(json_extract(c.value, '$.score')) AS mean
      FROM eval_results x, json_each(x.checks_json) c
      WHERE x.eval_id = ? AND x.error IS NULL AND json_extract(c.value, '$.score') IS NOT NULL
      GROUP BY 1, 2, 3`);
    this.pairsStmt = db.prepare<[string, string, string, string, string], { pa: number; pb: number; sa: number | null; sb: number | null }>(PAIRS_SQL);
    // A `fields` check stores valid: false for output that is not JSON of the template's schema.
    this.invalidStmt = db.prepare<[string], { version_id: string; target_key: string; n: number }>(`
      SELECT x.version_id, x.target_key, count(DISTINCT x.row_id) AS n
      FROM eval_results x, json_each(x.checks_json) c
      WHERE x.eval_id = ? AND x.error IS NULL AND json_extract(c.value, '$.type') = 'fields' AND json_extract(c.value, '$.valid') = 0
      GROUP BY 1, 2`);
    this.columnsStmt = db.prepare('UPDATE evals SET columns_json = @columnsJson WHERE id = @id');
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  insert(e: Pick<StoredEval, 'id' | 'name' | 'definition' | 'columns' | 'templates' | 'createdAt'>, rows: readonly EvalRow[]): void {
    this.transaction(() => {
      this.insertEvalStmt.run({
        id: e.id,
        name: e.name,
        definitionJson: JSON.stringify(e.definition),
        columnsJson: JSON.stringify(e.columns),
        templatesJson: JSON.stringify(e.templates),
        testSetId: e.definition.testSetId,
        createdAt: e.createdAt,
      });
      for (const r of rows) {
        this.insertRowStmt.run({ evalId: e.id, rowId: r.id, position: r.position, variablesJson: JSON.stringify(r.variables), expected: r.expected, label: r.label });
      }
    });
  }

  get(id: string): StoredEval | null {
    const r = this.getStmt.get(id);
    return r ? toEval(r) : null;
  }

  list(limit: number): StoredEval[] {
    return this.listStmt.all(limit).map(toEval);
  }

  markStarted(id: string, startedAt: number): void {
    this.startStmt.run({ id, startedAt });
  }

  setStatus(id: string, status: EvalStatus, finishedAt: number | null): void {
    this.statusStmt.run({ id, status, finishedAt });
  }

  /** Evaluations left 'running' by a process that died. */
  markInterrupted(now: number): number {
    return this.interruptStmt.run(now).changes;
  }

  remove(id: string): boolean {
    return this.removeStmt.run(id).changes > 0;
  }

  rows(evalId: string, offset = 0, limit = Number.MAX_SAFE_INTEGER): EvalRow[] {
    return this.rowsStmt.all(evalId, offset, limit).map(toRow);
  }

  /** Cells stored without an error: a start skips these. */
  doneKeys(evalId: string): Set<string> {
    return new Set(this.doneKeysStmt.all(evalId).map((r) => cellKey(r.version_id, r.target_key, r.row_id)));
  }

  upsertResult(r: NewResult): void {
    this.upsertStmt.run({
      evalId: r.evalId,
      versionId: r.versionId,
      targetKey: r.targetKey,
      rowId: r.rowId,
      runId: r.runId,
      judgeRunId: r.judgeRunId,
      pass: r.pass ? 1 : 0,
      score: r.score,
      error: r.error,
      checksJson: JSON.stringify(r.checks),
      ttftMs: r.ttftMs,
      e2eMs: r.e2eMs,
      completionTokens: r.completionTokens,
      finishedAt: r.finishedAt,
    });
  }

  /** Cells of the rows at positions [from, to), in row order. */
  cells(evalId: string, from: number, to: number): CellWithRow[] {
    return this.cellsStmt.all(evalId, from, to).map(toCell);
  }

  aggregates(evalId: string): ColumnAggregate[] {
    return this.aggregateStmt.all(evalId).map((r) => ({
      versionId: r.version_id,
      targetKey: r.target_key,
      n: r.n,
      passed: r.passed,
      errors: r.errors,
      meanRowScore: r.score,
      meanTtftMs: r.ttft,
      meanE2eMs: r.e2e,
      meanCompletionTokens: r.tokens,
    }));
  }

  scoreMeans(evalId: string): ScoreMean[] {
    return this.scoreMeansStmt.all(evalId).map((r) => ({ versionId: r.version_id, targetKey: r.target_key, type: r.type, mean: r.mean }));
  }

  /** Invalid outputs per column, keyed `versionId\u0000targetKey`. */
  invalidCounts(evalId: string): Map<string, number> {
    return new Map(this.invalidStmt.all(evalId).map((r) => [`${r.version_id}\u0000${r.target_key}`, r.n]));
  }

  /** Columns carry what was learnt while running (a target that refused the schema). */
  setColumns(evalId: string, columns: readonly EvalColumn[]): void {
    this.columnsStmt.run({ id: evalId, columnsJson: JSON.stringify(columns) });
  }

  /** Rows where both cells are stored without an error, in row order. */
  pairs(evalId: string, a: { versionId: string; targetKey: string }, b: { versionId: string; targetKey: string }): Pair[] {
    return this.pairsStmt.all(evalId, a.versionId, a.targetKey, b.versionId, b.targetKey).map((r) => ({
      passA: r.pa === 1,
      passB: r.pb === 1,
      scoreA: r.sa ?? r.pa,
      scoreB: r.sb ?? r.pb,
    }));
  }
}

export function cellKey(versionId: string, targetKey: string, rowId: string): string {
  return `${versionId}\u0000${targetKey}\u0000${rowId}`;
}
