// The trainings table: one row per package, updated in place by its run.
import type { AdapterProvenance } from '../../shared/adapters.schema';
import type { Hyperparameters, TrainingInfo } from '../../shared/training.schema';
import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/openDb';

type State = TrainingInfo['state'];

interface TrainingRowDb {
  id: string;
  dir: string;
  files_json: string;
  dataset_id: string;
  base_model_id: string;
  hyperparameters_json: string;
  provenance_json: string;
  state: State;
  command: string | null;
  adapter_path: string | null;
  log_tail_json: string;
  step: number | null;
  total_steps: number | null;
  epoch: number | null;
  loss: number | null;
  error: string | null;
  adapter_id: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
}

export interface StoredTraining extends TrainingInfo {
  provenance: AdapterProvenance;
  adapterPath: string | null;
}

export interface NewTraining {
  id: string;
  dir: string;
  files: string[];
  datasetId: string;
  baseModelId: string;
  hyperparameters: Hyperparameters;
  provenance: AdapterProvenance;
  createdAt: number;
}

/** What a run changes as it goes; fields left out stay. */
export interface TrainingPatch {
  state?: State;
  logTail?: string[];
  step?: number | null;
  totalSteps?: number | null;
  epoch?: number | null;
  loss?: number | null;
  error?: string | null;
  adapterId?: string | null;
  finishedAt?: number | null;
}

const PATCH_COLUMNS: Record<keyof TrainingPatch, string> = {
  state: 'state',
  logTail: 'log_tail_json',
  step: 'step',
  totalSteps: 'total_steps',
  epoch: 'epoch',
  loss: 'loss',
  error: 'error',
  adapterId: 'adapter_id',
  finishedAt: 'finished_at',
};

function toInfo(r: TrainingRowDb): StoredTraining {
  return {
    id: r.id,
    dir: r.dir,
    files: JSON.parse(r.files_json) as string[],
    datasetId: r.dataset_id,
    baseModelId: r.base_model_id,
    hyperparameters: JSON.parse(r.hyperparameters_json) as Hyperparameters,
    state: r.state,
    command: r.command,
    logTail: JSON.parse(r.log_tail_json) as string[],
    step: r.step,
    totalSteps: r.total_steps,
    epoch: r.epoch,
    loss: r.loss,
    error: r.error,
    adapterId: r.adapter_id,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
    provenance: JSON.parse(r.provenance_json) as AdapterProvenance,
    adapterPath: r.adapter_path,
  };
}

export class TrainingRepo {
  private readonly q;
  private readonly updates = new Map<string, Statement>();

  constructor(private readonly db: Db) {
    this.q = {
      insert: db.prepare(
        `INSERT INTO trainings (id, dir, files_json, dataset_id, base_model_id, hyperparameters_json, provenance_json, state, created_at)
         VALUES (@id, @dir, @files_json, @dataset_id, @base_model_id, @hyperparameters_json, @provenance_json, 'packaged', @created_at)`,
      ),
      get: db.prepare<[string], TrainingRowDb>('SELECT * FROM trainings WHERE id = ?'),
      list: db.prepare<[], TrainingRowDb>('SELECT * FROM trainings ORDER BY created_at DESC, id DESC'),
      start: db.prepare(
        `UPDATE trainings SET state = 'running', command = @command, adapter_path = @adapter_path, log_tail_json = '[]',
           step = NULL, total_steps = NULL, epoch = NULL, loss = NULL, error = NULL, adapter_id = NULL,
           started_at = @started_at, finished_at = NULL
         WHERE id = @id`,
      ),
      interrupt: db.prepare(`UPDATE trainings SET state = 'failed', error = @error, finished_at = @finished_at WHERE state IN ('running', 'converting')`),
    };
  }

  insert(t: NewTraining): void {
    this.q.insert.run({
      id: t.id,
      dir: t.dir,
      files_json: JSON.stringify(t.files),
      dataset_id: t.datasetId,
      base_model_id: t.baseModelId,
      hyperparameters_json: JSON.stringify(t.hyperparameters),
      provenance_json: JSON.stringify(t.provenance),
      created_at: t.createdAt,
    });
  }

  get(id: string): StoredTraining | null {
    const r = this.q.get.get(id);
    return r ? toInfo(r) : null;
  }

  list(): StoredTraining[] {
    return this.q.list.all().map(toInfo);
  }

  markStarted(id: string, command: string, adapterPath: string, at: number): void {
    this.q.start.run({ id, command, adapter_path: adapterPath, started_at: at });
  }

  update(id: string, patch: TrainingPatch): void {
    const sets: string[] = [];
    const values: Record<string, unknown> = { id };
    for (const [key, value] of Object.entries(patch) as [keyof TrainingPatch, unknown][]) {
      if (value === undefined) continue;
      const col = PATCH_COLUMNS[key];
      sets.push(`${col} = @${col}`);
      values[col] = key === 'logTail' ? JSON.stringify(value) : value;
    }
    if (sets.length === 0) return;
    // Few distinct column sets occur (a progress flush, a state change, a finish): one statement each, reused.
    const sql = `UPDATE trainings SET ${sets.join(', ')} WHERE id = @id`;
    let stmt = this.updates.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.updates.set(sql, stmt);
    }
    stmt.run(values);
  }

  /** Runs a previous process left 'running' or 'converting' cannot be followed any more. */
  failInterrupted(error: string, at: number): number {
    return this.q.interrupt.run({ error, finished_at: at }).changes;
  }
}
