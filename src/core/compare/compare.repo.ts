import type { Comparison, ComparisonSummary } from '../../shared/compare.schema';
import type { RunTarget, SamplingParams } from '../../shared/runs.schema';
import type { Db } from '../db/openDb';

interface ComparisonRow {
  id: string;
  created_at: number;
  system_prompt: string;
  user_message: string;
  variables_json: string;
  params_json: string;
  json_schema: string | null;
}

interface ColumnRow {
  comparison_id: string;
  position: number;
  run_id: string;
  model_name: string;
  target_kind: 'local' | 'remote';
  target_id: string | null;
  remote_model: string | null;
  model_id: string | null;
}

export class CompareRepo {
  private readonly insertStmt;
  private readonly insertRunStmt;
  private readonly getStmt;
  private readonly runIdsStmt;
  private readonly listStmt;
  private readonly columnsStmt;

  constructor(private readonly db: Db) {
    this.insertStmt = db.prepare(`
      INSERT INTO comparisons (id, created_at, system_prompt, user_message, variables_json, params_json, json_schema)
      VALUES (@id, @createdAt, @systemPrompt, @userMessage, @variablesJson, @paramsJson, @jsonSchema)`);
    this.insertRunStmt = db.prepare('INSERT INTO comparison_runs (comparison_id, position, run_id) VALUES (?, ?, ?)');
    this.getStmt = db.prepare<[string], ComparisonRow>('SELECT * FROM comparisons WHERE id = ?');
    this.runIdsStmt = db.prepare<[string], { run_id: string }>('SELECT run_id FROM comparison_runs WHERE comparison_id = ? ORDER BY position');
    this.listStmt = db.prepare<[number], ComparisonRow>('SELECT * FROM comparisons ORDER BY created_at DESC, id DESC LIMIT ?');
    this.columnsStmt = db.prepare<[string], ColumnRow>(`
      SELECT cr.comparison_id, cr.position, cr.run_id, r.model_name, r.target_kind, r.target_id, r.remote_model, r.model_id
      FROM comparison_runs cr JOIN runs r ON r.id = cr.run_id
      WHERE cr.comparison_id = ? ORDER BY cr.position`);
  }

  insert(c: Comparison): void {
    this.db.transaction(() => {
      this.insertStmt.run({
        id: c.id,
        createdAt: c.createdAt,
        systemPrompt: c.systemPrompt,
        userMessage: c.userMessage,
        variablesJson: JSON.stringify(c.variables),
        paramsJson: JSON.stringify(c.params),
        jsonSchema: c.jsonSchema,
      });
      c.runIds.forEach((runId, i) => this.insertRunStmt.run(c.id, i, runId));
    })();
  }

  get(id: string): Comparison | null {
    const r = this.getStmt.get(id);
    if (!r) return null;
    return {
      id: r.id,
      createdAt: r.created_at,
      systemPrompt: r.system_prompt,
      userMessage: r.user_message,
      variables: JSON.parse(r.variables_json) as Record<string, string>,
      params: JSON.parse(r.params_json) as SamplingParams,
      jsonSchema: r.json_schema,
      runIds: this.runIdsStmt.all(id).map((x) => x.run_id),
    };
  }

  list(limit: number): ComparisonSummary[] {
    return this.listStmt.all(limit).map((r) => ({
      id: r.id,
      createdAt: r.created_at,
      userMessage: r.user_message.slice(0, 200),
      columns: this.columnsStmt.all(r.id).map((c) => ({
        runId: c.run_id,
        modelName: c.model_name,
        target: (c.target_kind === 'remote'
          ? { kind: 'remote', targetId: c.target_id ?? '', model: c.remote_model ?? '' }
          : { kind: 'local', modelId: c.model_id ?? '' }) as RunTarget,
      })),
    }));
  }
}
